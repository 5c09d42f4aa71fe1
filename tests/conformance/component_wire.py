"""Facts about the wire format of live components, checked on every message as sent.

- a component's slot holds its cid: a JSON integer (never a float, a boolean or a string of
  HTML);
- a diff re-sends nothing the client holds: each string or cid it sends into a node the client
  has (the page's or a component's) differs from the one there -- so a changed component's
  diff carries only its changed slots. (A subtree with statics is a new node, not checked: the
  engine sends one whenever a conditional switches branch, even to a branch whose statics are
  the same text, and a subtree whose statics change has changed.)

Whether a component is sent at all (nothing for one whose assigns did not change) needs the
model of its assigns, so ``component_checker`` checks that.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from liveview.template.wire import COMPONENTS, KEYED, KEYED_COUNT, KEYED_MOVED, STATIC

Path = tuple[str, ...]

_NOTHING = object()


def bad_slot_values(message: Mapping[str, Any]) -> Iterator[tuple[Path, Any]]:
    """Slot values that are neither a string, a node, nor an integer cid."""
    yield from _bad_in_node(message, ())
    for cid, component in (message.get(COMPONENTS) or {}).items():
        yield from _bad_in_node(component, (COMPONENTS, cid))


def _bad_in_node(node: Mapping[str, Any], path: Path) -> Iterator[tuple[Path, Any]]:
    for key, value in node.items():
        if key == KEYED:
            for index, entry in value.items():
                if index in (KEYED_COUNT, KEYED_MOVED):
                    continue
                if isinstance(entry, list):  # [old position, diff]
                    entry = entry[1]
                if isinstance(entry, dict):
                    yield from _bad_in_node(entry, (*path, KEYED, index))
        elif key.isdigit():
            if isinstance(value, dict):
                yield from _bad_in_node(value, (*path, key))
            elif not isinstance(value, str) and type(value) is not int:
                yield (*path, key), value


def resent(held: Any, diff: Mapping[str, Any], path: Path = ()) -> Iterator[Path]:
    """Where ``diff`` (merged into the node ``held``, as the client holds it) sends a value
    equal to the one already there."""
    if STATIC in diff or not isinstance(held, Mapping):
        return  # a new node: everything in it is new
    if KEYED in diff:
        entries = held.get(KEYED)
        if not isinstance(entries, Mapping):
            return
        for index, entry in diff[KEYED].items():
            if index in (KEYED_COUNT, KEYED_MOVED) or isinstance(entry, int):
                continue
            source = index
            if isinstance(entry, list):  # moved, with a diff against its old position
                source, entry = str(entry[0]), entry[1]
            old = entries.get(source)
            if isinstance(old, Mapping):
                yield from _resent_slots(old, entry, (*path, KEYED, index))
        return
    yield from _resent_slots(held, diff, path)


def _resent_slots(held: Mapping[str, Any], diff: Mapping[str, Any], path: Path) -> Iterator[Path]:
    for key, value in diff.items():
        if not key.isdigit():
            continue
        old = held.get(key, _NOTHING)
        if isinstance(value, Mapping):
            yield from resent(old, value, (*path, key))
        elif type(value) is type(old) and value == old:
            yield (*path, key)
