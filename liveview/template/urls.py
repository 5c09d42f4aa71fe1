"""URL attributes: a value a browser would run as script is not rendered as given.

Escaping keeps a value inside its attribute, but ``href="javascript:alert(1)"`` needs no quote
to break out: the browser runs it when the link is followed (``src``, ``action``... alike). So
an expression that can begin the value of a URL attribute (the compiler knows where each one
lands: see ``htmlscan``) is compiled as a ``UrlSlot``, which reads the value's scheme as a
browser does (leading spaces and control characters stripped, tabs and newlines dropped, any
case) and refuses ``javascript:`` and ``vbscript:`` in every URL attribute, and ``data:`` where
the browser would navigate to it or submit to it (``NAVIGATING``); a ``data:`` image in ``src``
is fine. A refused value renders as ``#`` where it navigates (a link that goes nowhere) and as
``data:,`` elsewhere (an empty resource: nothing is requested), the same in the dead render,
the join and every diff, and a warning names the template, line and attribute. Both also end
any scheme the text around them could form (``java{{ url }}``), which ``""`` would not. Not an
exception: the value is usually someone's data, and one bad profile URL must not take down
every page that shows it.

``Markup`` is trusted (``markupsafe.Markup(url)``, ``markupsafe.escape(url)``, ``|safe``): whoever
made it vouched for it, so it is the way to let a dynamic ``javascript:`` link through. Static
text is the template author's, and never checked (``href="javascript:void(0)"``). Other
expressions cost nothing: only ``UrlSlot`` checks, and a value without a colon is done with one
``in``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from jinja2.runtime import Context

from .codegen import Evaluator
from .escape import escape_text, to_text
from .prints import SAME, NodePrint, SlotPrint, SlotUpdate, WireNode, _Same
from .slots import ExprSlot, StepFacts

logger = logging.getLogger("liveview.template")

URL_ATTRIBUTES = frozenset(
    {
        "action",
        "archive",
        "background",
        "cite",
        "classid",
        "codebase",
        "data",
        "dynsrc",
        "formaction",
        "href",
        "icon",
        "longdesc",
        "lowsrc",
        "manifest",
        "poster",
        "profile",
        "src",
        "usemap",
        "xlink:href",
    }
)
"""Attributes whose value is a URL (HTML's, SVG's ``xlink:href``, and obsolete ones browsers
still load). ``srcset`` and ``ping`` are not here: browsers neither run nor show what they
name."""

NAVIGATING = frozenset({"action", "formaction", "href", "xlink:href"})
"""URL attributes the browser navigates to or submits to, where ``data:`` is refused too."""

SCRIPT_SCHEMES = frozenset({"javascript", "vbscript"})
"""Refused in every URL attribute; ``data`` is refused too where the browser navigates."""
_COMMON = ("https:", "http:", "mailto:", "tel:")  # these prefixes need no more reading
_LEADING = "".join(map(chr, range(0x21)))  # C0 controls and space, stripped by URL parsing
_TAB_NEWLINE = dict.fromkeys(map(ord, "\t\n\r"))  # dropped anywhere by URL parsing


def refused_scheme(url: str, navigates: bool) -> str | None:
    """The scheme a browser reads at the start of ``url``, when it is one refused here."""
    colon = url.find(":")
    if colon < 0:
        return None
    scheme = url[:colon]
    if not scheme.isalpha():  # the refused ones are all letters: read it as a browser does
        scheme = scheme.lstrip(_LEADING).translate(_TAB_NEWLINE)
        if not scheme.isalpha():
            return None
    scheme = scheme.lower()
    if scheme in SCRIPT_SCHEMES or (navigates and scheme == "data"):
        return scheme if scheme.isascii() else None  # browsers only read ASCII letters
    return None


class UrlSlot(ExprSlot):
    """``{{ expression }}`` that can begin the value of a URL attribute: its scheme is checked.

    ``attributes`` is the attribute it is in (more than one only when branches before it leave
    the HTML in different places). The value is checked with each static text around it that
    may be part of the same scheme (``around``): before it (``java`` in ``href="java{{ rest }}"``,
    from ``heads``) and after it up to a colon (``:`` in ``href="{{ scheme }}://..."``, added
    by ``add_tails``); usually just ``("", "")``. ``where`` names the template and line.
    """

    __slots__ = ("alone", "around", "attribute", "heads", "navigates", "where")

    def __init__(
        self,
        evaluate: Evaluator,
        facts: StepFacts,
        attributes: Sequence[str],
        heads: Sequence[str],
        where: str,
    ) -> None:
        super().__init__(evaluate, facts)
        self.attribute = " or ".join(attributes)
        self.navigates = not NAVIGATING.isdisjoint(attributes)
        self.heads = tuple(heads)
        self.around = tuple((head, "") for head in self.heads)
        self.alone = self.around == (("", ""),)  # nothing static around it: the fast path
        self.where = where

    def add_tails(self, tails: Iterable[str]) -> None:
        """Static text that may follow the value and complete its scheme (the compiler's)."""
        pairs = [(head, tail) for tail in tails for head in self.heads]
        if pairs:
            self.around = tuple(dict.fromkeys((*self.around, *pairs)))
            self.alone = False

    # ``full``, ``diff`` and ``html`` test the common case (a str with no colon or a common
    # scheme, nothing around it) inline: a call to ``text`` costs more than the test, on every
    # URL slot of every render.

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        value = self.evaluate(ctx)
        if type(value) is str and self.alone and (":" not in value or value.startswith(_COMMON)):
            text = escape_text(value)
        else:
            text = self.text(value)
        out[self.key] = text
        prints[self.position] = text

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        value = self.evaluate(ctx)
        if type(value) is str and self.alone and (":" not in value or value.startswith(_COMMON)):
            text = escape_text(value)
        else:
            text = self.text(value)
        return SAME if text == old else (text, text)

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        parts.append(statics[self.index])
        value = self.evaluate(ctx)
        if type(value) is str and self.alone and (":" not in value or value.startswith(_COMMON)):
            parts.append(escape_text(value))
        else:
            parts.append(self.text(value))

    def text(self, value: Any) -> str:
        """``escape.to_text`` of ``value``, or the harmless value when its scheme is refused."""
        if type(value) is str:
            url = value
        elif value is None or value is False or type(value) is int or hasattr(value, "__html__"):
            return to_text(value)  # nothing to check; or Markup, vouched for by its maker
        else:
            url = str(value)  # what to_text would escape: a URL object's text, say
        if not self.alone:
            return self.text_around(url)
        if ":" in url and not url.startswith(_COMMON):
            scheme = refused_scheme(url, self.navigates)
            if scheme is not None:
                return self.refuse(url, scheme)
        return escape_text(url)

    def text_around(self, url: str) -> str:
        """``text`` when static text around the value may be part of its scheme."""
        for head, tail in self.around:
            scheme = refused_scheme(head + url + tail, self.navigates)
            if scheme is not None:
                return self.refuse(url, scheme)
        return escape_text(url)

    def refuse(self, url: str, scheme: str) -> str:
        """Log the refusal and return what is rendered instead (already HTML)."""
        instead = "#" if self.navigates else "data:,"
        logger.warning(
            "refused a %s: URL in %s (%s), rendered %r instead; mark a trusted URL with "
            "markupsafe.Markup to let it through. The value: %s",
            scheme,
            self.attribute,
            self.where,
            instead,
            _preview(url),
        )
        return instead


def _preview(url: str) -> str:
    return repr(url) if len(url) <= 80 else repr(url[:77]) + "..."
