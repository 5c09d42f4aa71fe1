"""The channels of one client connection, whatever carries its frames.

A tab's official client multiplexes every LiveView (and upload) of the page over one transport:
a websocket (`liveview.channel.connection`) or, where websockets cannot get through, Phoenix's
long poll (`liveview.channel.longpoll_session`). Both hand each frame they read to a
`ChannelRouter`, which answers heartbeats, starts a `LiveChannel` per joined `lv:` topic and an
`UploadChannel` per `lvu:` topic, and hands every other message to the channel of its topic. The
transport supplies `send`. Bad input gets an error reply where the client can match one, and
never ends the connection.
"""

from __future__ import annotations

import abc
import asyncio
import logging

from liveview.channel import frames
from liveview.channel.config import ChannelConfig
from liveview.channel.frames import Frame, MalformedFrame
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


class ChannelRouter(abc.ABC):
    """Routes the frames of one client connection to its channels; the transport sends."""

    def __init__(self, config: ChannelConfig, root_path: str, *, stale: str | None = None) -> None:
        self._config = config
        self._root_path = root_path
        self._channels: dict[str, LiveChannel] = {}
        self._uploads: dict[str, UploadChannel] = {}  # `lvu:` topics: one file's chunks each
        self._stale = stale  # why the page's CSRF token failed: every join is answered stale

    @abc.abstractmethod
    async def send(self, text: str) -> None:
        """Write one frame to the client; ConnectionError once the transport is gone."""

    async def stop_channels(self) -> None:
        """End every channel: the transport is gone."""
        channels = list(self._channels.values())
        self._channels.clear()
        for upload in list(self._uploads.values()):
            upload.stop()
        await asyncio.gather(*(channel.stop() for channel in channels))

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
