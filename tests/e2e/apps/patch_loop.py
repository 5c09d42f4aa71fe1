"""A LiveView that patches a given number of times in a row (forever with -1), beside a
counter: for the patch-cap tests, in-process and on a real server."""

from __future__ import annotations

from typing import Any

from liveview import LiveView, LiveViewApp, LiveViewSocket


class Patching(LiveView):
    """Patches `hops` more times after each patch asked for (forever when `hops` is -1)."""

    template = "<p id='n'>{{ n }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        # the connected mount only: in the dead render a patch is a plain HTTP redirect
        socket.assign(hops=int(params.get("mount_hops", 0)) if socket.connected else 0, n=0)

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        n = int(params.get("n", 0))
        socket.assign(n=n)
        hops = socket.assigns.hops
        if hops:
            socket.assign(hops=hops - 1)
            socket.push_patch(f"/patching?n={n + 1}")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        socket.assign(hops=int(payload["hops"]))
        socket.push_event("patching", {})
        socket.push_patch("/patching?n=1")


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


app = LiveViewApp(routes={"/patching": Patching, "/counter": Counter}, secret="e2e-secret")
