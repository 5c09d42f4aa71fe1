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
)

logger = logging.getLogger("liveview")


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
    ) -> None:
        # Only the ASGI callables: a Starlette WebSocket would keep its parsed headers, query
        # and cookies for the connection's lifetime (bench/README.md: memory per connection).
        self._receive = receive
        self._asgi_send = send
        self._config = config
        self._root_path = root_path
        self._idle = idle
        self._channels: dict[str, LiveChannel] = {}
        self._closed = False
        self._loop = asyncio.get_running_loop()
        self.last_seen = self._loop.time()
        self._closing: asyncio.Task[None] | None = None

    async def send(self, text: str) -> None:
        """Write one frame; ConnectionError once the websocket is gone."""
        if self._closed:
            raise ConnectionError("websocket closed")
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
            await asyncio.gather(*(channel.stop() for channel in channels))

    async def _on_message(self, message: Message) -> bool:
        """Handle one ASGI message; False once the websocket is gone."""
        if message["type"] == "websocket.disconnect":
            return False
        self.last_seen = self._loop.time()
        text = message.get("text")
        if text is None:
            logger.warning("binary frame ignored: uploads are not supported yet")
        else:
            await self._route_frame(text)
        return True

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

    async def _join(self, frame: Frame) -> None:
        if not frame.topic.startswith(LIVEVIEW_TOPIC_PREFIX) or frame.join_ref is None:
            await self._unmatched(frame)
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
