"""The LiveView protocol's navigation funnel: patches followed, capped, and navigation away."""

from __future__ import annotations

import html
import logging

import pytest

from liveview import LiveViewApp
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
