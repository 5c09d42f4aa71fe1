"""One websocket carrying many channels: reading, writing, size limits, idle close, teardown.

The connection is the only reader of the websocket. Each frame goes to its `ChannelRouter`
base, which answers heartbeats (promptly: a late first heartbeat makes the client fall back to
long-polling), starts a `LiveChannel` per joined `lv:` topic and hands every other message to
the channel of its topic. Bad input gets an error reply where the client can match one, and
never ends the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from typing import Final

from starlette.types import Message, Receive, Send

from liveview.channel.config import ChannelConfig
from liveview.channel.idle import CLOSE_CODE, IdleSweeper
from liveview.channel.router import ChannelRouter

logger = logging.getLogger("liveview")

MAX_FRAME_SIZE: Final = 1_048_576
"""The default for the largest message a client may send, in bytes (`LiveViewApp(max_frame_size)`,
`liveview run --max-frame-size`): an event is rarely over a few KB, and uvicorn's own default,
16 MiB, let one message cost some 230 MB and stall every client half a second."""

SEND_TEXT: Final = "liveview.send_text"
"""An entry a server may add to the websocket scope's `extensions`: `send_text(text) -> bool`,
which writes a text frame at once and returns True, or returns False (nothing written: the frame
goes through ASGI's `send`). `liveview.server.WebSocketProtocol` adds it."""

MESSAGE_TOO_BIG: Final = 1009
"""The close code for a message over the limit (RFC 6455), as servers that enforce it send."""


class Connection(ChannelRouter):
    """Drives one accepted websocket until it closes.

    Frames are written with the server's own ASGI ``send``, not through Starlette's
    ``WebSocket.send``: a publish to N subscribers writes N frames, and the wrapper's checks are
    the same every time. No lock either: a server writes each message whole (uvicorn encodes and
    writes a frame without yielding once the transport is writable), and order only matters
    within a channel, whose frames are sent one at a time as its mailbox is drained.
    """

    def __init__(
        self,
        receive: Receive,
        send: Send,
        config: ChannelConfig,
        root_path: str,
        idle: IdleSweeper,
        max_frame_size: int | None = MAX_FRAME_SIZE,
        *,
        stale: str | None = None,
        send_text: Callable[[str], bool] | None = None,
    ) -> None:
        # Only the ASGI callables: a Starlette WebSocket would keep its parsed headers, query
        # and cookies for the connection's lifetime (bench/README.md: memory per connection).
        self._receive = receive
        self._asgi_send = send
        # the server's way to write a frame at once (liveview.server.SEND_TEXT), if it has one
        self._send_text = send_text
        super().__init__(config, root_path, stale=stale)
        self._idle = idle
        self._closed = False
        self._loop = asyncio.get_running_loop()
        self.last_seen = self._loop.time()
        self._closing: asyncio.Task[None] | None = None
        self._max_frame = sys.maxsize if max_frame_size is None else max_frame_size
        # UTF-8 takes at most 4 bytes a character: a text with fewer is not measured in bytes.
        self._measure_above = self._max_frame // 4

    async def send(self, text: str) -> None:
        """Write one frame; ConnectionError once the websocket is gone."""
        if self._closed:
            raise ConnectionError("websocket closed")
        send_text = self._send_text
        if send_text is not None and send_text(text):
            return
        try:
            await self._asgi_send({"type": "websocket.send", "text": text})
        except (RuntimeError, OSError) as exc:  # uvicorn: ClientDisconnected (an OSError)
            self._closed = True
            raise ConnectionError("websocket closed") from exc

    def close_idle(self) -> None:
        """The client has been silent too long (`idle`): close; the client will reconnect."""
        if self._closing is None and not self._closed:
            self._closing = self._loop.create_task(self._close())

    async def _close(self) -> None:
        self._closed = True
        with contextlib.suppress(RuntimeError, OSError):  # already gone
            await self._asgi_send({"type": "websocket.close", "code": CLOSE_CODE})

    async def run(self) -> None:
        receive = self._receive
        idle = self._idle
        idle.add(self)
        try:
            while await self._on_message(await receive()):
                pass  # (one call per message: nothing of it stays referenced while we wait)
        except ConnectionError:
            # The client left while we answered it (a heartbeat, an error reply): the end of
            # the connection, as a disconnect message would be, not an error for the server.
            logger.debug("websocket closed while a reply was written")
        finally:
            idle.discard(self)
            self._closed = True
            await self.stop_channels()

    async def _on_message(self, message: Message) -> bool:
        """Handle one ASGI message; False once the websocket is gone."""
        if message["type"] == "websocket.disconnect":
            return False
        self.last_seen = self._loop.time()
        text = message.get("text")
        if text is None:
            data = message.get("bytes")
            if data is not None and len(data) > self._max_frame:
                return await self._too_big(len(data))
            if data is not None:
                await self._route_binary(data)
        elif len(text) > self._measure_above and _utf8_size(text) > self._max_frame:
            return await self._too_big(_utf8_size(text))
        else:
            await self._route_frame(text)
        return True

    async def _too_big(self, size: int) -> bool:
        """A message over `max_frame_size`: closed with 1009, as by a server enforcing it (for
        servers that do not, such as plain uvicorn with its 16 MiB); the client reconnects."""
        logger.warning(
            "websocket closed: a %d-byte message is over max_frame_size (%d)", size, self._max_frame
        )
        self._closed = True
        with contextlib.suppress(RuntimeError, OSError):  # already gone
            await self._asgi_send(
                {"type": "websocket.close", "code": MESSAGE_TOO_BIG, "reason": "message too big"}
            )
        return False


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())
