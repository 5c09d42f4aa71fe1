"""Streams as a template sees them: the operations waiting for the next render.

A stream is a list the server forgets: ``socket.stream`` and friends (``liveview.streams``)
queue inserts and deletes on a ``LiveStream``; the next render turns them into the ``stream``
entry of the comprehension of the loop that iterates it (``ForSlot``)::

    {"s": ["<p id=\\"", "\\">", "</p>"], "k": {"0": {"0": "msgs-7", "1": "hi"}, "kc": 1},
     "stream": ["0", [["msgs-7", -1, null, false]], ["msgs-3"]]}

and then the socket empties it (``prune``): the rows live on in the browser's DOM only. The
template reads the streams through one ``Streams`` assign, ``streams``; iterating
``streams.<name>`` yields ``(dom_id, item)`` for each pending insert.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

Insert = tuple[str, int, int | None, bool, Any]
"""One pending insert: ``(dom_id, at, limit, update_only, item)``."""

NAME: Final = "streams"
"""The assign that holds a LiveView's ``Streams``."""


class LiveStream:
    """One stream's operations since the last render (and its name and wire ``ref``)."""

    __slots__ = ("deletes", "inserts", "name", "ref", "reset", "sent")

    def __init__(self, name: str, ref: str) -> None:
        self.name = name
        self.ref = ref
        self.inserts: list[Insert] = []
        self.deletes: list[str] = []
        self.reset = False
        self.sent = False  # a loop of the template took the operations (``wire``)

    @property
    def pending(self) -> bool:
        """Whether the next render has something to send for this stream."""
        return bool(self.inserts or self.deletes or self.reset)

    def entries(self) -> list[tuple[str, Any]]:
        """``(dom_id, item)`` of each insert to render, in insert order; an item inserted twice
        renders once, where it was inserted last (as Phoenix does)."""
        inserts = self.inserts
        last = {insert[0]: index for index, insert in enumerate(inserts)}
        if len(last) == len(inserts):
            return [(insert[0], insert[4]) for insert in inserts]
        return [
            (insert[0], insert[4])
            for index, insert in enumerate(inserts)
            if last[insert[0]] == index
        ]

    def wire(self) -> list[Any]:
        """The comprehension's ``stream`` entry: ``[ref, inserts, deletes]`` and ``true`` when it
        resets. Inserts go newest first, each ``[dom_id, at, limit, update_only]`` (Phoenix's
        order: for an id inserted twice the client keeps the options of the older one)."""
        inserts = [
            [dom_id, at, limit, update_only]
            for dom_id, at, limit, update_only, _ in reversed(self.inserts)
        ]
        data: list[Any] = [self.ref, inserts, list(self.deletes)]
        self.sent = True
        if self.reset:
            data.append(True)
        return data

    def prune(self) -> None:
        """Forget what was sent: the rows now live in the browser only."""
        self.inserts = []
        self.deletes = []
        self.reset = False
        self.sent = False

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self.entries())

    def __repr__(self) -> str:
        return (
            f"<LiveStream {self.name!r} ref={self.ref} inserts={len(self.inserts)} "
            f"deletes={len(self.deletes)}{' reset' if self.reset else ''}>"
        )


class Streams:
    """The ``streams`` assign: a LiveView's streams by name (``streams.messages`` in a
    template, ``streams["messages"]``). Not a ``Mapping``, and no public attribute of its own,
    so that any stream name (``items``, ``keys``...) reads as the stream. A name never streamed
    is an error that says how to make it."""

    __slots__ = ("_streams",)

    def __init__(self, streams: dict[str, LiveStream] | None = None) -> None:
        self._streams: dict[str, LiveStream] = {} if streams is None else streams

    def __getitem__(self, name: str) -> LiveStream:
        return self._streams[name]

    def __getattr__(self, name: str) -> LiveStream:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._streams[name]
        except KeyError:
            known = ", ".join(sorted(self._streams)) or "none"
            raise AttributeError(
                f"no stream named {name!r} (streams: {known}); "
                f"call socket.stream({name!r}, items) in mount"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._streams

    def __iter__(self) -> Iterator[str]:
        return iter(self._streams)

    def __len__(self) -> int:
        return len(self._streams)

    def _pending(self) -> bool:
        """Whether any stream has operations for the next render."""
        return any(stream.pending for stream in self._streams.values())

    def _sent(self) -> tuple[str, ...]:
        """The streams whose operations a render took."""
        return tuple(name for name, stream in self._streams.items() if stream.sent)

    def __repr__(self) -> str:
        return f"Streams({list(self._streams.values())!r})"


SHARED_INSERTS: Final = 64
"""Inserts at most in a render other LiveViews may reuse (it is remembered for a while:
larger batches are rendered for their LiveView alone and forgotten once sent)."""


class StreamsKey:
    """What a render reads of a ``Streams``, for sharing one render between LiveViews
    (``sharing``): each stream's name, ref and pending operations, the items compared by
    identity (one pub/sub message reaches every local subscriber as the same object). Two
    LiveViews whose streams are keyed alike get the same stream entries and rows."""

    __slots__ = ("inserts", "large", "ops", "sent")

    def __init__(self, streams: Streams) -> None:
        inserts = 0
        ops = []
        for name, stream in streams._streams.items():
            inserts += len(stream.inserts)
            ops.append(
                (name, stream.ref, stream.reset, tuple(stream.deletes), tuple(stream.inserts))
            )
        self.ops = tuple(ops)
        self.inserts = inserts
        self.large = inserts > SHARED_INSERTS
        self.sent: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        if type(other) is not StreamsKey or len(self.ops) != len(other.ops):
            return False
        for mine, theirs in zip(self.ops, other.ops, strict=True):
            if mine[:4] != theirs[:4] or len(mine[4]) != len(theirs[4]):
                return False
            for a, b in zip(mine[4], theirs[4], strict=True):
                if a[4] is not b[4] or a[:4] != b[:4]:
                    return False
        return True

    __hash__ = None  # type: ignore[assignment]

    def mark_sent(self, streams: Streams, values: tuple[Any, ...]) -> None:
        """``streams`` took the render keyed by the equal key in ``values``: the same
        streams were sent."""
        for value in values:
            if type(value) is StreamsKey and value == self:
                for name in value.sent:
                    streams._streams[name].sent = True
                return
