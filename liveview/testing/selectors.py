"""CSS selectors over the element tree of `liveview.testing.html`: the part of CSS tests use to
name an element, as Phoenix.LiveViewTest's `element(view, selector)` takes them.

    select(parse(html), "form#signup button[type=submit]")   # -> [<button ...>]

Supported: type (`button`, `*`), `#id`, `.class`, attributes (`[name]`, `[name=v]`, `~=`,
`|=`, `^=`, `$=`, `*=`; quoted or bare values), `:not(...)`, `:first-child`, `:last-child`,
`:nth-child(N)`, `:checked`, `:disabled`; the combinators ` `, `>`, `+`, `~`; and lists
(`a, b`), matched in document order. Anything else is a `ValueError` naming what is not
supported, rather than a selector that silently matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from liveview.testing.html import Element

Test = Callable[[Element], bool]
Compound = tuple[Test, ...]
Complex = tuple[tuple[str, Compound], ...]
"""(combinator, compound) pairs, left to right; the first combinator is ""."""

_IDENT = r"(?:[-\w]|\\.)+"
_TOKEN = re.compile(
    rf"""
    (?P<space>\s*(?P<comb>[>+~,])\s*|\s+)
    | (?P<type>{_IDENT}|\*)
    | \#(?P<id>{_IDENT})
    | \.(?P<cls>{_IDENT})
    | \[\s*(?P<attr>{_IDENT})\s*(?:(?P<op>[~|^$*]?=)\s*
        (?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>{_IDENT})))?\s*\]
    | :(?P<pseudo>[-\w]+)(?:\((?P<arg>[^()]*(?:\([^()]*\)[^()]*)*)\))?
    """,
    re.VERBOSE,
)
_ESCAPE = re.compile(r"\\(.)")
_INPUTS = frozenset(("input", "select", "textarea", "button", "fieldset", "option", "optgroup"))


def select(root: Element, selector: str) -> list[Element]:
    """The elements under `root` (not `root` itself) that `selector` matches, in document
    order. `ValueError` for a selector this module cannot read."""
    groups = _parse(selector)
    return [
        element
        for element in root.iter()
        if element is not root and any(_matches(element, group) for group in groups)
    ]


def matches(element: Element, selector: str) -> bool:
    """Whether `selector` matches `element`."""
    return any(_matches(element, group) for group in _parse(selector))


# --- matching ----------------------------------------------------------------------------------


def _matches(element: Element, parts: Complex) -> bool:
    combinator, compound = parts[-1]
    if not all(test(element) for test in compound):
        return False
    rest = parts[:-1]
    if not rest:
        return True
    if combinator == ">":
        parent = _parent(element)
        return parent is not None and _matches(parent, rest)
    if combinator == " ":
        ancestor = _parent(element)
        while ancestor is not None:
            if _matches(ancestor, rest):
                return True
            ancestor = _parent(ancestor)
        return False
    before = _siblings_before(element)
    if combinator == "+":
        return bool(before) and _matches(before[-1], rest)
    return any(_matches(sibling, rest) for sibling in before)  # "~"


def _parent(element: Element) -> Element | None:
    parent = element.parent
    return parent if parent is not None and parent.parent is not None else None  # not #root


def _siblings_before(element: Element) -> list[Element]:
    if element.parent is None:
        return []
    siblings = [c for c in element.parent.children if isinstance(c, Element)]
    return siblings[: next(i for i, c in enumerate(siblings) if c is element)]


def _element_siblings(element: Element) -> list[Element]:
    parent = element.parent
    return [c for c in parent.children if isinstance(c, Element)] if parent is not None else []


# --- parsing -----------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _parse(selector: str) -> tuple[Complex, ...]:
    if not isinstance(selector, str) or not selector.strip():
        raise ValueError(f"a selector must be a non-empty string, not {selector!r}")
    groups: list[Complex] = []
    parts: list[tuple[str, Compound]] = []
    compound: list[Test] = []
    combinator = ""
    position, text = 0, selector.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(
                f"selector {selector!r}: cannot read {text[position:]!r} (supported: tag, #id, "
                ".class, [attr], [attr=value], :not(), :first-child, :last-child, "
                ":nth-child(N), :checked, :disabled, and the combinators ' ', >, +, ~)"
            )
        position = match.end()
        if match["space"] is not None:
            comb = match["comb"] or " "
            if not compound:
                if comb == " ":
                    continue
                raise ValueError(f"selector {selector!r}: {comb!r} with nothing before it")
            parts.append((combinator, tuple(compound)))
            compound = []
            if comb == ",":
                groups.append(tuple(parts))
                parts, combinator = [], ""
            else:
                combinator = comb
            continue
        compound.append(_simple(match, selector))
    if not compound:
        raise ValueError(f"selector {selector!r} ends with a combinator")
    parts.append((combinator, tuple(compound)))
    groups.append(tuple(parts))
    return tuple(groups)


def _simple(match: re.Match[str], selector: str) -> Test:
    if match["type"] is not None:
        tag = _unescape(match["type"]).lower()
        return (lambda e: True) if tag == "*" else (lambda e: e.tag == tag)
    if match["id"] is not None:
        wanted = _unescape(match["id"])
        return lambda e: e.attrs.get("id") == wanted
    if match["cls"] is not None:
        name = _unescape(match["cls"])
        return lambda e: name in e.classes
    if match["attr"] is not None:
        return _attribute(match)
    return _pseudo(match["pseudo"].lower(), match["arg"], selector)


def _attribute(match: re.Match[str]) -> Test:
    name = _unescape(match["attr"]).lower()
    op = match["op"]
    if op is None:
        return lambda e: name in e.attrs
    value = next(v for v in (match["dq"], match["sq"], match["bare"]) if v is not None)
    value = _unescape(value)
    compare: Callable[[str], bool] = {
        "=": lambda a: a == value,
        "~=": lambda a: value in a.split(),
        "|=": lambda a: a == value or a.startswith(value + "-"),
        "^=": lambda a: bool(value) and a.startswith(value),
        "$=": lambda a: bool(value) and a.endswith(value),
        "*=": lambda a: bool(value) and value in a,
    }[op]
    return lambda e: name in e.attrs and compare(e.attrs[name])


def _pseudo(name: str, arg: str | None, selector: str) -> Test:
    if name == "not" and arg is not None:
        inner = _parse(arg)
        return lambda e: not any(_matches(e, group) for group in inner)
    if name == "first-child" and arg is None:
        return lambda e: _element_siblings(e)[:1] == [e]
    if name == "last-child" and arg is None:
        return lambda e: _element_siblings(e)[-1:] == [e]
    if name == "nth-child" and arg is not None and arg.strip().isdigit():
        index = int(arg) - 1
        return lambda e: 0 <= index < len(s := _element_siblings(e)) and s[index] is e
    if name == "checked" and arg is None:
        return lambda e: (
            ("checked" in e.attrs and e.tag == "input")
            or ("selected" in e.attrs and e.tag == "option")
        )
    if name == "disabled" and arg is None:
        return lambda e: e.tag in _INPUTS and "disabled" in e.attrs
    raise ValueError(f"selector {selector!r}: the pseudo-class :{name} is not supported")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)
