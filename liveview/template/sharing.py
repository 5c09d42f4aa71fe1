"""Renders shared between LiveViews: one publish, a thousand identical diffs, computed once.

When a message is published to a topic, the subscribed LiveViews of one class usually compute
the same diff: their clients hold the same tree, and the values the diff reads are equal. A
diff render evaluates only the root slots whose names changed (``Block.diff``), so what it
emits depends on three things only: which of the names the template reads changed, the prints
of the root slots it evaluates (what the client holds there), and the values of the names those
slots read. ``SharedRenders`` (one per template) remembers recent renders under exactly that
key; a LiveView whose key matches takes the stored diff and its JSON — shared objects — and
puts the stored slot prints into its own prints. What the other slots read does not count: a
page whose header shows the signed-in user's name (different in every LiveView, unchanged)
shares the renders of its list with every other page.

A complete render (a join) is keyed by the values of every name the template reads.

Matching is strict. Slot prints match when they are the same object or equal (prints are
plain lists of strings and compiled blocks). A value matches the stored one when it is the
same object; a ``str`` or ``int`` (or ``Markup``) when it is an equal one of the same type;
a ``list``, ``tuple`` or ``dict`` of plain data (strings, numbers, ``None``, ``Markup`` and
such containers) when it is of the same type and pickles to the same bytes as the stored one
did when it was rendered (``_fingerprint``: exact types, so ``1``, ``1.0`` and ``True``,
``0.0`` and ``-0.0``, a ``str`` and a ``Markup``, a tuple and a list never match).
A list or tuple also matches when its items are the very objects the stored one held when it
was rendered (a chat's list of the last messages, each the one object pub/sub delivered to
every subscriber: no fingerprint to make, and the items need not be plain data). A container
changed in place after it was rendered no longer matches the render. Other values (floats,
objects) match only by identity; a miss only costs a render.

What this assumes is what change tracking already assumes: a template's output depends only
on the assigns (and on pure globals and filters). A template that calls something impure of
your own (a clock, a counter) may then show another LiveView's result from the same moment;
so may an object of your own (not a container) shared by many LiveViews' assigns and changed
in place between their renders. Turn sharing off for such a view
(``LiveView.share_renders = False``).

A template whose LiveViews never share (every one reads values of its own in the slots that
change) pays for the attempt: the key, a look at a few renders, a fingerprint of the containers
of the render it remembers. After ``MISSES_BEFORE_SAMPLING`` misses in a row under one key, only
one render in ``SAMPLE_EVERY`` is remembered, until one is found again.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterable, Mapping
from operator import is_
from typing import TYPE_CHECKING, Any, Final

import orjson
from markupsafe import Markup

from .prints import NodePrint, SlotPrint, WireNode
from .streams import NAME as STREAMS
from .streams import StreamsKey

if TYPE_CHECKING:
    from .slots import Block

_EQUAL_BY_VALUE: Final = frozenset({str, int, Markup, StreamsKey})
"""Types whose equal values always render alike (``bool`` and ``None`` match by identity;
``StreamsKey`` compares the stream items it holds by identity)."""

_CONTAINERS: Final = frozenset({list, tuple, dict})
"""Types matched by fingerprint: the containers assigns are built of."""

_SEQUENCES: Final = frozenset({list, tuple})
"""Types also matched item by item, by identity."""

_ABSENT: Final = object()

_COMPLETE: Final = object()
"""The key of complete renders (no prints before, every read counts) among the changed sets."""

LIMIT: Final = 32
"""Keys (sets of changed names) remembered per template."""

PER_KEY: Final = 4
"""Renders remembered per key (LiveViews whose slots or values differ), newest first."""

MISSES_BEFORE_SAMPLING: Final = 64
SAMPLE_EVERY: Final = 16


class SharedRender:
    """One render: the diff (or full tree) and what it was made from. Never mutate ``diff``."""

    __slots__ = (
        "_json",
        "after",
        "before",
        "diff",
        "fingerprints",
        "items",
        "news",
        "olds",
        "plan",
        "values",
    )

    def __init__(
        self,
        plan: _Plan,
        before: NodePrint | None,
        values: tuple[Any, ...],
        diff: WireNode,
        after: NodePrint | None,
    ) -> None:
        self.plan = plan
        self.before = before
        self.values = values
        self.diff = diff
        self.after = after
        positions = plan.positions
        self.olds: tuple[SlotPrint, ...] = () if before is None else _at(before, positions)
        self.news: tuple[SlotPrint, ...] = () if after is None else _at(after, positions)
        self.fingerprints: tuple[bytes | None, ...] | None = None  # when remembered
        self.items: tuple[tuple[Any, ...] | None, ...] | None = None  # likewise
        self._json: str | None = None

    @property
    def json(self) -> str:
        """The diff as JSON text, encoded once for every LiveView that sends it."""
        encoded = self._json
        if encoded is None:
            encoded = self._json = orjson.dumps(self.diff).decode()
        return encoded

    def prints_from(self, before: NodePrint | None) -> NodePrint | None:
        """The prints a LiveView that held ``before`` holds after this render."""
        if before is self.before or before is None:
            return self.after
        if self.news == self.olds:  # nothing changed: keep its own
            return before
        prints = list(before)
        for position, printed in zip(self.plan.positions, self.news, strict=True):
            prints[position] = printed
        return prints


def _at(prints: NodePrint, positions: tuple[int, ...]) -> tuple[SlotPrint, ...]:
    return tuple([prints[position] for position in positions])


class _PlainData(pickle.Pickler):
    """Pickles plain data only: ``str``, ``int``, ``float``, ``bool``, ``None``, ``bytes``,
    ``Markup`` in lists, tuples and dicts. Anything else may render by identity (an object's
    default ``str`` shows its address) or by state pickle does not see: refused."""

    def reducer_override(self, obj: Any) -> Any:
        if obj is Markup or type(obj) is Markup:
            return NotImplemented  # pickled as usual, its class named in the bytes
        raise TypeError("not plain data")


def _fingerprint(value: Any) -> bytes | None:
    """``value`` pickled as plain data (``_PlainData``): equal bytes, equal content of exactly
    the same types; None if it is not plain data. Two equal containers built alike pickle
    alike; ones that merely compare equal may not (a miss, never a wrong match)."""
    buffer = io.BytesIO()
    try:
        _PlainData(buffer, 5).dump(value)
    except Exception:  # not plain data (or too deep): then it only matches itself
        return None
    return buffer.getvalue()


class _Plan:
    """The part of a key fixed by which names changed: the root slots a diff evaluates, the
    names they read, and the renders remembered under it."""

    __slots__ = ("absent", "misses", "positions", "reads", "renders", "streams")

    def __init__(self, positions: tuple[int, ...], reads: tuple[str, ...] | None) -> None:
        self.positions = positions
        self.reads = reads  # sorted; None: every assign, by name
        self.absent = (_ABSENT,) * len(reads or ())
        self.renders: list[SharedRender] = []
        self.misses = 0
        # whether its values may hold the streams (then keyed by their operations, see state)
        self.streams = reads is None or STREAMS in reads

    def values(self, assigns: Mapping[str, Any]) -> tuple[Any, ...]:
        reads = self.reads
        if reads is None:  # the template may read any name: every assign counts
            names = sorted(assigns)
            # names, a separator, values: equal lengths mean the same number of names
            return (*names, _ABSENT, *[assigns[name] for name in names])
        return tuple(map(assigns.get, reads, self.absent))


class SharedRenders:
    """The recent renders of one template, by the names they changed."""

    __slots__ = ("_plans", "_read_set", "_root", "_streamed")

    def __init__(self, root: Block, reads: frozenset[str] | None) -> None:
        self._root = root
        self._read_set = reads
        self._plans: dict[object, _Plan] = {}
        # The one remembered render that carries stream rows (see ``remember``).
        self._streamed: SharedRender | None = None

    def key(
        self, assigns: Mapping[str, Any], changed: Iterable[str] | None
    ) -> tuple[_Plan, frozenset[str] | None, tuple[Any, ...]]:
        """What a render depends on besides the slot prints: its plan, the changed names the
        template reads (None: a complete render) and the values its evaluated slots read."""
        if changed is None:
            changed_reads = None
        else:
            read_set = self._read_set
            changed_reads = (
                frozenset(changed) if read_set is None else read_set.intersection(changed)
            )
        plans = self._plans
        plan = plans.get(_COMPLETE if changed_reads is None else changed_reads)
        if plan is None:
            plan = self._plan(changed_reads)
        reads = plan.reads
        if reads is None:
            return plan, changed_reads, plan.values(assigns)
        return plan, changed_reads, tuple(map(assigns.get, reads, plan.absent))  # inline: hot

    def _plan(self, changed: frozenset[str] | None) -> _Plan:
        read_set = self._read_set
        if changed is None:
            plan = _Plan((), None if read_set is None else tuple(sorted(read_set)))
        else:
            positions: list[int] = []
            reads: set[str] | None = set()
            for step in self._root.steps:
                deps = step.deps
                if deps is not None and deps.isdisjoint(changed):
                    continue
                if step.position:
                    positions.append(step.position)
                names = step.facts.names
                if names is None or reads is None:
                    reads = None
                else:
                    reads |= names
            if reads is None:  # a slot may read any name: all the template reads count
                reads = None if read_set is None else set(read_set)
            plan = _Plan(tuple(positions), None if reads is None else tuple(sorted(reads)))
        plans = self._plans
        plans[_COMPLETE if changed is None else changed] = plan
        if len(plans) > LIMIT:  # rare: one key per set of names changed together
            del plans[next(iter(plans))]
        return plan

    def find(
        self, plan: _Plan, before: NodePrint | None, values: tuple[Any, ...]
    ) -> SharedRender | None:
        """A remembered render made from slot prints equal to ``before``'s with these values."""
        renders = plan.renders
        if not renders:
            return None
        first = renders[0]  # the common case: the same prints and values as the newest
        if first.before is before and all(map(is_, first.values, values)):
            plan.misses = 0
            return first
        found = _search(renders, plan, before, values)
        plan.misses = 0 if found is not None else plan.misses + 1
        return found

    def remember(self, render: SharedRender) -> None:
        """Keep ``render`` for the next LiveViews with its key (after many misses in a row,
        one in ``SAMPLE_EVERY``: see the module docstring)."""
        plan = render.plan
        if plan.misses > MISSES_BEFORE_SAMPLING and plan.misses % SAMPLE_EVERY:
            return
        values = render.values
        render.fingerprints = tuple(
            [_fingerprint(value) if type(value) in _CONTAINERS else None for value in values]
        )
        render.items = tuple(
            [tuple(value) if type(value) in _SEQUENCES else None for value in values]
        )
        renders = plan.renders
        renders.insert(0, render)
        del renders[PER_KEY:]
        if any(type(value) is StreamsKey and value.inserts for value in render.values):
            # Stream rows are to be forgotten once sent: only the latest such render is kept
            # (for the other LiveViews getting the same message), none older.
            older, self._streamed = self._streamed, render
            if older is not None and older in older.plan.renders:
                older.plan.renders.remove(older)


def _search(
    renders: list[SharedRender], plan: _Plan, before: NodePrint | None, values: tuple[Any, ...]
) -> SharedRender | None:
    olds: tuple[SlotPrint, ...] | None = None  # ``before``'s slots, made when needed
    mine: list[bytes | None] | None = None  # ``values``' fingerprints, made when needed
    for render in renders:
        if before is not None and render.before is not before:
            if olds is None:
                olds = _at(before, plan.positions)
            if not all(map(is_, render.olds, olds)) and render.olds != olds:
                continue
        held = render.values
        if len(held) != len(values):
            continue
        if all(map(is_, held, values)):
            return render
        if mine is None:
            mine = [None] * len(values)
        if _values_match(render, values, mine):
            return render
    return None


def _values_match(render: SharedRender, values: tuple[Any, ...], mine: list[bytes | None]) -> bool:
    fingerprints, items = render.fingerprints, render.items
    assert fingerprints is not None and items is not None
    for index, (held, value) in enumerate(zip(render.values, values, strict=True)):
        if held is value:
            continue
        kind = type(value)
        if kind is not type(held):
            return False
        if kind in _EQUAL_BY_VALUE:
            if held == value:
                continue
            return False
        held_items = items[index]
        if (
            held_items is not None
            and len(held_items) == len(value)
            and all(map(is_, held_items, value))
        ):
            continue  # the same items (a chat's messages, each one object pub/sub delivered)
        expected = fingerprints[index]
        if expected is None or kind not in _CONTAINERS:
            return False
        print_ = mine[index]
        if print_ is None:
            print_ = mine[index] = _fingerprint(value)
        if print_ != expected:
            return False
    return True
