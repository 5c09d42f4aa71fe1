"""`live_isolated`: a LiveView without a route, mounted with the session given, through the
real dead render and join; given an app, on that app's pub/sub."""

from __future__ import annotations

from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.testing import LiveViewTestClient, live_isolated


class Greeter(LiveView):
    template = '<p id="hi">Hello {{ name }} ({{ "live" if live else "dead" }})</p>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(name=session.get("name", "nobody"), live=socket.connected)


class Listener(LiveView):
    template = '<p id="heard">{{ heard }}</p>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(heard="")
        await socket.subscribe("news")

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(heard=info["text"])


async def test_a_view_without_a_route_mounts_with_the_session_given() -> None:
    async with live_isolated(None, Greeter, session={"name": "Ann"}) as view:
        assert view.element("#hi").render() == '<p id="hi">Hello Ann (live)</p>'
    async with live_isolated(None, Greeter) as view:
        assert "Hello nobody" in view.html


async def test_given_an_app_it_shares_the_apps_pubsub() -> None:
    app = LiveViewApp(routes={"/": Listener}, secret="test-secret")
    async with LiveViewTestClient(app) as client:
        async with live_isolated(app, Listener) as view:
            await app.pubsub.publish("news", {"text": "extra"})
            await view.wait_for(lambda html: "extra" in html)
            assert view.element("#heard").render() == '<p id="heard">extra</p>'
        page = await client.live("/")  # the app's pub/sub still runs once the isolated view left
        await app.pubsub.publish("news", {"text": "again"})
        await page.wait_for(lambda html: "again" in html)


async def test_not_a_liveview_is_an_error() -> None:
    with pytest.raises(TypeError, match="is not a LiveView class"):
        async with live_isolated(None, dict):  # type: ignore[arg-type]
            pass
