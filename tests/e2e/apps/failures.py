"""A page whose handler raises, for the e2e test of what a user sees when a LiveView fails."""

from __future__ import annotations

from typing import Any

from liveview import LiveView, LiveViewApp, LiveViewSocket


class Fragile(LiveView):
    template = """
    <p id="count">{{ count }}</p>
    <button id="inc" phx-click="inc">+</button>
    <button id="boom" phx-click="boom">boom</button>
    <button id="save" phx-click="save">save</button>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "boom":
            raise ValueError("the boom button was pressed")  # BOOM LINE
        if event == "save":
            socket.put_flash("info", "Saved.")
        socket.assign(count=socket.assigns.count + 1)


app = LiveViewApp(routes={"/": Fragile}, secret="e2e-failures")
