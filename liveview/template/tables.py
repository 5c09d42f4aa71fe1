"""Statics repeated in a comprehension's entries are sent once, in a template table.

Every entry of a loop shares the loop body's statics, sent once in the comprehension's ``"s"``;
but a node inside an entry (a macro call or include compiled in place, an ``{% if %}``
branch, an inner loop) carries its own ``"s"`` each time it is sent whole, so 50 rows of one
macro would repeat the macro's markup 50 times. The LiveView client (since 0.19) resolves an
integer ``"s"`` inside a comprehension's entries from a table ``"p"`` on the comprehension:

    {"s": ["<li>", "</li>"], "p": {"0": ["<b>", "</b>"]},
     "k": {"0": {"0": {"s": 0, "0": "a"}}, "1": {"0": {"s": 0, "0": "b"}}, "kc": 2}}

``share_statics`` rewrites a tree or diff so (in place: the dicts of a fresh render are its
own; the statics lists, shared with the compiled blocks, are not touched). Only statics sent
twice or more in one comprehension go to its table; a table goes on the outermost
comprehension only, since the client resolves everything below it from that one table (an
inner table would be ignored). Statics are matched by identity: a block's one list.
"""

from __future__ import annotations

from typing import Any

from .prints import WireNode
from .wire import COMPONENTS, KEYED, KEYED_COUNT, KEYED_MOVED, STATIC, TEMPLATES


def share_statics(node: WireNode) -> WireNode:
    """``node`` (a tree or a diff) with a table on each outermost comprehension whose entries
    repeat statics; returns ``node`` itself."""
    for key, value in node.items():
        if type(value) is dict and key != COMPONENTS:
            if KEYED in value:
                _table(value)
            else:
                share_statics(value)
    return node


def _entries(comprehension: WireNode) -> list[WireNode]:
    """The entry nodes (and the diffs of moved entries) a comprehension carries."""
    found: list[WireNode] = []
    for index, entry in comprehension[KEYED].items():
        if index in (KEYED_COUNT, KEYED_MOVED):
            continue
        if type(entry) is dict:
            found.append(entry)
        elif type(entry) is list:  # [old position, diff]
            found.append(entry[1])
    return found


def _nodes(entry: WireNode, found: list[WireNode]) -> None:
    """Every node inside ``entry``, at any depth (inner comprehensions and their entries)."""
    for key, value in entry.items():
        if type(value) is not dict or key == COMPONENTS:
            continue
        found.append(value)
        if KEYED in value:
            for inner in _entries(value):
                _nodes(inner, found)
        else:
            _nodes(value, found)


def _table(comprehension: WireNode) -> None:
    nodes: list[WireNode] = []
    for entry in _entries(comprehension):
        _nodes(entry, nodes)
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
