"""Statics repeated in a comprehension's entries are sent once, in a template table.

Every entry of a loop shares the loop body's statics, sent once in the comprehension's ``"s"``;
but a node inside an entry (a macro call or include compiled in place, an ``{% if %}``
branch, an inner loop) carries its own ``"s"`` each time it is sent whole, so 50 rows of one
macro would repeat the macro's markup 50 times. The LiveView client resolves an integer
``"s"`` inside a comprehension's entries from a table ``"p"`` on the comprehension:

    {"s": ["<li>", "</li>"], "p": {"0": ["<b>", "</b>"]},
     "k": {"0": {"0": {"s": 0, "0": "a"}}, "1": {"0": {"s": 0, "0": "b"}}, "kc": 2}}

``TabledForSlot`` rewrites what its loop sends so (in place: the dicts of a fresh render are
its own; the statics lists, shared with the compiled blocks, are not touched). Only statics
sent twice or more go to the table; a table goes on the outermost comprehension only, since
the client resolves everything below it from that one table (an inner table would be
ignored). Statics are matched by identity: a block's one list. A loop whose entries hold only
strings, the common case, pays nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jinja2.runtime import Context

from .functions import NestedSlot
from .prints import SAME, NodePrint, SlotPrint, SlotUpdate, WireNode, _Same
from .slots import Block, ForSlot, IfSlot
from .wire import KEYED, STATIC, TEMPLATES


class TabledForSlot(ForSlot):
    """An outermost loop whose entries hold nodes (an ``if``, a macro or include compiled in
    place, an inner loop): what it sends gets a template table. The compiler picks it; a loop
    whose entries hold only strings, or one inside another loop, stays a ``ForSlot``."""

    __slots__ = ()

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        super().full(ctx, out, prints)
        value = out[self.key]
        if type(value) is dict and KEYED in value:
            _table(value)

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        result = super().diff(ctx, changed, old)
        if result is not SAME and type(result[0]) is dict and KEYED in result[0]:
            _table(result[0])
        return result


def holds_nodes(body: Block) -> bool:
    """Whether a loop's entries may hold nodes (then they may repeat statics)."""
    return any(isinstance(step, (IfSlot, ForSlot, NestedSlot)) for step in body.steps)


def _nodes(entries: Iterable[Any], found: list[WireNode]) -> None:
    """Every node inside a comprehension's ``entries`` (the values of its ``k``: entries,
    moves, ``[old position, diff]``, the count), at any depth."""
    for entry in entries:
        if type(entry) is not dict:
            if type(entry) is not list:
                continue  # the count, the moved flag, a move without a diff
            entry = entry[1]
        if dict in map(type, entry.values()):  # most entries hold only strings: C speed
            _inside(entry, found)


def _inside(node: WireNode, found: list[WireNode]) -> None:
    for value in node.values():
        if type(value) is dict:
            found.append(value)
            if KEYED in value:
                _nodes(value[KEYED].values(), found)
            else:
                _inside(value, found)


def _table(comprehension: WireNode) -> None:
    nodes: list[WireNode] = []
    _nodes(comprehension[KEYED].values(), nodes)
    counts: dict[int, int] = {}
    for node in nodes:
        statics = node.get(STATIC)
        if type(statics) is list:
            counts[id(statics)] = counts.get(id(statics), 0) + 1
    numbers: dict[int, int] = {}
    table: dict[str, Any] = {}
    for node in nodes:
        statics = node.get(STATIC)
        if type(statics) is not list or counts[id(statics)] < 2:
            continue
        number = numbers.get(id(statics))
        if number is None:
            number = numbers[id(statics)] = len(numbers)
            table[str(number)] = statics
        node[STATIC] = number
    if table:
        comprehension[TEMPLATES] = table
