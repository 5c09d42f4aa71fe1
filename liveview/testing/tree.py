"""The client's model of a rendered tree: how it merges a diff, and the HTML it renders.

`merge_diff` applies a diff the way the official client's `Rendered.mergeDiff` does
(`rendered.js`, LiveView 1.2), and `to_html` renders a full tree the way its
`Rendered.toString` does; Phoenix keeps the same two halves together in
`Phoenix.LiveViewTest.Diff`. The keys a diff carries besides the tree (`e`, `t`, `r`) are
taken off first, by `extract`:

    tree = merge_diff(None, {"s": ["<p>", "</p>"], "0": "a"})
    diff, top = extract({"0": "b", "t": "New title"})
    tree = merge_diff(tree, diff)         # {"s": ["<p>", "</p>"], "0": "b"}
    to_html(tree)                         # "<p>b</p>";  top.title == "New title"

The merge is strict: where the real client would throw, render a tree it cannot render, show
`undefined`, or silently drop part of the diff, `merge_diff` raises `DiffRejected` saying where
and why. The rules (read from `rendered.js`; the client breaks where one does not hold):
- the first tree has statics `s` (else the client has no statics to render);
- a node without `s` merges into an old node; where there is none (a missing slot, a string, a
  component id, a new comprehension entry) the client would keep a node without statics;
- a node with `s`, and a new comprehension entry, fills every slot of its statics (a missing one
  renders as `undefined`), with strings, nodes or component ids; no slot lies past the statics;
- `k` goes only into a comprehension, and a comprehension takes only `k` (and `stream`);
- `k` carries `kc`; its entries lie below `kc`, every position new below it gets one, and
  each is a diff, an old position, or `[old position, diff]`;
- moves come with `km` (the client copies the old entries only then), each from an old position
  that exists, and no old position is the source of two moves (they would share one entry);
- an integer `s` points into a template table `p` in scope (the client resolves it when it
  renders; this model resolves it when it merges, so merged trees carry no `p`);
- components (`c`, at the top) merge by cid: with `s`, from an old component with the same cid,
  or sharing the statics of another one (integer `s`: a cid of this diff, or minus an old cid).

Every diff goes through JSON first, as on the wire; neither argument is modified. (The
project's conformance tests run the official client on each rule's example: it throws or shows
the wrong HTML on every one.) Streams the client applies to the DOM, not to this tree:
`StreamRows` plays that part, holding each stream's rows as the DOM would (`to_html(tree,
rows)` puts them in their containers). Not modelled: the pruning of destroyed components.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

import orjson

from liveview.template.wire import (
    COMPONENTS,
    EVENTS,
    KEYED,
    KEYED_COUNT,
    KEYED_MOVED,
    REPLY,
    STATIC,
    STREAM,
    TEMPLATES,
    TITLE,
    TOP_LEVEL_ONLY,
)
from liveview.testing.exceptions import DiffRejected

Tree = Mapping[str, Any]
Path = tuple[str, ...]


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


def merge_diff(tree: Mapping[str, Any] | None, diff: Mapping[str, Any]) -> dict[str, Any]:
    """The tree the client holds after merging `diff` into `tree` (`None` before the join).

    Raises `DiffRejected` where the real client would break (see the module's docstring); the
    top-level keys `e`, `t` and `r` must have been taken off (`extract`).
    """
    source = _through_json(diff)
    for key in TOP_LEVEL_ONLY:
        if key in source:
            raise DiffRejected((), f"top-level key {key!r} left in; take it off with extract()")
    new_components = source.pop(COMPONENTS, None)
    source = _resolved(source, None, ())
    components: dict[str, Any]
    if tree is None or STATIC in source:
        if STATIC not in source:
            raise DiffRejected((), "the first tree has no statics `s`")
        _check_node(source, ())
        merged, components = source, {}  # a new root drops the old components, as the client
    else:
        merged = _through_json(tree)
        components = merged.pop(COMPONENTS, None) or {}
        merged = _resolved(merged, None, ())
        _merge_node(merged, source, ())
    if new_components is not None:
        components = _merge_components(components, new_components)
    if components:
        merged[COMPONENTS] = components
    return merged


def _merge_node(
    target: dict[str, Any], source: dict[str, Any], path: Path, slots: int | None = None
) -> None:
    """Merge a diff without statics into an old node (or comprehension entry, whose `slots`
    come from the comprehension's statics)."""
    if KEYED in source:
        if KEYED not in target:
            raise DiffRejected(path, "a comprehension diff (`k`) for a node without `k`")
        _merge_keyed(target, source, path)
        return
    if KEYED in target and source:
        raise DiffRejected(path, "slots merged into a comprehension (the client ignores them)")
    if slots is None:
        slots = _slot_count(target)
    for key, value in source.items():
        here = (*path, key)
        if key.isdigit() and slots is not None and int(key) >= slots:
            raise DiffRejected(here, f"no such slot: the statics have {slots}")
        old = target.get(key)
        if isinstance(value, dict) and STATIC not in value:
            if not isinstance(old, dict):
                raise DiffRejected(here, f"a node without statics `s`, and no old node ({old!r})")
            _merge_node(old, value, here)
            continue
        if key.isdigit():
            _check_slot(value, here)
        target[key] = value


def _merge_keyed(target: dict[str, Any], source: dict[str, Any], path: Path) -> None:
    here = (*path, KEYED)
    changes, entries = source[KEYED], target[KEYED]
    extra = set(source) - {KEYED, STREAM}
    if extra:
        raise DiffRejected(path, f"keys {sorted(extra)} next to `k` (the client ignores them)")
    if not isinstance(changes, dict):
        raise DiffRejected(here, f"`k` is not a dict of entries: {changes!r}")
    count = changes.get(KEYED_COUNT)
    if type(count) is not int or count < 0:
        raise DiffRejected(here, f"`kc` missing or not a count: {count!r}")
    old_count, slots = entries[KEYED_COUNT], _slot_count(target)
    snapshot = _through_json(entries) if changes.get(KEYED_MOVED) else None
    moved_from: set[int] = set()
    for index, entry in changes.items():
        if index in (KEYED_COUNT, KEYED_MOVED):
            continue
        at = (*here, index)
        if not index.isdigit() or int(index) >= count:
            raise DiffRejected(at, f"an entry at a position that is not below `kc` ({count})")
        if isinstance(entry, dict):  # a diff for the entry at this position
            _merge_node(entries.setdefault(index, {}), entry, at, slots)
            if int(index) >= old_count:  # a new entry: nothing old to fill its slots
                _check_slots(entries[index], slots, at)
            continue
        old_index, change = _move(entry, at)
        if snapshot is None:
            raise DiffRejected(at, "a move without `km` (the client copies old entries only then)")
        if not 0 <= old_index < old_count:
            raise DiffRejected(at, f"a move from old position {old_index}, of {old_count}")
        if old_index in moved_from:
            raise DiffRejected(at, f"a second move from old position {old_index} (shared entry)")
        moved_from.add(old_index)
        entries[index] = snapshot[str(old_index)]
        if change is not None:
            _merge_node(entries[index], change, at, slots)
    for index in range(old_count, count):
        if str(index) not in entries:
            raise DiffRejected((*here, str(index)), "a new position without an entry")
    for index in range(count, old_count):
        entries.pop(str(index), None)
    entries[KEYED_COUNT] = count
    if STREAM in source:
        target[STREAM] = source[STREAM]


def _move(entry: Any, at: Path) -> tuple[int, dict[str, Any] | None]:
    """An entry that is a move: its old position, and its diff if any."""
    if type(entry) is int:
        return entry, None
    if isinstance(entry, list) and len(entry) == 2:
        old_index, change = entry
        if type(old_index) is int and isinstance(change, dict):
            return old_index, change
    raise DiffRejected(at, f"not a diff, an old position or [old position, diff]: {entry!r}")


def _merge_components(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The client's component table after a diff's `c`."""
    found: dict[str, dict[str, Any]] = {}

    def find(cid: str, seen: tuple[str, ...]) -> dict[str, Any]:
        if cid in found:
            return found[cid]
        at = (COMPONENTS, cid)
        if cid in seen:
            raise DiffRejected(at, "components share statics in a cycle")
        shared = new[cid].get(STATIC)
        change = {k: v for k, v in new[cid].items() if k != STATIC or type(v) is not int}
        change = _resolved(change, None, at)
        if type(shared) is int:  # the statics of another component: of this diff, or old
            if shared > 0 and str(shared) in new:
                base = find(str(shared), (*seen, cid))
            elif shared < 0 and str(-shared) in old:
                base = old[str(-shared)]
            else:
                raise DiffRejected(at, f"statics shared with component {shared}, not there")
            tree = _through_json(base)
            _merge_node(tree, change, at)
        elif STATIC in change:
            _check_node(change, at)
            tree = change
        elif cid in old:
            tree = _through_json(old[cid])
            _merge_node(tree, change, at)
        else:
            raise DiffRejected(at, "a component without statics `s`, and no old one")
        found[cid] = tree
        return tree

    for cid in new:
        find(cid, ())
    return {**old, **found}


# --- resolving template tables, checking new nodes ---------------------------------------------


def _resolved(node: dict[str, Any], templates: Any, path: Path) -> dict[str, Any]:
    """`node` with every integer `s` replaced by its statics from the table `p` in scope (as the
    client's render looks them up), and the tables dropped."""
    own, keyed = node.get(TEMPLATES), node.get(KEYED)
    resolved = {key: value for key, value in node.items() if key != TEMPLATES}
    if isinstance(keyed, dict):
        if STATIC in node:  # a comprehension's own statics come from the outer table
            resolved[STATIC] = _from_table(node[STATIC], templates, path)
        entry_templates = templates or own
        resolved[KEYED] = {
            index: _resolved_entry(entry, entry_templates, (*path, KEYED, index))
            for index, entry in keyed.items()
        }
        return resolved
    if own is not None:
        templates = own
    if STATIC in node:
        resolved[STATIC] = _from_table(node[STATIC], templates, path)
    return _resolved_slots(resolved, templates, path)


def _resolved_entry(entry: Any, templates: Any, path: Path) -> Any:
    if isinstance(entry, dict):
        return _resolved_slots(entry, templates, path)
    if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], dict):
        return [entry[0], _resolved_slots(entry[1], templates, path)]
    return entry


def _resolved_slots(node: dict[str, Any], templates: Any, path: Path) -> dict[str, Any]:
    return {
        key: _resolved(value, templates, (*path, key)) if isinstance(value, dict) else value
        for key, value in node.items()
    }


def _from_table(statics: Any, templates: Any, path: Path) -> Any:
    if type(statics) is not int:
        return statics
    if not isinstance(templates, dict) or str(statics) not in templates:
        raise DiffRejected(path, f"statics {statics} point into a template table `p` not there")
    return templates[str(statics)]


def _check_node(node: dict[str, Any], path: Path) -> None:
    """A node that arrives whole: statics, and every slot filled, all the way down."""
    slots = _slot_count(node)
    if KEYED not in node:
        _check_slots(node, slots, path)
        return
    entries = node[KEYED]
    count = entries.get(KEYED_COUNT) if isinstance(entries, dict) else None
    if type(count) is not int or count < 0:
        raise DiffRejected((*path, KEYED), f"`kc` missing or not a count: {count!r}")
    for index in entries:
        if index not in (KEYED_COUNT, KEYED_MOVED) and not (index.isdigit() and int(index) < count):
            raise DiffRejected((*path, KEYED, index), f"an entry not below `kc` ({count})")
    for index in range(count):
        at = (*path, KEYED, str(index))
        entry = entries.get(str(index))
        if not isinstance(entry, dict):
            raise DiffRejected(at, f"entry {index} of {count} missing or not a dict of slots")
        _check_slots(entry, slots, at)


def _check_slots(values: dict[str, Any], slots: int | None, path: Path) -> None:
    if slots is None:
        raise DiffRejected(path, "a node without statics `s`, and no old node")
    for key in values:
        if key.isdigit() and int(key) >= slots:
            raise DiffRejected((*path, key), f"no such slot: the statics have {slots}")
    for index in range(slots):
        if str(index) not in values:
            raise DiffRejected((*path, str(index)), "slot missing (the client shows `undefined`)")
        _check_slot(values[str(index)], (*path, str(index)))


def _check_slot(value: Any, path: Path) -> None:
    if isinstance(value, dict):
        if STATIC not in value:
            raise DiffRejected(path, "a node without statics `s`, and no old node")
        _check_node(value, path)
    elif not isinstance(value, str) and type(value) is not int:
        raise DiffRejected(path, f"a slot holds {value!r}, not a string, node or component id")


def _slot_count(node: Mapping[str, Any]) -> int | None:
    statics = node.get(STATIC)
    return len(statics) - 1 if isinstance(statics, list) else None


def _through_json(value: Mapping[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = orjson.loads(orjson.dumps(value))
    return copied


# --- rendering a tree to HTML ------------------------------------------------------------------


def to_html(tree: Tree, rows: StreamRows | None = None) -> str:
    """The HTML the client renders from a full tree (as sent at join).

    Statics are interleaved with slot values; comprehensions repeat their statics for entries
    `0..kc-1`; template tables (`p`, integer `s`) and components (integer slot values, looked
    up in `c`) are resolved. The client's bookkeeping attributes (`data-phx-id`,
    `data-phx-component`...) are not added. JavaScript's rendering of stray values is kept:
    a missing slot is `undefined`, `None` is `null`, booleans `true`/`false`.
    """
    parts: list[str] = []
    components = tree.get(COMPONENTS) or {}
    _node(tree, None, components, parts, rows)
    return "".join(parts)


def component_of(tree: Tree, element_id: str) -> int | None:
    """The cid of the live component whose own markup holds the element with id
    `element_id` (the one the client's `phx-target="#id"` resolves to), None if the page's
    own markup does; `LookupError` if no element has that id."""
    components = tree.get(COMPONENTS) or {}
    empty = {cid: {STATIC: [""]} for cid in components}  # nested components left out
    pattern = re.compile(r"""\sid\s*=\s*(?:"%s"|'%s'|%s[\s>/])""" % ((re.escape(element_id),) * 3))
    page: list[str] = []
    _node(tree, None, empty, page)
    if pattern.search("".join(page)):
        return None
    for cid, component in components.items():
        own: list[str] = []
        _node(component, None, empty, own)
        if pattern.search("".join(own)):
            return int(cid)
    raise LookupError(f"no element with id {element_id!r} on the page")


def _node(
    node: Tree, templates: Any, components: Tree, parts: list[str], rows: StreamRows | None = None
) -> None:
    if KEYED in node:
        if rows is not None and STREAM in node:
            parts.extend(html for _, html in rows.rows.get(node[STREAM][0], ()))
            return
        keyed = node[KEYED]
        statics = _statics(node[STATIC], templates)
        entry_templates = templates or node.get(TEMPLATES)
        for index in range(keyed[KEYED_COUNT]):
            _dynamics(keyed[str(index)], statics, entry_templates, components, parts, rows)
        return
    if TEMPLATES in node:
        templates = node[TEMPLATES]
    _dynamics(node, _statics(node[STATIC], templates), templates, components, parts, rows)


def _statics(statics: Any, templates: Any) -> list[str]:
    if isinstance(statics, int) and not isinstance(statics, bool):
        return list(templates[str(statics)] if str(statics) in templates else templates[statics])
    return list(statics)


def _dynamics(
    values: Tree,
    statics: list[str],
    templates: Any,
    components: Tree,
    parts: list[str],
    rows: StreamRows | None = None,
) -> None:
    last = len(statics) - 1
    for index in range(last):
        parts.append(statics[index])
        _value(values.get(str(index)), templates, components, parts, str(index) in values, rows)
    parts.append(statics[last])


def _value(
    value: Any,
    templates: Any,
    components: Tree,
    parts: list[str],
    present: bool,
    rows: StreamRows | None = None,
) -> None:
    if isinstance(value, str):
        parts.append(value)
    elif isinstance(value, Mapping):
        _node(value, templates, components, parts, rows)
    elif isinstance(value, bool):
        parts.append("true" if value else "false")
    elif isinstance(value, (int, float)):
        cid = str(int(value))
        if cid not in components:
            raise ValueError(f"Cannot continue render due to missing component: {cid}")
        component = components[cid]
        _node(component, None, components, parts, rows)
    elif value is None:
        parts.append("null" if present else "undefined")
    else:
        parts.append(str(value))


# --- streams: the rows the DOM keeps -----------------------------------------------------------

_ROOT_ID = re.compile(r"""\s*<[A-Za-z][^\s/>]*[^>]*?\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


class StreamRows:
    """The rows of each stream (by ref) as the client's DOM patch leaves them: each diff's
    `stream` entries applied as `dom_patch.ts` applies them (reset and deletes first, then each
    new entry inserted at its `at`, an existing row updated where it is, `update_only` adding
    only a row this patch removed, `limit` trimming after each new row, and a row it trimmed
    not added back in the same patch), and the comprehension then emptied, as the client
    empties it (`k` back to `{"kc": 0}`). Checked against the official client in Chromium
    (`tests/e2e/test_stream_conformance.py`)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[str, str]]] = {}

    def take(self, tree: dict[str, Any]) -> None:
        """Apply the stream entries of a merged `tree` (changed in place) to the rows."""
        components = tree.get(COMPONENTS) or {}
        self._walk(tree, None, components)
        for component in components.values():
            self._walk(component, None, components)

    def _walk(self, node: dict[str, Any], templates: Any, components: Tree) -> None:
        if TEMPLATES in node and KEYED not in node:
            templates = node[TEMPLATES]
        if KEYED in node:
            entry_templates = templates or node.get(TEMPLATES)
            if STREAM in node:
                self._apply(node, entry_templates, components)
            for key, entry in node[KEYED].items():
                if key != KEYED_COUNT and isinstance(entry, dict):
                    self._walk(entry, entry_templates, components)
            return
        for key, value in node.items():
            if key.isdigit() and isinstance(value, dict):
                self._walk(value, templates, components)

    def _apply(self, node: dict[str, Any], templates: Any, components: Tree) -> None:
        ref, inserts, deletes, *reset = node[STREAM]
        keyed = node[KEYED]
        count = keyed[KEYED_COUNT]
        if not (count or deletes or reset):
            return
        rows = self.rows.setdefault(str(ref), [])
        options = {insert[0]: insert for insert in inserts}  # the client's map: later ones win
        # rows this patch removes, kept by the client to add back (even `update_only`)
        removed = {row[0] for row in rows} if reset else set()
        if reset:
            rows.clear()
        if deletes:
            gone = set(deletes)
            removed.update(row[0] for row in rows if row[0] in gone)
            rows[:] = [row for row in rows if row[0] not in gone]
        held = {row[0] for row in rows}
        trimmed: set[str] = set()  # by a limit: the client does not add them back in this patch
        statics = _statics(node[STATIC], templates)
        for index in range(count):
            parts: list[str] = []
            _dynamics(keyed[str(index)], statics, templates, components, parts, self)
            html = "".join(parts)
            match = _ROOT_ID.match(html)
            if match is None:
                raise DiffRejected((STREAM, str(index)), f"a stream entry without an id: {html!r}")
            dom_id = next(group for group in match.groups() if group is not None)
            _, at, limit, update_only = options.get(dom_id, (dom_id, -1, None, False))
            if dom_id in trimmed:
                continue
            if dom_id in held:  # updated where it is
                where = next(i for i, row in enumerate(rows) if row[0] == dom_id)
                rows[where] = (dom_id, html)
                continue
            if update_only and dom_id not in removed:
                continue
            held.add(dom_id)
            if at == -1 or at >= len(rows):
                rows.append((dom_id, html))
            else:
                rows.insert(at, (dom_id, html))
            if limit is not None:
                if limit < 0 and len(rows) > -limit:
                    cut = len(rows) + limit
                elif limit >= 0 and len(rows) > limit:
                    cut = limit
                else:
                    continue
                kept, dropped = (rows[cut:], rows[:cut]) if limit < 0 else (rows[:cut], rows[cut:])
                gone = {row[0] for row in dropped}
                held -= gone
                trimmed |= gone
                rows[:] = kept
        node[KEYED] = {KEYED_COUNT: 0}
        node[STREAM] = [ref, [], []]
