"""A page with a form, served with a small `max_frame_size`, for the e2e tests of the limits."""

from __future__ import annotations

from typing import Any

from liveview import LiveView, LiveViewApp, LiveViewSocket

MAX_FRAME_SIZE = 65_536


class Notes(LiveView):
    template = """
    <form id="notes" phx-change="validate">
      <textarea id="text" name="text"></textarea>
    </form>
    <form id="deep" phx-change="validate">
      <input id="deep-input" name="{{ deep_name }}">
    </form>
    <p>Characters: <span id="size">{{ size }}</span></p>
    <p>Mounts: <span id="mounts">{{ mounts }}</span></p>
    """

    mounts = 0

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        if socket.connected:
            Notes.mounts += 1
        socket.assign(size=0, mounts=Notes.mounts, deep_name="a" + "[b]" * 101)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        socket.assign(size=len(payload.get("text", "")))


app = LiveViewApp(routes={"/notes": Notes}, secret="e2e", max_frame_size=MAX_FRAME_SIZE)
