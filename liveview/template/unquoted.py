"""Unquoted attribute values: a value cannot end its attribute or begin another one.

In ``<a title={{ x }}>`` the value ends at the first space or ``>``, so escaping ``& < > " '``
alone lets ``x = "a onclick=alert(1)"`` add an attribute. The compiler knows which expressions
land in an unquoted value (``htmlscan``) and compiles them as the slots of this module, which
render the same text in the dead render, the join and every diff:

- an expression that is the whole value (``title={{ x }}`` then a space or ``>``) renders
  quoted: ``title="a onclick=alert(1)"``, the quotes being part of the slot's text. So an empty
  value stays a value: ``<input value={{ v }} disabled>`` with ``v = ""`` is
  ``value="" disabled``, not ``value="disabled"``;
- an expression that is part of a value (``class=btn-{{ kind }}``) has what would end the value
  or begin another written as character references (whitespace, ``=``, the backtick), beside
  the ``& < > " '`` every slot escapes; the browser reads the same value back.

Only a value made of expressions and blocks alone (``title={{ a }}{{ b }}``), all of them
empty, can still leave the value empty, so that the next attribute reads as its value. Quote
such attributes in the template. ``Markup`` is trusted here as everywhere (its maker vouched
for it), and so is what Jinja renders itself (macros, ``include``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from jinja2.runtime import Context

from .codegen import Evaluator
from .escape import to_text
from .prints import SAME, NodePrint, SlotPrint, SlotUpdate, WireNode, _Same
from .slots import ExprSlot, StepFacts
from .urls import UrlSlot

_IN_VALUE = str.maketrans(
    {
        "\t": "&#9;",
        "\n": "&#10;",
        "\f": "&#12;",
        "\r": "&#13;",
        " ": "&#32;",
        "=": "&#61;",
        "`": "&#96;",
    }
)


def in_value(text: str, whole: bool) -> str:
    """Slot ``text`` (HTML, escaped already) as it goes in an unquoted value: quoted when it is
    the ``whole`` value, else with what would end the value written as references."""
    if whole:
        return f'"{text}"'
    return text.translate(_IN_VALUE)


class _InValue(ExprSlot):
    """What both slots share: ``full``, ``diff`` and ``html`` through ``text``."""

    __slots__ = ()

    whole: bool
    """The expression is the whole value (the compiler sets it once it has read what follows):
    it renders quoted."""

    def text(self, value: Any) -> str:
        return in_value(to_text(value), self.whole)

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        text = self.text(self.evaluate(ctx))
        out[self.key] = text
        prints[self.position] = text

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        text = self.text(self.evaluate(ctx))
        return SAME if text == old else (text, text)

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        parts.append(statics[self.index])
        parts.append(self.text(self.evaluate(ctx)))


class UnquotedSlot(_InValue):
    """``{{ expression }}`` in an unquoted attribute value."""

    __slots__ = ("whole",)

    def __init__(self, evaluate: Evaluator, facts: StepFacts) -> None:
        super().__init__(evaluate, facts)
        self.whole = False


class UnquotedUrlSlot(_InValue, UrlSlot):
    """``{{ expression }}`` that can begin an unquoted URL value (``href={{ url }}``): its
    scheme is checked (``UrlSlot``), then it is kept inside the value."""

    __slots__ = ("whole",)

    def __init__(
        self,
        evaluate: Evaluator,
        facts: StepFacts,
        attributes: Sequence[str],
        heads: Sequence[str],
        where: str,
    ) -> None:
        UrlSlot.__init__(self, evaluate, facts, attributes, heads, where)
        self.whole = False

    def text(self, value: Any) -> str:
        return in_value(UrlSlot.text(self, value), self.whole)
