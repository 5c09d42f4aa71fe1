"""LiveViews and pub/sub in one process: mailbox order, subscriptions' lifetime, timers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket, PubSubGap, SingleProcessPubSub
from liveview.testing import LiveViewTestClient

log: list[str] = []


class Room(LiveView):
    template = "<p id='last'>{{ last }}</p><p id='n'>{{ n }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe("room")
        await socket.subscribe("room")  # twice: still delivered once
        socket.assign(last="", n=0)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "slow-click":
            log.append("event-start")
            await asyncio.sleep(0.05)
            log.append("event-end")
        elif event == "say":
            await socket.broadcast_from("room", {"text": payload["text"]})
        elif event == "later":
            socket.send_info({"text": "timer"}, after=0.02)
        elif event == "tick":
            socket.send_interval({"text": "tick"}, every=0.01)
        elif event == "crash":
            raise RuntimeError("asked to crash")

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if info.get("slow"):
            log.append("info-start")
            await asyncio.sleep(0.05)
            log.append("info-end")
        socket.assign(last=info["text"], n=socket.assigns.n + 1)


@pytest.fixture
async def app() -> AsyncIterator[LiveViewApp]:
    yield LiveViewApp(routes={"/room": Room}, secret="s", pubsub=SingleProcessPubSub())


async def test_delivery_and_click_never_interleave(app: LiveViewApp) -> None:
    log.clear()
    async with LiveViewTestClient(app) as client:
        view = await client.live("/room")
        await app.pubsub.publish("room", {"text": "slow one", "slow": True})
        await view.push("event", {"type": "click", "event": "slow-click", "value": {}})
        assert log == ["info-start", "info-end", "event-start", "event-end"]
        await view.wait_for(lambda html: "slow one" in html)


async def test_published_message_reaches_every_subscribed_view_once(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        views = [await client.live("/room") for _ in range(3)]
        await app.pubsub.publish("room", {"text": "hello <all>"})
        for view in views:
            html = await view.wait_for(lambda html: "hello" in html)
            assert "hello &lt;all&gt;" in html
            assert "<p id='n'>1</p>" in html


async def test_broadcast_from_skips_the_sender(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        sender = await client.live("/room")
        other = await client.live("/room")
        await sender.click("say", {"text": "hi"})
        await other.wait_for(lambda html: "hi" in html)
        await sender.click("later")  # the timer's info is the next thing the sender receives
        await sender.wait_for(lambda html: "timer" in html)
        assert "<p id='n'>1</p>" in sender.html  # only the timer, never its own "hi"


async def test_interval_repeats_and_dies_with_the_view(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        view = await client.live("/room")
        await view.click("tick")
        await view.wait_for(lambda html: "<p id='n'>3</p>" in html)
        await view.leave()
        assert app.pubsub.subscription_count == 0


async def test_subscriptions_end_with_every_kind_of_ending(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        for _ in range(5):
            left = await client.live("/room")
            await left.leave()
            closed = await client.live("/room")
            await closed.socket.close()
            crashed = await client.live("/room")
            await crashed.socket.send_frame(
                [crashed.join_ref, "9", crashed.topic, "event", {"type": "click", "event": "crash"}]
            )
            assert (await crashed.socket.receive_frame())[3] == "diff"  # liveview:error
            assert (await crashed.socket.receive_frame())[3] == "phx_error"
        replaced = await client.live("/room")
        await replaced.rejoin()
        assert app.pubsub.subscription_count == 1
        await replaced.socket.close()
        for _ in range(100):
            if app.pubsub.subscription_count == 0:
                break
            await asyncio.sleep(0.01)
        assert app.pubsub.subscription_count == 0


async def test_dead_render_subscribes_nothing(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        for _ in range(3):
            assert (await client.get("/room")).status_code == 200
        assert app.pubsub.subscription_count == 0


class Naive(LiveView):
    """handle_info written for the messages it expects only, as the README's first examples."""

    template = "<p id='count'>{{ count }}</p><p id='gaps'>{{ gaps }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe("counts")
        socket.assign(count=0, gaps="")

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(count=info["count"])

    async def handle_gap(self, topic: str | None, socket: LiveViewSocket) -> None:
        socket.assign(gaps=f"{socket.assigns.gaps} {topic}".strip())


async def test_a_gap_goes_to_handle_gap_and_handle_info_gets_only_messages() -> None:
    # Before, a PubSubGap arrived in handle_info, and code like this crashed on it after a
    # broker blip ('PubSubGap' object is not subscriptable): every tab reset.
    pubsub = SingleProcessPubSub()
    async with LiveViewTestClient(LiveViewApp(routes={"/": Naive}, pubsub=pubsub)) as client:
        view = await client.live("/")
        await pubsub.publish("counts", {"count": 3})
        await view.wait_for(lambda html: "<p id='count'>3</p>" in html)
        pubsub._hub.deliver("counts", PubSubGap("counts"))  # what a backend does after a blip
        await view.wait_for(lambda html: "<p id='gaps'>counts</p>" in html)
        await pubsub.publish("counts", {"count": 4})
        await view.wait_for(lambda html: "<p id='count'>4</p>" in html)
