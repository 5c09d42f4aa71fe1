"""Renders shared between LiveViews: one publish, a thousand identical diffs, computed once.

When a message is published to a topic, every subscribed LiveView of one class usually holds
the same tree and assigns the same values, so each would compute the same diff. A render is a
function of three things: the prints of what the client holds, the assign values the template
reads and the names marked changed. ``SharedRenders`` (one per template) remembers recent
renders under exactly that key; a LiveView whose key matches takes the stored diff, its JSON
and its new prints — shared objects, since prints never change once made.

Matching is strict: the same prints object (not an equal one), the same changed names among
those the template reads, and for every name it reads, the very same object — or, for ``str``
and ``int`` (and ``Markup``), an equal one of the same type. Equal floats, tuples or
containers that are different objects do not match (``0.0`` and ``-0.0`` are equal and print
differently; a list may change in place), they only cost a render.

What this assumes is what change tracking already assumes: a template's output depends only
on the assigns (and on pure globals and filters). A template that calls something impure of
your own (a clock, a counter) may then show another LiveView's result from the same moment;
so may one object shared by many LiveViews' assigns and changed in place between their renders
(the later ones get the render of the object as it was at the first). Turn sharing off for such
a view (``LiveView.share_renders = False``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from operator import is_
from typing import Any, Final

import orjson
from markupsafe import Markup

from .prints import NodePrint, WireNode
from .streams import StreamsKey

_EQUAL_BY_VALUE: Final = frozenset({str, int, Markup, StreamsKey})
"""Types whose equal values always render alike (``bool`` and ``None`` match by identity;
``StreamsKey`` compares the items it holds by identity)."""

_ABSENT: Final = object()

LIMIT: Final = 32
"""Prints remembered per template: enough for the states a burst of deliveries goes through."""

PER_PRINTS: Final = 4
"""Renders remembered per prints (LiveViews in one state that assigned different values)."""


class SharedRender:
    """One render: the diff (or full tree) and the prints after it. Never mutate ``diff``."""

    __slots__ = ("_json", "after", "before", "changed", "diff", "values")

    def __init__(
        self,
        before: NodePrint | None,
        changed: frozenset[str] | None,
        values: tuple[Any, ...],
        diff: WireNode,
        after: NodePrint | None,
    ) -> None:
        self.before = before
        self.changed = changed
        self.values = values
        self.diff = diff
        self.after = after
        self._json: str | None = None

    @property
    def json(self) -> str:
        """The diff as JSON text, encoded once for every LiveView that sends it."""
        encoded = self._json
        if encoded is None:
            encoded = self._json = orjson.dumps(self.diff).decode()
        return encoded


def _same(held: Any, value: Any) -> bool:
    return held is value or (
        type(held) is type(value) and type(value) in _EQUAL_BY_VALUE and held == value
    )


class SharedRenders:
    """The recent renders of one template, by the prints they started from."""

    __slots__ = ("_absent", "_by_prints", "_read_set", "_reads", "_streamed")

    def __init__(self, reads: frozenset[str] | None) -> None:
        # Sorted, so two templates' snapshots are never compared in different orders.
        self._reads: tuple[str, ...] | None = None if reads is None else tuple(sorted(reads))
        self._read_set = reads
        self._absent = (_ABSENT,) * len(reads or ())
        self._by_prints: dict[int, list[SharedRender]] = {}
        # The one remembered render that carries stream rows (see ``remember``).
        self._streamed: SharedRender | None = None

    def key(
        self, assigns: Mapping[str, Any], changed: Iterable[str] | None
    ) -> tuple[tuple[Any, ...], frozenset[str] | None]:
        """What a render depends on besides the prints: ``(read_values, changed_reads)``, the
        values of the names the template reads and which of those names changed."""
        reads = self._reads
        if reads is None:  # the template may read any name: every assign counts
            names = sorted(assigns)
            # names, a separator, values: equal lengths mean the same number of names
            read_values: tuple[Any, ...] = (*names, _ABSENT, *[assigns[name] for name in names])
            changed_reads = None if changed is None else frozenset(changed)
        else:
            read_values = tuple(map(assigns.get, reads, self._absent))
            read_set = self._read_set
            assert read_set is not None
            changed_reads = None if changed is None else read_set.intersection(changed)
        return read_values, changed_reads

    def find(
        self,
        before: NodePrint | None,
        values: tuple[Any, ...],
        changed: frozenset[str] | None,
    ) -> SharedRender | None:
        """A render made from ``before`` with these values and changes, if one is remembered."""
        candidates = self._by_prints.get(id(before))
        if candidates is None:
            return None
        for render in candidates:
            if (
                render.before is before
                and render.changed == changed
                and len(render.values) == len(values)
                and (all(map(is_, render.values, values)) or all(map(_same, render.values, values)))
            ):
                return render
        return None

    def remember(self, render: SharedRender) -> None:
        """Keep ``render`` for the next LiveViews in its state; forget the oldest beyond LIMIT."""
        by_prints = self._by_prints
        if any(type(value) is StreamsKey and value.inserts for value in render.values):
            # Stream rows are to be forgotten once sent: only the latest such render is kept
            # (for the other LiveViews getting the same message), none older.
            older, self._streamed = self._streamed, render
            if older is not None:
                kept = by_prints.get(id(older.before))
                if kept is not None and older in kept:
                    kept.remove(older)
        # The render holds ``before``, so its id cannot be reused while it is remembered.
        renders = by_prints.setdefault(id(render.before), [])
        renders.append(render)
        if len(renders) > PER_PRINTS:
            del renders[0]
        while len(by_prints) > LIMIT:
            by_prints.pop(next(iter(by_prints)), None)
