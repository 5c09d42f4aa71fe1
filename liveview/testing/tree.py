"""The client's model of a rendered tree: how it merges a diff, and the HTML it renders.

`merge_diff` applies a diff the way the official client's `Rendered.mergeDiff` does, and
`to_html` renders a full tree the way its `Rendered.toString` does (Phoenix keeps the same two
halves together in `Phoenix.LiveViewTest.Diff`). The top-level keys a diff may carry besides
the tree (`e`, `t`, `r`) are taken off first, by `extract`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, NamedTuple

from liveview.template.wire import (
    COMPONENTS,
    EVENTS,
    KEYED,
    KEYED_COUNT,
    KEYED_MOVED,
    REPLY,
    STATIC,
    TEMPLATES,
    TITLE,
)

Tree = Mapping[str, Any]


# --- the top-level keys ------------------------------------------------------------------------


class TopLevel(NamedTuple):
    """What a diff carries besides the tree: pushed events, a new title, a hook's reply."""

    events: list[Any]
    title: str | None
    reply: Any


def extract(diff: Mapping[str, Any]) -> tuple[dict[str, Any], TopLevel]:
    """Split a diff into the part merged into the tree and its top-level keys."""
    rest = dict(diff)
    events = rest.pop(EVENTS, None) or []
    title = rest.pop(TITLE, None)
    reply = rest.pop(REPLY, None)
    return rest, TopLevel(list(events), title if isinstance(title, str) else None, reply)


# --- merging a diff ----------------------------------------------------------------------------


def merge_diff(tree: dict[str, Any] | None, diff: dict[str, Any]) -> dict[str, Any]:
    """Merge a diff into a rendered tree the way the official client does (top-level keys
    `e`, `t` and `r` must have been removed by the caller, see `extract`)."""
    if tree is None or STATIC in diff:
        return copy.deepcopy(diff)
    _merge(tree, copy.deepcopy(diff))
    return tree


def _merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    if KEYED in source:
        _merge_keyed(target, source)
        return
    for key, value in source.items():
        old = target.get(key)
        if isinstance(value, dict) and STATIC not in value and isinstance(old, dict):
            _merge(old, value)
        else:
            target[key] = value


def _merge_keyed(target: dict[str, Any], source: dict[str, Any]) -> None:
    entries = source[KEYED]
    current = target.setdefault(KEYED, {KEYED_COUNT: 0})
    before = copy.deepcopy(current) if entries.get(KEYED_MOVED) else {}
    for index, entry in entries.items():
        if index in (KEYED_COUNT, KEYED_MOVED):
            continue
        if isinstance(entry, list):
            moved = copy.deepcopy(before[str(entry[0])])
            _merge(moved, entry[1])
            current[index] = moved
        elif isinstance(entry, int):
            current[index] = copy.deepcopy(before[str(entry)])
        else:
            _merge(current.setdefault(index, {}), entry)
    count = entries[KEYED_COUNT]
    for index in range(count, current.get(KEYED_COUNT, 0)):
        current.pop(str(index), None)
    current[KEYED_COUNT] = count


# --- rendering a tree to HTML ------------------------------------------------------------------


def to_html(tree: Tree) -> str:
    """The HTML the client renders from a full tree (as sent at join).

    Statics are interleaved with slot values; comprehensions repeat their statics for entries
    `0..kc-1`; template tables (`p`, integer `s`) and components (integer slot values, looked
    up in `c`) are resolved. The client's bookkeeping attributes (`data-phx-id`,
    `data-phx-component`...) are not added. JavaScript's rendering of stray values is kept:
    a missing slot is `undefined`, `None` is `null`, booleans `true`/`false`.
    """
    parts: list[str] = []
    components = tree.get(COMPONENTS) or {}
    _node(tree, None, components, parts)
    return "".join(parts)


def _node(node: Tree, templates: Any, components: Tree, parts: list[str]) -> None:
    if KEYED in node:
        keyed = node[KEYED]
        statics = _statics(node[STATIC], templates)
        entry_templates = templates or node.get(TEMPLATES)
        for index in range(keyed[KEYED_COUNT]):
            _dynamics(keyed[str(index)], statics, entry_templates, components, parts)
        return
    if TEMPLATES in node:
        templates = node[TEMPLATES]
    _dynamics(node, _statics(node[STATIC], templates), templates, components, parts)


def _statics(statics: Any, templates: Any) -> list[str]:
    if isinstance(statics, int) and not isinstance(statics, bool):
        return list(templates[str(statics)] if str(statics) in templates else templates[statics])
    return list(statics)


def _dynamics(
    values: Tree, statics: list[str], templates: Any, components: Tree, parts: list[str]
) -> None:
    last = len(statics) - 1
    for index in range(last):
        parts.append(statics[index])
        _value(values.get(str(index)), templates, components, parts, str(index) in values)
    parts.append(statics[last])


def _value(value: Any, templates: Any, components: Tree, parts: list[str], present: bool) -> None:
    if isinstance(value, str):
        parts.append(value)
    elif isinstance(value, Mapping):
        _node(value, templates, components, parts)
    elif isinstance(value, bool):
        parts.append("true" if value else "false")
    elif isinstance(value, (int, float)):
        cid = str(int(value))
        if cid not in components:
            raise ValueError(f"Cannot continue render due to missing component: {cid}")
        component = components[cid]
        _node(component, None, components, parts)
    elif value is None:
        parts.append("null" if present else "undefined")
    else:
        parts.append(str(value))
