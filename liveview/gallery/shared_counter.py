"""One count shared by every open tab, in every server process: a click publishes the new count,
every subscribed LiveView shows it.

Messages carry the absolute count, computed from the clicking LiveView's assigns, not "+1": with
several processes there is no single in-memory count to add to. `CountStore` keeps the last
count this process received, so a page opened later starts in step; a real app keeps the count
in its database (and reloads it from there when told of a gap).
"""

from typing import Any

from liveview import LiveView, LiveViewSocket, PubSubUnavailable
from liveview.gallery.example import Example

TOPIC = "shared-counter"


class CountStore:
    """The last count this process saw. In-process here; a real app keeps it in its database."""

    value = 0


class SharedCounter(LiveView):
    template = """
    <h1>Shared counter</h1>
    <p>Every tab sees the same count: <strong id="count">{{ count }}</strong></p>
    <button id="dec" phx-click="dec">-</button>
    <button id="inc" phx-click="inc">+</button>
    {% if notice %}<p id="notice" class="notice">{{ notice }}</p>{% endif %}
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)  # does nothing in the dead render
        socket.assign(count=CountStore.value, notice="")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        count = socket.assigns.count + (1 if event == "inc" else -1)
        try:
            # every other LiveView on the topic; this one shows it now, so a second click
            # arriving before any message counts from the new value
            await socket.broadcast_from(TOPIC, {"count": count})
        except PubSubUnavailable:
            socket.assign(notice="Not counted: the other servers cannot be reached right now.")
            return
        CountStore.value = count
        socket.assign(count=count, notice="")

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if isinstance(info, dict) and type(info.get("count")) is int:
            CountStore.value = info["count"]
            socket.assign(count=info["count"], notice="")

    async def handle_gap(self, topic: str | None, socket: LiveViewSocket) -> None:
        socket.assign(count=CountStore.value)  # messages may have been missed: reload


EXAMPLES = [
    Example(
        "/shared-counter",
        SharedCounter,
        title="Shared counter",
        description="One count for every open tab, through pub/sub.",
        hint="Open this page in a second window and click + in either: both windows change.",
        section="Multi-player",
        order=10,
        multiplayer=True,
    ),
]
