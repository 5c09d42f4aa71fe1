"""Where an expression lands in the HTML, read from the template's static text.

The compiler feeds a ``Scanner`` the static text in document order and asks it, at each
expression, whether the expression can begin the value of a URL attribute
(``href="{{ url }}"``): then it is compiled as a ``urls.UrlSlot``. The scanner follows the
states of the HTML tokenizer that decide what is an attribute value: tags, attribute names and
values (quoted or not), comments, the elements whose content is raw text (``<script>``...),
and SVG and MathML, where no content is. It runs once, at compile time: rendering pays nothing.

Inside a URL attribute's value it follows the scheme. Static text that ends the scheme or
makes the URL relative fixes it (``/users/{{ id }}``, ``https://example.com/{{ path }}``), and
the expressions after that are plain slots. An expression before that point is checked, with
the static text just before it that can still be part of the scheme (``java{{ rest }}``) and
the static text after it up to a colon (``{{ scheme }}://``). Every expression that can begin
the scheme is checked on its own, so ``{{ base }}{{ path }}`` checks both, but a scheme split
across two expressions (``java`` and ``script:...``) is not seen whole.

Blocks: each branch of an ``{% if %}`` is read from where the ``if`` is, and the scanner goes on
with every reading the branches end with (``Scanner`` keeps them all; an expression is checked
if any of them needs it). A loop body is read from where the loop is and, when it ends
elsewhere (it leaves a tag or a value open), again from there too, as a later iteration
starts there (``_Compiler.loop_body``). A macro body or included template compiled in place
(``functions``) is read where it is called, as if written there. Markup rendered by Jinja
itself (other macro calls and includes, ``call``, ``filter`` and ``with`` blocks) is Markup to
this engine, and is not looked into.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import NamedTuple

from .urls import SCRIPT_SCHEMES, URL_ATTRIBUTES

DATA, TAG_OPEN, END_TAG_OPEN, TAG_NAME, BEFORE_NAME, NAME, AFTER_NAME = range(7)
BEFORE_VALUE, VALUE, DECLARATION, COMMENT, BOGUS, RAW = range(7, 13)

RAW_TEXT = frozenset(
    {"iframe", "noembed", "noframes", "noscript", "script", "style", "textarea", "title", "xmp"}
)
"""Elements whose content is text up to their end tag: no tags, no attributes in there."""

FOREIGN = frozenset({"math", "svg"})
BREAKOUT = frozenset(
    {
        *("b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt"),
        *("em", "embed", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li"),
        *("listing", "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span"),
        *("strike", "strong", "sub", "sup", "table", "tt", "u", "ul", "var"),
    }
)
"""HTML start tags that end SVG and MathML content (the HTML standard's list, less ``font``)."""

_SPACE = frozenset("\t\n\f\r ")
_SCHEME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")
_LEADING = "".join(map(chr, range(0x21)))  # as ``urls``: what URL parsing strips and drops
_TAB_NEWLINE = dict.fromkeys(map(ord, "\t\n\r"))


class State(NamedTuple):
    """Where the scanner is; equal states read what follows alike."""

    mode: int
    tag: str = ""
    """The tag being read, or the raw text element the scanner is in."""
    closing: bool = False
    slash: bool = False
    """The tag so far ends with ``/`` (``<svg/>`` opens nothing)."""
    attribute: str = ""
    quote: str = ""
    """The quote of the value being read; ``""`` for an unquoted one."""
    url: str | None = None
    """In a URL value whose scheme may still be open: the static text since the value began or
    the last expression, as written (character references and all); else ``None``."""
    after: bool = False
    """``url`` follows an expression (so it may continue a scheme that expression began)."""
    fresh: bool = False
    """An expression has just begun an unquoted value, and nothing was read since."""
    run: int = 0
    """Progress through ``-->`` in a comment, or through ``</tag`` in raw text."""
    foreign: int = 0
    """How many ``<svg>`` and ``<math>`` are open: in there, no element's content is raw text."""


START = State(DATA)


class Check(NamedTuple):
    """What a ``UrlSlot`` needs from the scanner: the attribute(s) the expression can begin,
    and the static text just before it that can be part of the scheme (one per reading)."""

    attributes: tuple[str, ...]
    heads: tuple[str, ...]


class Place(NamedTuple):
    """Where an expression lands, as far as its slot cares."""

    check: Check | None
    """It can begin a URL's scheme: what the ``UrlSlot`` checks."""
    unquoted: bool
    """It is in an unquoted attribute value (in some reading): see ``unquoted``."""
    starts: bool
    """It begins that value, in every reading (then ``ended_value`` may say it is all of it)."""


MAX_READINGS = 16
"""Readings the scanner keeps at most; more arise only from branches that leave the HTML in
many different places (those that leave a URL value open are kept first)."""


class Scanner:
    """Follows static HTML text: see the module docstring.

    It keeps every reading the branches so far allow (``{% if %}`` with an ``<a href="`` in one
    branch only leaves two: inside the value, and not), and reads the text in each; an
    expression is checked when it can begin a URL's scheme in any of them.
    """

    __slots__ = ("_reader", "ended_value", "states")

    def __init__(self) -> None:
        self.states: tuple[State, ...] = (START,)
        self._reader = _Reader()
        self.ended_value = False
        """The last text fed began by ending the unquoted value that the expression just
        before it began, in every reading: that expression was the whole value."""

    def feed(self, text: str) -> list[str]:
        """Read static ``text``; return the parts of it that complete the scheme of the
        expression just before it (``://`` after ``{{ scheme }}`` gives ``:``), if any."""
        self.ended_value = bool(text) and all(
            state.fresh and (text[0] in _SPACE or text[0] == ">") for state in self.states
        )
        tails = []
        states = []
        for state in self.states:
            self._reader.restore(state)
            tail = self._reader.feed(text)
            if tail:
                tails.append(tail)
            states.append(self._reader.state())
        self.states = _distinct(states)
        return tails

    def expression(self) -> Place:
        """An expression comes next: where it lands (the check it needs, if it can begin a
        URL's scheme; whether it is in an unquoted value)."""
        attributes: dict[str, None] = {}
        heads: dict[str, None] = {}
        unquoted, starts = False, True
        states = []
        for state in self.states:
            self._reader.restore(state)
            found = self._reader.expression()
            if found is not None:
                attributes[found[0]] = heads[found[1]] = None
            unquoted = unquoted or (self._reader.mode == VALUE and not self._reader.quote)
            starts = starts and self._reader.fresh
            states.append(self._reader.state())
        self.states = _distinct(states)
        check = Check(tuple(attributes), tuple(heads)) if attributes else None
        return Place(check, unquoted, starts)

    def continues_scheme(self) -> bool:
        """Whether text that comes next may still complete the scheme of the last expression."""
        return any(state.url is not None and state.after for state in self.states)


def merge(readings: Sequence[tuple[State, ...]]) -> tuple[State, ...]:
    """The readings after branches that ended with ``readings``: all of them."""
    return _distinct([state for states in readings for state in states])


def _distinct(states: Sequence[State]) -> tuple[State, ...]:
    unique = tuple(dict.fromkeys(states))
    if len(unique) <= MAX_READINGS:
        return unique
    return tuple(sorted(unique, key=lambda state: state.url is None)[:MAX_READINGS])


class _Reader:
    """One reading of the HTML, a tokenizer's state; see the module docstring."""

    __slots__ = State._fields

    mode: int
    tag: str
    closing: bool
    slash: bool
    attribute: str
    quote: str
    url: str | None
    after: bool
    run: int
    foreign: int

    def __init__(self) -> None:
        self.restore(START)

    def state(self) -> State:
        return State(*(getattr(self, field) for field in State._fields))

    def restore(self, state: State) -> None:
        for field, value in zip(State._fields, state, strict=True):
            setattr(self, field, value)

    def feed(self, text: str) -> str:
        """Read static ``text``; see ``Scanner.feed``."""
        tail = ""
        if text:
            self.fresh = False
        for char in text:
            if self.mode == VALUE and self._ends_value(char):
                tail = tail or self._settle()
                self.url = None
            self._step(char)
        return tail or self._settle()

    def expression(self) -> tuple[str, str] | None:
        """An expression comes next: its attribute and head, if it can begin a URL's scheme."""
        self.fresh = self.mode == BEFORE_VALUE
        if self.fresh:  # ``href={{ url }}``: it begins an unquoted value
            self.mode, self.quote, self.url, self.after = VALUE, "", None, False
            if self.attribute in URL_ATTRIBUTES:
                self.url = ""
        if self.mode != VALUE or self.url is None:
            return None
        check = self.attribute, _clean(self.url)
        self.url, self.after = "", True
        return check

    def _settle(self) -> str:
        """Decide from ``url`` whether the scheme is fixed (then ``url`` becomes ``None``);
        return the text that completes the scheme of the expression before, if any."""
        if self.url is None:
            return ""
        text = _clean(self.url)
        length = 0
        for char in text:
            if char not in _SCHEME:
                break
            length += 1
        if length < len(text):  # a character that cannot be in a scheme: it is fixed
            self.url = None
            return text[: length + 1] if self.after and text[length] == ":" else ""
        if not _may_be_in_refused(text.lower(), self.after):
            self.url = None  # whatever comes next, the scheme is not one that is refused
        return ""

    def _ends_value(self, char: str) -> bool:
        return char == self.quote if self.quote else char in _SPACE or char == ">"

    def _step(self, char: str) -> None:  # one branch per tokenizer state
        mode = self.mode
        if mode == DATA:
            if char == "<":
                self.mode = TAG_OPEN
        elif mode == TAG_OPEN:
            if char.isascii() and char.isalpha():
                self.mode, self.tag, self.closing = TAG_NAME, char.lower(), False
            elif char == "/":
                self.mode = END_TAG_OPEN
            elif char == "!":
                self.mode, self.run = DECLARATION, 0
            elif char == "?":
                self.mode = BOGUS
            elif char != "<":
                self.mode = DATA
        elif mode == END_TAG_OPEN:
            if char.isascii() and char.isalpha():
                self.mode, self.tag, self.closing = TAG_NAME, char.lower(), True
            else:
                self.mode = DATA if char == ">" else BOGUS
        elif mode == DECLARATION:  # after ``<!``: ``--`` begins a comment
            if char == "-" and self.run == 0:
                self.run = 1
            elif char == "-":
                self.mode, self.run = COMMENT, 2  # so ``<!-->`` and ``<!--->`` end at once
            else:
                self.mode = DATA if char == ">" else BOGUS
        elif mode == COMMENT:
            if char == ">" and self.run >= 2:
                self.mode = DATA
            else:
                self.run = self.run + 1 if char == "-" else 0
        elif mode == BOGUS:
            if char == ">":
                self.mode = DATA
        elif mode == TAG_NAME:
            if char in _SPACE or char == "/":
                self.mode, self.slash = BEFORE_NAME, char == "/"
            elif char == ">":
                self._end_tag()
            else:
                self.tag += char.lower()
        elif mode in (BEFORE_NAME, AFTER_NAME):
            if char == ">":
                self._end_tag()
                return
            self.slash = char == "/"  # self-closing only when ``>`` comes right after
            if char in _SPACE:
                pass
            elif char == "/":
                self.mode = BEFORE_NAME
            elif char == "=" and mode == AFTER_NAME:
                self.mode = BEFORE_VALUE
            else:
                self.mode, self.attribute = NAME, char.lower()
        elif mode == NAME:
            if char in _SPACE:
                self.mode = AFTER_NAME
            elif char == "/":
                self.mode, self.slash = BEFORE_NAME, True
            elif char == "=":
                self.mode = BEFORE_VALUE
            elif char == ">":
                self._end_tag()
            else:
                self.attribute += char.lower()
        elif mode == BEFORE_VALUE:
            if char in _SPACE:
                pass
            elif char == ">":
                self._end_tag()
            else:
                quoted = char in "\"'"
                self.mode, self.quote = VALUE, char if quoted else ""
                self.url = "" if self.attribute in URL_ATTRIBUTES else None
                self.after = False
                if not quoted:
                    self._step(char)
        elif mode == VALUE:
            if self._ends_value(char):
                self.mode, self.url, self.after = BEFORE_NAME, None, False
                if char == ">":
                    self._end_tag()
            elif self.url is not None:
                self.url += char
        elif mode == RAW:
            self._raw(char)

    def _end_tag(self) -> None:
        tag, start = self.tag, not self.closing
        if tag in FOREIGN and start:
            self.foreign += 0 if self.slash else 1
        elif tag in FOREIGN:
            self.foreign = max(self.foreign - 1, 0)
        elif start and tag in BREAKOUT:
            self.foreign = 0
        raw = start and not self.foreign and tag in RAW_TEXT
        self.mode, self.run, self.attribute, self.slash = RAW if raw else DATA, 0, "", False

    def _raw(self, char: str) -> None:
        """Raw text ends at ``</tag`` followed by a space, ``/`` or ``>``."""
        end = "</" + self.tag
        if self.run == len(end):
            if char in _SPACE or char == "/":
                self.mode, self.closing, self.run = BEFORE_NAME, True, 0
                self.slash = char == "/"
                return
            if char == ">":
                self.mode, self.run = DATA, 0
                return
            self.run = 0
        if char.lower() == end[self.run]:
            self.run += 1
        else:
            self.run = 1 if char == "<" else 0


_REFUSED = (*sorted(SCRIPT_SCHEMES), "data")  # ``data`` counts even where it is allowed


def _may_be_in_refused(text: str, after: bool) -> bool:
    """Whether ``text`` can be part of a refused scheme: its beginning, or anywhere after an
    expression. Keeps what the scanner tracks short: the loop passes end."""
    return any(scheme.startswith(text) or (after and text in scheme) for scheme in _REFUSED)


def _clean(url: str) -> str:
    """``url`` text as URL parsing sees it: references decoded, tabs and newlines dropped, and
    leading spaces and controls stripped (also after an expression, which may be empty)."""
    text = html.unescape(url) if "&" in url else url
    return text.lstrip(_LEADING).translate(_TAB_NEWLINE)
