"""Streams: lists the server forgets once sent (Phoenix's ``stream``), and temporary assigns.

A chat, a feed or a 100,000-row table keeps every row in server memory when it is a list in
the assigns. A stream keeps none: ``socket.stream("messages", rows)`` queues inserts, the next
render sends them as the ``stream`` entry of the loop over ``streams.messages`` (inside a
``phx-update="stream"`` container), and then they are gone from the server; the browser keeps
them in its DOM. Later inserts, deletes and resets go the same way.

Each item's DOM id is ``"<name>-<id>"``, from the item's ``id`` (a dict key, or an attribute of
a dataclass, a pydantic model or any object), or what the ``dom_id`` function returns.

Temporary assigns (``LiveView.temporary_assigns``) are the same idea for plain assigns: after
every render they go back to their default, without re-rendering.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from liveview.template.streams import Insert, LiveStream, Streams

DomId = Callable[[Any], str]
"""How an item's DOM id is made from the item."""


def item_id(item: Any) -> Any:
    """The ``id`` of a stream item: a mapping's ``"id"`` or the ``id`` attribute."""
    if isinstance(item, Mapping):
        if "id" in item:
            return item["id"]
    elif hasattr(item, "id"):
        return item.id
    raise ValueError(
        f"a stream item needs an id (a key or attribute 'id'), or pass dom_id=: got {item!r}"
    )


class StreamState:
    """A LiveView's streams and how each makes its DOM ids (the socket holds one)."""

    __slots__ = ("_dom_ids", "_refs", "streams")

    def __init__(self, refs: str = "") -> None:
        self.streams = Streams()
        self._dom_ids: dict[str, DomId | None] = {}
        self._refs = refs  # a live component's streams' refs start with its cid (Phoenix)

    def _stream(self, name: str, create: bool) -> LiveStream:
        streams = self.streams._streams
        stream = streams.get(name)
        if stream is None:
            if not create:
                raise KeyError(
                    f"no stream named {name!r}: call socket.stream({name!r}, items) first"
                )
            if not isinstance(name, str) or not name.isidentifier():
                raise ValueError(f"a stream name is an identifier (streams.<name>): {name!r}")
            stream = streams[name] = LiveStream(name, f"{self._refs}{len(streams)}")
        return stream

    def _dom_id(self, name: str, item: Any) -> str:
        make = self._dom_ids.get(name)
        dom_id = f"{name}-{item_id(item)}" if make is None else make(item)
        if not isinstance(dom_id, str) or not dom_id:
            raise TypeError(f"stream {name!r}: a DOM id is a non-empty str, got {dom_id!r}")
        return dom_id

    def insert_many(
        self,
        name: str,
        items: Iterable[Any],
        *,
        at: int,
        limit: int | None,
        update_only: bool,
        reset: bool,
        dom_id: DomId | None,
        create: bool,
    ) -> None:
        """Queue inserts of ``items`` (all or none: an item without an id queues nothing)."""
        _check_position(at, limit)
        if dom_id is not None:
            self._dom_ids[name] = dom_id
        elif name not in self._dom_ids:
            self._dom_ids[name] = None
        stream = self._stream(name, create)
        make = self._dom_id
        inserts: list[Insert] = [(make(name, item), at, limit, update_only, item) for item in items]
        if reset:  # every row goes first; this callback's inserts so far still come (Phoenix)
            stream.reset = True
        stream.inserts.extend(inserts)

    def delete(self, name: str, dom_id: str) -> None:
        if not isinstance(dom_id, str):
            raise TypeError(f"stream {name!r}: a DOM id is a str, got {dom_id!r}")
        stream = self._stream(name, create=False)
        stream.deletes.append(dom_id)

    def delete_item(self, name: str, item: Any) -> None:
        self._stream(name, create=False)
        self.delete(name, self._dom_id(name, item))

    def rendered(self) -> list[str]:
        """Forget what the render just made sent; the names of streams that had operations
        no loop of the template took (they are dropped: the template does not show them)."""
        unsent = []
        for stream in self.streams._streams.values():
            if stream.pending:
                if not stream.sent:
                    unsent.append(stream.name)
                stream.prune()
        return unsent


def _check_position(at: Any, limit: Any) -> None:
    if type(at) is not int:
        raise TypeError(f"stream at= is an int (-1 append, 0 prepend, n index), got {at!r}")
    if at < -1:
        raise ValueError(f"stream at= is -1 (append), 0 (prepend) or an index n > 0, got {at}")
    if limit is not None and type(limit) is not int:
        raise TypeError(f"stream limit= is an int or None, got {limit!r}")


def fresh_default(value: Any) -> Any:
    """A temporary assign's default, as it is put back: a copy of a list, dict or set (so one
    render's appends never reach the next)."""
    if isinstance(value, (list, dict, set)):
        return copy.copy(value)
    return value
