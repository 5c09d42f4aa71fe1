"""One count shared by every open tab: a click publishes, every subscribed LiveView updates."""

from typing import Any

from liveview import LiveView, LiveViewSocket

TOPIC = "shared-counter"


class CountStore:
    """The count itself. In-process here; a real app keeps it in its database."""

    value = 0


class SharedCounter(LiveView):
    template = """
    <h1>Shared counter</h1>
    <p>Every tab sees the same count: <strong id="count">{{ count }}</strong></p>
    <button id="dec" phx-click="dec">-</button>
    <button id="inc" phx-click="inc">+</button>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)  # does nothing in the dead render
        socket.assign(count=CountStore.value)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        CountStore.value += 1 if event == "inc" else -1
        await socket.pubsub.publish(TOPIC, {"count": CountStore.value})

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(count=info["count"])
