"""The LiveView protocol's navigation funnel: patches followed, capped, and navigation away."""

from __future__ import annotations

import asyncio
import html
import logging
from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.channel.live import MAX_PATCH_REDIRECTS
from liveview.static import CONTAINER
from liveview.testing import LiveViewTestClient, ReplyError
from tests.e2e.apps.patch_loop import Counter, Patching


def make_app() -> LiveViewApp:
    return LiveViewApp(routes={"/patching": Patching, "/counter": Counter}, secret="s")


async def test_patches_in_a_row_are_followed_up_to_the_cap() -> None:
    hops = MAX_PATCH_REDIRECTS - 1  # with the first patch: exactly the cap
    async with LiveViewTestClient(make_app()) as client:
        view = await client.live("/patching")
        await view.push("event", {"type": "click", "event": "go", "value": {"hops": hops}})
        patches = [frame[4]["to"] for frame in view.pushes if frame[3] == "live_patch"]
        assert patches == [f"/patching?n={n}" for n in range(1, MAX_PATCH_REDIRECTS + 1)]
        assert "<p id='n'>20</p>" in view.html.replace('"', "'")
        assert view.events == [["patching", {}]]  # the event's effects survive the patches


async def test_a_patch_loop_fails_only_its_view(caplog: pytest.LogCaptureFixture) -> None:
    async with LiveViewTestClient(make_app()) as client:
        other = await client.live("/counter")
        socket = other.socket
        looping = await client.live("/patching", socket=socket)
        await socket.send_frame(
            [looping.join_ref, "99", looping.topic, "event",
             {"type": "click", "event": "go", "value": {"hops": -1}}]
        )  # fmt: skip
        frames = []
        while not frames or frames[-1][3] != "phx_error":
            frames.append(await socket.receive_frame(timeout=2))
        assert [frame[3] for frame in frames].count("live_patch") == MAX_PATCH_REDIRECTS
        assert not any(frame[1] == "99" for frame in frames)  # failed, not answered
        assert "more than 20 patches in a row" in caplog.text
        assert "check its handle_params" in caplog.text

        await other.click("inc")  # the other LiveView on the socket carries on
        assert "<p id='count'>1</p>" in other.html.replace('"', "'")


async def test_a_patch_loop_in_mount_fails_the_join(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    async with LiveViewTestClient(make_app()) as client:
        with pytest.raises(ReplyError) as refused:
            await client.live("/patching?mount_hops=-1")
        assert refused.value.response == {"reason": "join crashed"}
        assert "more than 20 patches in a row" in caplog.text
        view = await client.live("/patching?mount_hops=3")  # a few patches in mount are fine
        assert "<p id='n'>3</p>" in view.html.replace('"', "'")


async def test_patches_in_mount_are_announced_in_the_join_reply() -> None:
    async with LiveViewTestClient(make_app()) as client:
        page = await client.get("/patching?mount_hops=2")
        container = CONTAINER.search(page.text)
        assert container is not None
        socket = await client.connect()
        reply, _ = await socket.request(
            f"lv:{container['id']}",
            "phx_join",
            {
                "url": "http://testserver/patching?mount_hops=2",
                "params": {},
                "session": html.unescape(container["session"]),
                "static": html.unescape(container["static"]),
            },
            join_ref="1",
        )
        response = reply[4]["response"]
        assert response["live_patch"] == {"to": "/patching?n=2", "kind": "push"}  # the last
        assert response["rendered"]["0"] == "2"


class Tally(LiveView):
    """Adds up what is published to "tally", and pushes an event per message."""

    template = "<p id='total'>{{ total }}</p><p id='last'>{{ last }}</p>"
    gate: asyncio.Event | None = None  # while set up, n=0 waits for it

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(total=0, last=-1)
        await socket.subscribe("tally")

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if info["n"] == 0 and Tally.gate is not None:
            await Tally.gate.wait()
        socket.assign(total=socket.assigns.total + info["n"], last=info["n"])
        socket.push_event("got", {"n": info["n"]})

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        socket.assign(last="clicked")


async def test_infos_waiting_together_are_handled_in_order_and_rendered_once() -> None:
    app = LiveViewApp(routes={"/tally": Tally}, secret="s")
    async with LiveViewTestClient(app) as client:
        view = await client.live("/tally")
        for n in range(1, 101):  # no await between them: all wait in the mailbox at once
            await app.pubsub.publish("tally", {"n": n})
        frame = await view.receive_push()
        assert frame[3] == "diff"  # one diff for the hundred messages
        assert "<p id='total'>5050</p><p id='last'>100</p>" in view.html.replace('"', "'")
        assert view.events == [["got", {"n": n}] for n in range(1, 101)]


async def test_a_client_message_ends_a_run_of_infos() -> None:
    app = LiveViewApp(routes={"/tally": Tally}, secret="s")
    Tally.gate = asyncio.Event()
    async with LiveViewTestClient(app) as client:
        view = await client.live("/tally")
        socket = view.socket
        for n in (0, 1, 2):  # the view waits in handle_info(0); 1 and 2 wait in its mailbox
            await app.pubsub.publish("tally", {"n": n})
        click = {"type": "click", "event": "go", "value": {}}
        await socket.send_frame([view.join_ref, "7", view.topic, "event", click])
        await asyncio.sleep(0.05)  # the click is in the mailbox behind them
        await app.pubsub.publish("tally", {"n": 3})
        Tally.gate.set()
        frames = [await socket.receive_frame() for _ in range(3)]
        assert [(f[1], f[3]) for f in frames] == [
            (None, "diff"),
            ("7", "phx_reply"),
            (None, "diff"),
        ]
        assert frames[0][4]["0"] == "3" and frames[2][4]["0"] == "6"  # 0+1+2 before, 3 after
    Tally.gate = None
