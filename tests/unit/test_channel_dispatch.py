"""LiveViews without a task each: what a handler sees is what a task of its own would give it."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket, SingleProcessPubSub
from liveview.channel.dispatch import Dispatcher, dispatcher
from liveview.testing import LiveViewTestClient

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
seen: list[tuple[str, Any]] = []


class Worker(LiveView):
    template = "<p id='n'>{{ n }}</p><p id='note'>{{ note }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe("work")
        socket.assign(n=0, note="", name=params.get("name", "?"))

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        name = socket.assigns.name
        kind = info["kind"]
        if kind == "context":
            seen.append((name, request_id.get()))
            request_id.set(name)  # must not leak into another LiveView's handler
        elif kind == "task" and name == "slow":
            before = asyncio.current_task()
            await asyncio.sleep(0.01)
            await asyncio.sleep(0)
            seen.append((name, asyncio.current_task() is before))
        elif kind == "timeout" and name == "slow":
            try:
                async with asyncio.timeout(0.02):
                    await asyncio.sleep(5)
            except TimeoutError:
                socket.assign(note="timed out")
        elif kind == "wait" and name == "slow":
            await info_gate.wait()
        socket.assign(n=socket.assigns.n + 1)


info_gate = asyncio.Event()


@pytest.fixture
async def app() -> AsyncIterator[LiveViewApp]:
    seen.clear()
    yield LiveViewApp(routes={"/work": Worker}, secret="s", pubsub=SingleProcessPubSub())


async def test_context_variables_stay_with_their_liveview(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        views = [await client.live(f"/work?name=v{i}") for i in range(3)]
        for _ in range(2):
            await app.pubsub.publish("work", {"kind": "context"})
            for view in views:
                await view.receive_push()
        # each LiveView sees only what it set itself (first its creator's value, "-")
        expected = [(f"v{i}", value) for i in range(3) for value in ("-", f"v{i}")]
        assert sorted(seen) == expected


async def test_a_handler_keeps_its_task_across_awaits_and_timeouts_work(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        slow = await client.live("/work?name=slow")
        fast = await client.live("/work?name=fast")
        await app.pubsub.publish("work", {"kind": "task"})
        await slow.wait_for(lambda html: "<p id='n'>1</p>" in html)
        await fast.wait_for(lambda html: "<p id='n'>1</p>" in html)
        assert seen == [("slow", True)]
        await app.pubsub.publish("work", {"kind": "timeout"})
        await slow.wait_for(lambda html: "timed out" in html)
        await fast.wait_for(lambda html: "<p id='n'>2</p>" in html)


async def test_a_waiting_handler_holds_up_only_its_own_liveview(app: LiveViewApp) -> None:
    info_gate.clear()
    async with LiveViewTestClient(app) as client:
        slow = await client.live("/work?name=slow")
        others = [await client.live(f"/work?name=o{i}") for i in range(3)]
        for _ in range(3):
            await app.pubsub.publish("work", {"kind": "wait"})
        for view in others:  # every message reached the others while `slow` waits
            await view.wait_for(lambda html: "<p id='n'>3</p>" in html)
        assert "<p id='n'>0</p>" in slow.html
        info_gate.set()
        await slow.wait_for(lambda html: "<p id='n'>3</p>" in html)  # in order, none lost


async def test_closing_a_socket_stops_a_waiting_handler(app: LiveViewApp) -> None:
    info_gate.clear()
    async with LiveViewTestClient(app) as client:
        slow = await client.live("/work?name=slow")
        other = await client.live("/work?name=other")
        await app.pubsub.publish("work", {"kind": "wait"})
        await other.wait_for(lambda html: "<p id='n'>1</p>" in html)
        await slow.socket.close()
        for _ in range(100):
            if app.pubsub.subscription_count == 1:
                break
            await asyncio.sleep(0.01)
        assert app.pubsub.subscription_count == 1  # the slow view ended, mid-handler
        await app.pubsub.publish("work", {"kind": "plain"})
        await other.wait_for(lambda html: "<p id='n'>2</p>" in html)


async def test_one_dispatcher_per_loop_and_it_ends_when_idle() -> None:
    first = dispatcher()
    assert dispatcher() is first and isinstance(first, Dispatcher)
    ran: list[int] = []

    class Box:
        def __init__(self, number: int) -> None:
            self.number = number
            self.context = contextvars.copy_context()

        async def drain(self, task: asyncio.Task[None]) -> None:
            assert task is asyncio.current_task()
            ran.append(self.number)

    for number in range(3):
        first.schedule(Box(number))
    while first._task is not None:
        await asyncio.sleep(0)
    assert ran == [0, 1, 2]


async def test_a_long_run_lets_the_loop_in() -> None:
    """Draining thousands of mailboxes visits the event loop every DRAINS_PER_YIELD of them."""
    from liveview.channel.dispatch import DRAINS_PER_YIELD as BATCH

    events: list[str] = []

    class Box:
        def __init__(self) -> None:
            self.context = contextvars.copy_context()

        async def drain(self, task: asyncio.Task[None]) -> None:
            events.append("drain")

    loop_dispatcher = dispatcher()
    for _ in range(3 * BATCH):
        loop_dispatcher.schedule(Box())
    asyncio.get_running_loop().call_soon(events.append, "loop")
    while loop_dispatcher._task is not None:
        await asyncio.sleep(0)
    assert len(events) == 3 * BATCH + 1
    assert events.index("loop") < BATCH  # not after all 768 drains
