"""LiveViews for the async e2e tests: a page whose `assign_async` would run for a minute and
writes down what its task did (`/journal` reads it), so a test sees that a task was cancelled
when its page closed, navigated away or crashed; and the gallery's async fetch example."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.gallery.async_fetch import AsyncFetch

JOURNAL: list[str] = []
"""`<tag> started`, then `<tag> cancelled` (or `<tag> finished`, after a minute)."""


async def slow(tag: str) -> dict[str, Any]:
    JOURNAL.append(f"{tag} started")
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        JOURNAL.append(f"{tag} cancelled")
        raise
    JOURNAL.append(f"{tag} finished")  # the last line: never reached in the tests
    return {"data": tag}


class Slow(LiveView):
    template = """
    <p id="state">{% if data.loading %}loading…{% elif data.ok %}{{ data.result }}{% endif %}</p>
    <a id="away" href="/other" data-phx-link="redirect" data-phx-link-state="push">away</a>
    <button id="crash" phx-click="crash">crash</button>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        tag = params.get("tag", "none")

        async def load() -> dict[str, Any]:
            return await slow(tag)

        socket.assign_async("data", load)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "crash":
            raise RuntimeError("crashed on purpose")


class Other(LiveView):
    template = '<p id="other">the other page</p>'


async def journal(request: Request) -> JSONResponse:
    return JSONResponse(JOURNAL)


app = LiveViewApp(
    routes={"/slow": Slow, "/other": Other, "/async": AsyncFetch},
    extra_routes=[Route("/journal", journal)],
)
