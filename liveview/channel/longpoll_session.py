"""One long-poll session: the channels of a tab whose websocket could not get through.

Phoenix's long poll carries the same frames as the websocket, over plain HTTP: the client POSTs
its frames (several per request, one a line) and keeps a GET open that the server answers as soon
as it has frames for it, or empty after a window. So a session is a `ChannelRouter` whose `send`
buffers: the frames wait here until the client's next poll takes them. The session lives in the
worker that created it; requests that land on another worker reach it through the app's pub/sub
(`liveview.channel.longpoll_relay`).

Bounded: a poll is held `WINDOW` seconds at most; a session nobody polls for `REAP_AFTER`
seconds is ended (its LiveViews stop, as when a websocket closes), and so is one whose buffer
outgrows `MAX_BUFFERED_FRAMES` or `MAX_BUFFERED_BYTES` (a client that stopped reading): its
client, if it comes back, is told the session is gone and joins afresh.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import secrets
from collections.abc import Callable
from typing import Final

from liveview.channel.config import ChannelConfig
from liveview.channel.router import ChannelRouter

logger = logging.getLogger("liveview")

WINDOW: Final = 10.0
"""Seconds a poll is held when there is nothing to send (Phoenix's `window_ms`); the official
client gives up on a request after 20 s."""

REAP_AFTER: Final = WINDOW * 1.5
"""Seconds without a request after which a session is ended (Phoenix: 1.5 windows)."""

MAX_BUFFERED_FRAMES: Final = 10_000
"""Frames a session keeps for a client that does not poll; beyond, the session ends."""

MAX_BUFFERED_BYTES: Final = 16 * 1024 * 1024
"""Characters of frames a session keeps for a client that does not poll; beyond, it ends."""

MAX_BATCH: Final = 100
"""Frames one POST may carry: the official client sends at most 100 (MAX_LONGPOLL_BATCH_SIZE)."""


class BadBatch(ValueError):
    """A POST body that is not a batch of frames; `status` is the status to answer."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def parse_batch(body: bytes, ndjson: bool, max_frame_size: int | None) -> list[str | bytes]:
    """The frames of a POST body, all checked before any is handled: text frames (JSON arrays,
    which start with `[`) and binary ones (upload chunks, base64). A body that is not
    `application/x-ndjson` is one text frame, as Phoenix reads it."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise BadBatch("the body is not UTF-8") from None
    lines = text.splitlines() if ndjson else [text]
    parts = [line for line in lines if line]
    if len(parts) > MAX_BATCH:
        raise BadBatch(f"{len(parts)} frames in one request; at most {MAX_BATCH}")
    batch: list[str | bytes] = []
    for part in parts:
        frame: str | bytes
        if part.startswith("["):
            frame, size = part, len(part) if part.isascii() else len(part.encode())
        else:
            try:
                frame = base64.b64decode(part, validate=True)
            except (binascii.Error, ValueError):
                raise BadBatch("a frame is neither a JSON array nor base64") from None
            size = len(frame)
        if max_frame_size is not None and size > max_frame_size:
            raise BadBatch(f"a {size}-byte frame is over max_frame_size ({max_frame_size})", 413)
        batch.append(frame)
    return batch


class LongPollSession(ChannelRouter):
    """The channels of one long-polling client, and the frames waiting for its next poll."""

    def __init__(
        self,
        config: ChannelConfig,
        root_path: str,
        *,
        stale: str | None = None,
        on_close: Callable[[LongPollSession], None],
    ) -> None:
        super().__init__(config, root_path, stale=stale)
        self.id = secrets.token_urlsafe(16)
        self.token: str | None = None
        """The signed token its client holds (set once it is handed out)."""
        self._on_close = on_close
        self._loop = asyncio.get_running_loop()
        self._last_seen = self._loop.time()
        self._buffer: list[str] = []
        self._buffered = 0  # characters in _buffer
        self._waiter: asyncio.Future[None] | None = None  # the poll being held, if any
        self._batches = asyncio.Lock()  # one POST's frames at a time, in order
        self.closed = False
        self._stopping: asyncio.Task[None] | None = None

    @property
    def last_seen(self) -> float:
        """`loop.time()` of the client's last request, or now while one of its polls is held
        (`IdleSweeper` reaps on it: a session is idle only between requests)."""
        return self._loop.time() if self._waiter is not None else self._last_seen

    @last_seen.setter
    def last_seen(self, value: float) -> None:
        self._last_seen = value

    async def send(self, text: str) -> None:
        """Keep a frame for the next poll (and answer a poll being held)."""
        if self.closed:
            raise ConnectionError("long-poll session closed")
        self._buffer.append(text)
        self._buffered += len(text)
        if len(self._buffer) > MAX_BUFFERED_FRAMES or self._buffered > MAX_BUFFERED_BYTES:
            logger.warning(
                "long-poll session ended: %d frames (%d characters) wait for a client that "
                "does not poll",
                len(self._buffer),
                self._buffered,
            )
            self.close()
            raise ConnectionError("long-poll session closed")
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def poll(self, window: float = WINDOW) -> list[str] | None:
        """The frames waiting, at once if any, else as soon as one comes, else [] after
        `window` seconds; None when the session is (or gets) closed. A poll answers the one
        it replaces, empty (one client polls one at a time: the older one was abandoned)."""
        if self.closed:
            return None
        self.last_seen = self._loop.time()
        if not self._buffer:
            older = self._waiter
            if older is not None and not older.done():
                older.set_result(None)
            waiter = self._waiter = self._loop.create_future()
            try:
                await asyncio.wait((waiter,), timeout=window)
            finally:
                if self._waiter is waiter:
                    self._waiter = None
            self.last_seen = self._loop.time()
            if self.closed:
                return None
        messages, self._buffer, self._buffered = self._buffer, [], 0
        return messages

    async def receive(self, batch: list[str | bytes]) -> None:
        """Handle the frames of one POST (checked by `parse_batch`), in order."""
        self.last_seen = self._loop.time()
        async with self._batches:
            for frame in batch:
                if self.closed:
                    return
                try:
                    if isinstance(frame, str):
                        await self._route_frame(frame)
                    else:
                        await self._route_binary(frame)
                except ConnectionError:  # a reply overflowed the buffer: the session ended
                    return
        self.last_seen = self._loop.time()

    def close_idle(self) -> None:
        """The client stopped polling (`IdleSweeper`)."""
        logger.info("long-poll session %s ended: no request for %s s", self.id, REAP_AFTER)
        self.close()

    def close(self) -> None:
        """End the session: a poll being held is answered "gone", the channels stop."""
        if self.closed:
            return
        self.closed = True
        self._buffer, self._buffered = [], 0
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        self._on_close(self)
        self._stopping = self._loop.create_task(self.stop_channels())

    async def wait_closed(self) -> None:
        """Until the channels of a closed session have stopped."""
        if self._stopping is not None:
            await self._stopping
