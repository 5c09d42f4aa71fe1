"""`TestWebSocket`: a websocket to the app, driven in-process, speaking raw V2 frames."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
from starlette.types import ASGIApp, Message

from liveview.channel.connection import SEND_TEXT
from liveview.channel.protocol import REPLY
from liveview.testing.exceptions import WebSocketClosed, WebSocketRejected

DEFAULT_TIMEOUT = 5.0


class TestWebSocket:
    """A websocket to the app, speaking raw V2 frames."""

    __test__ = False  # not a pytest test class

    def __init__(self, app: ASGIApp, scope: dict[str, Any]) -> None:
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        # as liveview.server.WebSocketProtocol does: frames written at once, not through ASGI
        scope.setdefault("extensions", {})[SEND_TEXT] = self._written_at_once
        self._task = asyncio.create_task(self._serve(app, scope))
        self._ref = 0
        self.closed_code: int | None = None

    async def _serve(self, app: ASGIApp, scope: dict[str, Any]) -> None:
        async def send(message: Message) -> None:
            if message["type"] == "websocket.close":  # as servers do: the app's receive ends
                await self._to_app.put({"type": "websocket.disconnect", "code": 1000})
            await self._from_app.put(message)

        try:
            await app(scope, self._to_app.get, send)
        finally:
            await self._from_app.put({"type": "websocket.close", "code": 1006})

    write_at_once = True
    """Whether frames are written at once, as ``liveview.server.WebSocketProtocol`` does
    (False: through the ASGI ``send``, as other servers do)."""

    def _written_at_once(self, text: str) -> bool:
        if not self.write_at_once:
            return False
        self._from_app.put_nowait({"type": "websocket.send", "text": text})
        return True

    async def _open(self) -> None:
        await self._to_app.put({"type": "websocket.connect"})
        message = await asyncio.wait_for(self._from_app.get(), DEFAULT_TIMEOUT)
        if message["type"] != "websocket.accept":
            await self._finish()
            raise WebSocketRejected(message.get("code"))

    def next_ref(self) -> str:
        self._ref += 1
        return str(self._ref)

    async def send_text(self, text: str) -> None:
        await self._to_app.put({"type": "websocket.receive", "text": text})

    async def send_bytes(self, data: bytes) -> None:
        await self._to_app.put({"type": "websocket.receive", "bytes": data})

    async def send_frame(self, frame: list[Any]) -> None:
        await self.send_text(orjson.dumps(frame).decode())

    async def receive_message(self, timeout: float = DEFAULT_TIMEOUT) -> str | bytes:
        """The next message from the app as it was sent: text, or bytes for a binary frame.
        Raises WebSocketClosed once the app has closed the websocket."""
        message = await asyncio.wait_for(self._from_app.get(), timeout)
        if message["type"] == "websocket.close":
            self.closed_code = message.get("code", 1000)
            raise WebSocketClosed(self.closed_code or 1000)
        text: str | None = message.get("text")
        if text is not None:
            return text
        data: bytes = message["bytes"]
        return data

    async def receive_frame(self, timeout: float = DEFAULT_TIMEOUT) -> list[Any]:
        frame: list[Any] = orjson.loads(await self.receive_message(timeout))
        return frame

    async def request(
        self,
        topic: str,
        event: str,
        payload: dict[str, Any],
        *,
        join_ref: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> tuple[list[Any], list[list[Any]]]:
        """Send a message and wait for its reply; returns (reply, frames pushed meanwhile)."""
        ref = self.next_ref()
        await self.send_frame([join_ref, ref, topic, event, payload])
        pushed: list[list[Any]] = []
        reply = await self.receive_reply(ref, pushed.append, timeout)
        return reply, pushed

    async def receive_reply(
        self,
        ref: str,
        on_push: Callable[[list[Any]], object],
        timeout: float = DEFAULT_TIMEOUT,
    ) -> list[Any]:
        """Receive frames until the reply to message `ref`; each frame that comes before it is
        passed to `on_push`, which may raise to stop the wait."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.receive_frame(max(0.0, deadline - loop.time()))
            if frame[1] == ref and frame[3] == REPLY:
                return frame
            on_push(frame)

    async def close(self) -> None:
        await self._to_app.put({"type": "websocket.disconnect", "code": 1000})
        await self._finish()

    async def _finish(self) -> None:
        try:
            await asyncio.wait_for(self._task, DEFAULT_TIMEOUT)
        except (TimeoutError, asyncio.CancelledError):
            self._task.cancel()
