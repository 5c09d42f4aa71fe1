"""Silent websockets are closed, as Phoenix closes them; heartbeating ones stay."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket, SingleProcessPubSub
from liveview.channel.idle import CLOSE_CODE, IDLE_TIMEOUT
from liveview.testing import LiveViewTestClient, WebSocketClosed


class Quiet(LiveView):
    template = "<p>{{ n }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe("quiet")
        socket.assign(n=0)


def make_app(timeout: float | None) -> LiveViewApp:
    app = LiveViewApp(routes={"/quiet": Quiet}, secret="s", pubsub=SingleProcessPubSub())
    app.idle_sweeper.timeout = timeout
    return app


def test_the_default_is_phoenixs() -> None:
    assert IDLE_TIMEOUT == 60.0
    assert LiveViewApp(routes={}, secret="s").idle_sweeper.timeout == 60.0


async def test_a_silent_websocket_is_closed_and_its_liveviews_end() -> None:
    app = make_app(0.2)
    async with LiveViewTestClient(app) as client:
        view = await client.live("/quiet")
        assert app.pubsub.subscription_count == 1
        with pytest.raises(WebSocketClosed) as closed:
            await view.socket.receive_frame(timeout=2.0)
        assert closed.value.code == CLOSE_CODE != 1000  # 1000 makes the client reload the page
        for _ in range(100):
            if app.pubsub.subscription_count == 0:
                break
            await asyncio.sleep(0.01)
        assert app.pubsub.subscription_count == 0


async def test_heartbeats_keep_it_open() -> None:
    app = make_app(0.2)
    async with LiveViewTestClient(app) as client:
        view = await client.live("/quiet")
        for _ in range(12):  # 0.6 s, three timeouts long
            reply, _ = await view.socket.request("phoenix", "heartbeat", {})
            assert reply[4] == {"status": "ok", "response": {}}
            await asyncio.sleep(0.05)
        await app.pubsub.publish("quiet", {})  # still joined and subscribed
        assert app.pubsub.subscription_count == 1


async def test_none_never_closes() -> None:
    app = make_app(None)
    async with LiveViewTestClient(app) as client:
        view = await client.live("/quiet")
        with pytest.raises(TimeoutError):
            await view.socket.receive_frame(timeout=0.3)
