"""A counter kept by each tab's own LiveView: clicks become events, the count an assign."""

from typing import Any

from liveview import LiveView, LiveViewSocket
from liveview.gallery.example import Example


class Counter(LiveView):
    template = """
    <h1>Counter</h1>
    <p>Count: <strong id="count">{{ count }}</strong></p>
    <button id="dec" phx-click="dec">-</button>
    <button id="inc" phx-click="inc">+</button>
    {% if count >= 10 %}<p id="big">That is a big number.</p>{% endif %}
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0)
        socket.page_title = "Counter"

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)
        elif event == "dec":
            socket.assign(count=socket.assigns.count - 1)
        else:
            await super().handle_event(event, payload, socket)


EXAMPLES = [
    Example(
        "/counter",
        Counter,
        title="Counter",
        description="A count per tab: click events and assigns.",
        hint="Click + and -. Each tab keeps its own count; past 10 the page says so.",
    ),
]
