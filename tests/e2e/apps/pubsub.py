"""Views for the pub/sub e2e tests: one that crashes on a poisoned message, one that does not."""

from __future__ import annotations

from typing import Any

from liveview import LiveView, LiveViewApp, LiveViewSocket

TOPIC = "fragile-room"


class Fragile(LiveView):
    template = '<p>Fragile got <span id="last">{{ last }}</span></p>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.assign(last="nothing")

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if info["kind"] == "poison":
            raise ValueError("cannot digest poison")
        socket.assign(last=info["n"])


class Sturdy(LiveView):
    template = """<p>Sturdy got <span id="last">{{ last }}</span></p>
    <button id="poison" phx-click="poison">poison</button>
    <button id="normal" phx-click="normal">normal</button>"""

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.assign(last="nothing", sent=0)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        sent = socket.assigns.sent + 1
        socket.assign(sent=sent)
        await socket.pubsub.publish(TOPIC, {"kind": event, "n": str(sent)})

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(last=info["n"])


app = LiveViewApp(routes={"/fragile": Fragile, "/sturdy": Sturdy}, secret="e2e")
