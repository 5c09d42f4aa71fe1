"""Moves in a comprehension diff: send "take old entry j" instead of re-sending an entry.

Loops are index-keyed (entry *i* is diffed against entry *i*), so one item put at the front
of a list changes every entry after it. The client can build an entry from any old entry: a
number ``j`` copies old entry ``j``, ``[j, diff]`` copies it and merges ``diff`` (``"km": true``
announces moves). ``with_moves`` rewrites the entries of an index-keyed diff as such moves
where they are smaller on the wire, so a prepend to a list costs one entry and a few numbers,
as in a list keyed by hand, without the template naming keys.

Which old entry: one equal to the new entry (found through a table of frozen prints), else
the old entry at the same offset as the previous move (an insertion or removal shifts a run of
entries by one offset), else the neighbours ``i ± 1``. Each old entry is a source at most once:
the client copies moved entries by reference from one snapshot, so two entries moved from the
same source would share one object and a later diff to one would change both.
"""

from __future__ import annotations

from typing import Any, Protocol

import orjson

from .prints import SAME, NodePrint, WireNode, _Same
from .wire import KEYED_MOVED

GUESSES = 2
"""Entries whose neighbours were tried in vain (with no move before them to follow) after
which a diff stops trying neighbours."""

_FLAG_COST = len(f',"{KEYED_MOVED}":true')


class EntryBody(Protocol):
    def diff_prints(self, old: NodePrint, new: NodePrint) -> WireNode | _Same: ...


def _freeze(printed: NodePrint) -> tuple[Any, ...]:
    """A hashable copy of a print (nested prints are lists too)."""
    return tuple(_freeze(part) if type(part) is list else part for part in printed)


def _key(printed: NodePrint) -> tuple[Any, ...]:
    """``_freeze`` with a fast path for the common entry print of strings only."""
    key = tuple(printed)
    try:
        hash(key)
    except TypeError:
        return _freeze(printed)
    return key


def _size(value: Any) -> int:
    return len(orjson.dumps(value))


def _smaller(move: list[Any], current: WireNode) -> bool:
    """Whether ``move`` (``[j, changes]``) encodes shorter than the entry diff ``current``."""
    return len(move[1]) <= len(current) and _size(move) < _size(current)


def _may_move(
    index: int, diff: WireNode, old: list[NodePrint], new: list[NodePrint], body: EntryBody
) -> bool:
    """Whether entry ``index`` could be a move: it equals an old entry, or is closer to a
    neighbour than to the old entry in its place. Probed on the first and the last changed
    entry (an insertion, a removal or a rotation moves one of them), so that a diff whose entries
    all changed in place (a ticker) gives up at once."""
    entry, current = new[index], diff[str(index)]
    if entry in old:
        return True
    for at in (index - 1, index + 1):
        if 0 <= at < len(old):
            changes = body.diff_prints(old[at], entry)
            if changes is not SAME and _smaller([at, changes], current):
                return True
    return False


def with_moves(diff: WireNode, old: list[NodePrint], new: list[NodePrint], body: EntryBody) -> None:
    """Rewrite the entries in ``diff`` (the ``"k"`` object of an index-keyed diff from prints
    ``old`` to ``new``) as moves where that makes the diff smaller; adds ``"km"`` if any."""
    changed = [int(name) for name in diff]  # in index order
    if not any(_may_move(index, diff, old, new, body) for index in {changed[0], changed[-1]}):
        return
    sources = _exact_sources(changed, old, new)
    used = set(sources.values())
    moves: dict[int, Any] = dict(sources)
    shift: int | None = None
    misses = 0
    for index in changed:  # entries with no equal old entry: an old one with fewer differences
        if index in sources:
            shift = sources[index] - index
            continue
        if shift is None:
            if misses >= GUESSES:
                continue
            candidates: tuple[int, ...] = (index + 1, index - 1)
        else:
            candidates = (index + shift,)
        current = diff[str(index)]
        best: list[Any] | None = None
        for at in candidates:
            if at == index or not 0 <= at < len(old) or at in used:
                continue
            changes = body.diff_prints(old[at], new[index])
            if changes is SAME:  # equal: had it been free, _exact_sources would have taken it
                continue
            move = [at, changes]
            if _smaller(move, current) and (best is None or _size(move) < _size(best)):
                best = move
        if best is not None:
            moves[index] = best
            used.add(best[0])
            shift = best[0] - index
        elif shift is None:
            misses += 1
    saved = 0
    for index, move in moves.items():  # the flag must cost less than the moves save
        size = len(str(move)) if type(move) is int else _size(move)
        saved += _size(diff[str(index)]) - size
        if saved > _FLAG_COST:
            break
    else:
        return
    for index, move in moves.items():
        diff[str(index)] = move
    diff[KEYED_MOVED] = True


def _exact_sources(
    changed: list[int], old: list[NodePrint], new: list[NodePrint]
) -> dict[int, int]:
    """For each changed entry equal to an old entry, that old entry's index (each used once):
    first the one at the offset of the previous match, else any (through a table)."""
    sources: dict[int, int] = {}
    used: set[int] = set()
    table: dict[tuple[Any, ...], list[int]] | None = None
    shift: int | None = None
    for index in changed:
        entry = new[index]
        source: int | None = None
        if shift is not None:
            at = index + shift
            if 0 <= at < len(old) and at not in used and old[at] == entry:
                source = at
        if source is None:
            if table is None:
                table = {}
                for at, printed in enumerate(old):
                    table.setdefault(_key(printed), []).append(at)
            source = next((at for at in table.get(_key(entry), ()) if at not in used), None)
        if source is not None:
            sources[index] = source
            used.add(source)
            shift = source - index
    return sources
