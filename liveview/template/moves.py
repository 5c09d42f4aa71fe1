"""Moves in a comprehension diff: send "take old entry j" instead of re-sending an entry.

Loops are index-keyed (entry *i* is diffed against entry *i*), so one item put at the front
of a list changes every entry after it. The client can build an entry from any old entry: a
number ``j`` copies old entry ``j``, ``[j, diff]`` copies it and merges ``diff`` (``"km": true``
announces moves). ``with_moves`` rewrites the entries of an index-keyed diff as such moves
where they are smaller on the wire, so a prepend to a list costs one entry and a few numbers,
as in a list keyed by hand, without the template naming keys. It works in four steps:

1. Probe (``_probe``): the first and the last changed entry are tried as moves; if neither
   could be one, the entries changed in place (a ticker) and the diff is left as it is.
2. Exact sources (``_exact_sources``), when a probed entry equals an old one: for each changed
   entry, an old entry equal to it: the one at the offset of the previous match if it is, else
   one found through a table of frozen prints.
3. Near sources (``_near_sources``): for the other changed entries, the old entry at the same
   offset as the previous move (an insertion or removal shifts a run of entries by one
   offset), else the neighbours ``i ± 1``, sent as ``[j, diff]`` where that is smaller.
4. Cost (``_worth_flagging``): the moves are sent only if they save more than the
   ``"km": true`` flag costs.

Each old entry is a source at most once: the client copies moved entries by reference from
one snapshot, so two entries moved from the same source would share one object and a later
diff to one would change both.
"""

from __future__ import annotations

from typing import Any, Protocol

import orjson

from .prints import SAME, NodePrint, WireNode, _Same
from .wire import KEYED_MOVED

MAX_FRUITLESS_NEIGHBOUR_PROBES = 2
"""Entries whose neighbours were tried in vain (with no move before them to follow) after
which a diff stops trying neighbours."""

_FLAG_COST = len(f',"{KEYED_MOVED}":true')

Move = int | list[Any]
"""An entry sent as a move: ``j`` (old entry ``j`` as it is) or ``[j, diff]``."""


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


class _Sizes:
    """The encoded size of each changed entry's index-keyed diff, measured once when needed
    (the probe, the near sources and the flag's cost all ask)."""

    __slots__ = ("_diff", "_known")

    def __init__(self, diff: WireNode) -> None:
        self._diff = diff
        self._known: dict[int, int] = {}

    def __getitem__(self, index: int) -> int:
        size = self._known.get(index)
        if size is None:
            size = self._known[index] = _size(self._diff[str(index)])
        return size


def _move_size_if_smaller(move: list[Any], current: WireNode, current_size: int) -> int | None:
    """The encoded size of ``move`` (``[j, changes]``) if it is shorter than the entry diff
    ``current`` (of ``current_size`` bytes), else ``None``."""
    if len(move[1]) > len(current):
        return None
    size = _size(move)
    return size if size < current_size else None


def _probe(
    index: int,
    diff: WireNode,
    old: list[NodePrint],
    new: list[NodePrint],
    body: EntryBody,
    sizes: _Sizes,
) -> tuple[bool, bool]:
    """Whether entry ``index`` equals an old entry, and whether it is closer to a neighbour
    than to the old entry in its place (step 1 of the module docstring). Probed on the first and
    the last changed entry (an insertion, a removal or a rotation moves one of them), so that a
    diff whose entries all changed in place (a ticker) gives up at once."""
    entry = new[index]
    if entry in old:
        return True, False
    current = diff[str(index)]
    for at in (index - 1, index + 1):
        if 0 <= at < len(old):
            changes = body.diff_prints(old[at], entry)
            if changes is not SAME:
                move = [at, changes]
                if _move_size_if_smaller(move, current, sizes[index]) is not None:
                    return False, True
    return False, False


def with_moves(diff: WireNode, old: list[NodePrint], new: list[NodePrint], body: EntryBody) -> None:
    """Rewrite the entries in ``diff`` (the ``"k"`` object of an index-keyed diff from prints
    ``old`` to ``new``) as moves where that makes the diff smaller; adds ``"km"`` if any.

    Exact sources are looked for only when a probed entry equals an old one (a shift or a
    reorder moved it): a list whose ends only changed in place, even if near a neighbour (the
    classes of a striped list, shifted by one), costs no table of every old entry."""
    changed = [int(name) for name in diff]  # in index order
    sizes = _Sizes(diff)
    exact = near = False
    for index in {changed[0], changed[-1]}:
        is_exact, is_near = _probe(index, diff, old, new, body, sizes)
        exact, near = exact or is_exact, near or is_near
    if not (exact or near):
        return
    sources = _exact_sources(changed, old, new) if exact else {}
    moves: dict[int, Move] = dict(sources)
    saved = {index: sizes[index] - len(str(source)) for index, source in sources.items()}
    for index, (near_move, size) in _near_sources(
        changed, sources, diff, old, new, body, sizes
    ).items():
        moves[index] = near_move
        saved[index] = sizes[index] - size
    if not _worth_flagging(moves, saved):
        return
    for index, move in moves.items():
        diff[str(index)] = move
    diff[KEYED_MOVED] = True


def _exact_sources(
    changed: list[int], old: list[NodePrint], new: list[NodePrint]
) -> dict[int, int]:
    """For each changed entry equal to an old entry, that old entry's index (each used once):
    first the one at the offset of the previous match, else any, through a table (step 2 of
    the module docstring)."""
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


def _near_sources(
    changed: list[int],
    sources: dict[int, int],
    diff: WireNode,
    old: list[NodePrint],
    new: list[NodePrint],
    body: EntryBody,
    sizes: _Sizes,
) -> dict[int, tuple[list[Any], int]]:
    """For changed entries with no equal old entry (none in ``sources``), a move ``[j, changes]``
    from an old entry with fewer differences (step 3 of the module docstring): the one at the
    offset of the previous move, else a neighbour, until ``MAX_FRUITLESS_NEIGHBOUR_PROBES``
    entries found none. Of the candidates, the smallest move shorter than the entry's
    index-keyed diff wins (the first of equal size). Old entries in ``sources`` are not used
    again. (The candidate loop is inline: it runs for every changed entry of a list whose
    entries all change, a call per candidate shows in the fan-out bench.)"""
    used = set(sources.values())
    near: dict[int, tuple[list[Any], int]] = {}
    shift: int | None = None
    misses = 0
    old_count = len(old)
    for index in changed:
        if index in sources:
            shift = sources[index] - index
            continue
        if shift is None:
            if misses >= MAX_FRUITLESS_NEIGHBOUR_PROBES:
                continue
            candidates: tuple[int, ...] = (index + 1, index - 1)
        else:
            candidates = (index + shift,)
        current = diff[str(index)]
        entry = new[index]
        best: list[Any] | None = None
        best_size = 0
        for at in candidates:
            if at == index or not 0 <= at < old_count or at in used:
                continue
            changes = body.diff_prints(old[at], entry)
            if changes is SAME:  # equal: had it been free, _exact_sources would have taken it
                continue
            move = [at, changes]
            size = _move_size_if_smaller(move, current, sizes[index])
            if size is not None and (best is None or size < best_size):
                best, best_size = move, size
        if best is not None:
            near[index] = best, best_size
            used.add(best[0])
            shift = best[0] - index
        elif shift is None:
            misses += 1
    return near


def _worth_flagging(moves: dict[int, Move], saved: dict[int, int]) -> bool:
    """Whether the moves, counted in order, save more than the ``"km": true`` flag costs at
    some point (step 4 of the module docstring); ``saved``: bytes saved by each move."""
    total = 0
    for index in moves:
        total += saved[index]
        if total > _FLAG_COST:
            return True
    return False
