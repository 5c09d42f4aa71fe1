"""Presence from LiveViews: `socket.track` in mount, diffs in handle_info, and presences that
end with their LiveView however it ends (leave, closed websocket, crash, navigation)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket, SingleProcessPubSub, sync_diff
from liveview.testing import LiveViewCrashed, LiveViewTestClient

TOPIC = "lobby"


class Online(LiveView):
    template = (
        '<ul id="online">{% for name in names %}<li>{{ name }}</li>{% endfor %}</ul>'
        '<p id="typing">{{ typing }}</p>'
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        await socket.track(TOPIC, params["user"], {"typing": False})
        self.user = params["user"]
        self.show(socket, await socket.presence.list(TOPIC))

    def show(self, socket: LiveViewSocket, online: dict[str, Any]) -> None:
        self.online = online
        typing = sorted(k for k, e in online.items() if any(m["typing"] for m in e["metas"]))
        socket.assign(names=sorted(online), typing=",".join(typing))

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if info["event"] == "presence_diff":
            self.show(socket, sync_diff(self.online, info))

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "type":
            await socket.update_presence(TOPIC, self.user, {"typing": True})
        elif event == "hide":
            await socket.untrack(TOPIC, self.user)
        elif event == "crash":
            raise RuntimeError("asked to crash")
        elif event == "go":
            socket.push_navigate("/elsewhere")


class Broken(LiveView):
    template = "<p>never</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.track(TOPIC, "broken", {})
        if socket.connected:
            raise RuntimeError("mount fails after tracking")


class Elsewhere(LiveView):
    template = "<p>elsewhere</p>"


@pytest.fixture
async def app() -> AsyncIterator[LiveViewApp]:
    yield LiveViewApp(
        routes={"/online": Online, "/elsewhere": Elsewhere, "/broken": Broken},
        secret="s",
        pubsub=SingleProcessPubSub(),
    )


def shows(*names: str) -> Any:
    return lambda html: (
        "".join(f"<li>{n}</li>" for n in names) in html and html.count("<li>") == len(names)
    )


async def test_two_users_see_each_other_and_typing(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        al = await client.live("/online?user=al")
        bo = await client.live("/online?user=bo")
        await al.wait_for(shows("al", "bo"))
        await bo.click("type")
        await al.wait_for(lambda html: '<p id="typing">bo</p>' in html)
        listing = await app.presence.list(TOPIC)
        assert sorted(listing) == ["al", "bo"]
        assert listing["bo"]["metas"][0]["typing"] is True


async def test_presences_end_when_the_view_leaves(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        al = await client.live("/online?user=al")
        bo = await client.live("/online?user=bo")
        await al.wait_for(shows("al", "bo"))
        await bo.leave()
        await al.wait_for(shows("al"))
        assert sorted(await app.presence.list(TOPIC)) == ["al"]


async def test_presences_end_when_the_websocket_closes(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        al = await client.live("/online?user=al")
        bo = await client.live("/online?user=bo")
        await al.wait_for(shows("al", "bo"))
        await bo.socket.close()
        await al.wait_for(shows("al"))


async def test_presences_end_when_the_view_crashes(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        al = await client.live("/online?user=al")
        bo = await client.live("/online?user=bo")
        await al.wait_for(shows("al", "bo"))
        with pytest.raises(LiveViewCrashed):
            await bo.click("crash")
        await al.wait_for(shows("al"))


async def test_presences_end_when_the_view_navigates_away(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        al = await client.live("/online?user=al")
        bo = await client.live("/online?user=bo")
        await al.wait_for(shows("al", "bo"))
        await bo.click("go")
        await al.wait_for(shows("al"))


async def test_two_tabs_of_one_user_then_one_closes(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        watcher = await client.live("/online?user=al")
        tab = await client.live("/online?user=al")
        assert len((await app.presence.list(TOPIC))["al"]["metas"]) == 2
        await tab.click("hide")
        assert len((await app.presence.list(TOPIC))["al"]["metas"]) == 1
        await watcher.wait_for(shows("al"))


async def test_the_dead_render_tracks_nothing(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        response = await client.get("/online?user=al")
        assert response.status_code == 200
        assert await app.presence.list(TOPIC) == {}


async def test_a_mount_that_crashes_after_tracking_leaves_nothing(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        with pytest.raises(LiveViewCrashed, match="mount fails after tracking"):
            await client.live("/broken")
        assert await app.presence.list(TOPIC) == {}
