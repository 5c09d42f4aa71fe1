"""A page whose tokens last 3 seconds, for the expired-token e2e test: a tab that reconnects
after that is refused as stale and loads the page again."""

from __future__ import annotations

from typing import Any

from liveview import LiveView, LiveViewApp, LiveViewSocket


class Page(LiveView):
    template = '<p id="mounted">{{ connected }}</p>'

    async def mount(self, socket: LiveViewSocket, session: Any, params: Any) -> None:
        socket.assign(connected="connected" if socket.connected else "dead")


MAX_AGE = 3

app = LiveViewApp(routes={"/": Page}, secret="e2e-short-tokens", max_age=MAX_AGE)
