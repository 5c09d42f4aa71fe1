"""One websocket carrying many channels: heartbeats, joins, routing by topic, teardown.

The connection is the only reader of the websocket. It answers heartbeats itself (promptly: a
late first heartbeat makes the client fall back to long-polling), starts a `LiveChannel` per
joined `lv:` topic and hands every other message to the channel of its topic. Bad input gets an
error reply where the client can match one, and never ends the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from typing import Final

from starlette.types import Message, Receive, Send

from liveview.channel import frames
from liveview.channel.config import ChannelConfig
from liveview.channel.frames import Frame, MalformedFrame
from liveview.channel.idle import CLOSE_CODE, IdleSweeper
from liveview.channel.live import LiveChannel
from liveview.channel.protocol import (
    CLOSE,
    FAILED,
    HEARTBEAT,
    JOIN,
    LEAVE,
    LIVEVIEW_TOPIC_PREFIX,
    OK,
    PHOENIX_TOPIC,
    STALE,
)
from liveview.channel.upload import UPLOAD_TOPIC_PREFIX, UploadChannel

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


class Connection:
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
        self._config = config
        self._root_path = root_path
        self._idle = idle
        self._channels: dict[str, LiveChannel] = {}
        self._uploads: dict[str, UploadChannel] = {}  # `lvu:` topics: one file's chunks each
        self._stale = stale  # why the page's CSRF token failed: every join is answered stale
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
            channels = list(self._channels.values())
            self._channels.clear()
            for upload in list(self._uploads.values()):
                upload.stop()
            await asyncio.gather(*(channel.stop() for channel in channels))

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

    async def _route_frame(self, text: str) -> None:
        try:
            frame = frames.decode(text)
        except MalformedFrame as exc:
            logger.warning("malformed frame: %s", exc.reason)
            if exc.ref is not None and exc.topic is not None:
                await self.send(
                    frames.reply(None, exc.ref, exc.topic, FAILED, {"reason": exc.reason})
                )
            return

        if frame.topic == PHOENIX_TOPIC:
            status = OK if frame.event == HEARTBEAT else FAILED
            await self.send(frames.reply(None, frame.ref, PHOENIX_TOPIC, status, {}))
            return
        if frame.event == JOIN:
            await self._join(frame)
            return
        upload = self._uploads.get(frame.topic)
        if upload is not None:
            await upload.on_text(frame)
            return

        channel = self._channels.get(frame.topic)
        if channel is None:
            if frame.event == LEAVE:  # already gone: let the client finish its teardown
                await self.send(frames.reply(frame.join_ref, frame.ref, frame.topic, OK, {}))
            else:
                await self._unmatched(frame)
            return
        if frame.join_ref != channel.join_ref:
            logger.debug("dropped %s for an outdated join of %s", frame.event, frame.topic)
            return
        channel.push_frame(frame)

    async def _route_binary(self, data: bytes) -> None:
        """A binary push: an upload chunk for its `lvu:` channel; anything else is answered
        with an error (when it has a ref to answer) and dropped."""
        try:
            frame = frames.decode_binary(data)
        except MalformedFrame as exc:
            logger.warning("malformed binary frame: %s", exc.reason)
            return
        upload = self._uploads.get(frame.topic)
        if upload is None or frame.join_ref != upload.join_ref:
            await self.send(
                frames.reply(None, frame.ref, frame.topic, FAILED, {"reason": "unmatched topic"})
            )
            return
        await upload.chunk(frame)

    async def _join_upload(self, frame: Frame) -> None:
        old = self._uploads.pop(frame.topic, None)
        if old is not None:
            old.stop()
        upload = UploadChannel(
            join=frame,
            send=self.send,
            signer=self._config.signer,
            find_view=lambda view_id: self._channels.get(LIVEVIEW_TOPIC_PREFIX + view_id),
            on_end=self._forget_upload,
        )
        if await upload.join() and not upload.ended:
            self._uploads[frame.topic] = upload

    def _forget_upload(self, upload: UploadChannel) -> None:
        if self._uploads.get(upload.topic) is upload:
            del self._uploads[upload.topic]

    async def _join(self, frame: Frame) -> None:
        if frame.topic.startswith(UPLOAD_TOPIC_PREFIX) and frame.join_ref is not None:
            await self._join_upload(frame)
            return
        if not frame.topic.startswith(LIVEVIEW_TOPIC_PREFIX) or frame.join_ref is None:
            await self._unmatched(frame)
            return
        if self._stale is not None:  # the client loads the page again, with fresh tokens
            reply = frames.reply(frame.join_ref, frame.ref, frame.topic, FAILED, {"reason": STALE})
            await self.send(reply)
            return
        old = self._channels.pop(frame.topic, None)
        if old is not None:
            # A rejoin or a live navigation on the same topic replaces the running LiveView.
            await old.stop()
            await self.send(frames.encode(old.join_ref, old.join_ref, old.topic, CLOSE, {}))
        self._channels[frame.topic] = LiveChannel(
            topic=frame.topic,
            join=frame,
            config=self._config,
            send=self.send,
            root_path=self._root_path,
            on_end=self._forget,
        )

    def _forget(self, channel: LiveChannel) -> None:
        if self._channels.get(channel.topic) is channel:
            del self._channels[channel.topic]

    async def _unmatched(self, frame: Frame) -> None:
        await self.send(
            frames.reply(None, frame.ref, frame.topic, FAILED, {"reason": "unmatched topic"})
        )


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())
