"""A LiveView whose `handle_params` patches forever once asked to, beside a plain counter."""

from __future__ import annotations

from typing import Any

from liveview import LiveView, LiveViewApp, LiveViewSocket


class PatchLoop(LiveView):
    template = "<p id='n'>{{ n }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(looping=False, n=0)

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        n = int(params.get("n", 0))
        socket.assign(n=n)
        if socket.assigns.looping:
            socket.push_patch(f"/patch-loop?n={n + 1}")  # the bug: never stops

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        socket.assign(looping=True)
        socket.push_patch("/patch-loop?n=1")


class Counter(LiveView):
    template = "<p id='count'>{{ count }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        socket.assign(count=socket.assigns.count + 1)


app = LiveViewApp(routes={"/patch-loop": PatchLoop, "/counter": Counter}, secret="e2e-secret")
