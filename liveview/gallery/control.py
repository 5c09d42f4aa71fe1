"""Two LiveView classes on one topic: a control page drives every open display page.

Messages carry the lamp's whole state, computed from the clicking LiveView's assigns, and every
process keeps the last state it received in `STATE` for pages opened later (a real app keeps it
in its database), so this works across server processes too.
"""

from typing import Any

from liveview import LiveView, LiveViewSocket
from liveview.gallery.example import Example

TOPIC = "lamp"
STATE: dict[str, Any] = {"on": False, "color": "white"}  # the lamp; a real app stores it
COLORS = ("white", "red", "green", "blue")


class Control(LiveView):
    template = """
    <h1>Lamp control</h1>
    <p><button id="toggle" phx-click="toggle">
      {%- if on %}Turn off{% else %}Turn on{% endif %}</button></p>
    <p class="row" role="group" aria-label="Colour">
    {% for c in colors %}
    <button id="color-{{ c }}" phx-click="color" phx-value-color="{{ c }}"
            aria-pressed="{{ 'true' if c == color else 'false' }}">{{ c }}</button>
    {% endfor %}
    </p>
    <p>Open <a href="/display" target="_blank">the display</a> in other tabs.</p>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.assign(colors=COLORS, **STATE)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        state = {"on": socket.assigns.on, "color": socket.assigns.color}
        if event == "toggle":
            state["on"] = not state["on"]
        elif event == "color" and payload.get("color") in COLORS:
            state["color"] = payload["color"]
        await socket.pubsub.publish(TOPIC, state)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        apply_state(info, socket)

    async def handle_gap(self, topic: str | None, socket: LiveViewSocket) -> None:
        socket.assign(**STATE)  # messages may have been missed: show what we know


class Display(LiveView):
    template = """
    <h1>Lamp</h1>
    <div id="lamp" class="lamp {{ 'on' if on else 'off' }}"
         style="width:8rem; height:8rem; border-radius:50%; border:2px solid #333;
                background:{{ color if on else '#222' }}">
    </div>
    <p id="status">{% if on %}On, {{ color }}{% else %}Off{% endif %}</p>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.assign(**STATE)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        apply_state(info, socket)

    async def handle_gap(self, topic: str | None, socket: LiveViewSocket) -> None:
        socket.assign(**STATE)  # messages may have been missed: show what we know


def apply_state(info: Any, socket: LiveViewSocket) -> None:
    """A lamp state from the topic (remembered for later pages)."""
    STATE.update(on=bool(info["on"]), color=str(info["color"]))
    socket.assign(**STATE)


EXAMPLES = [
    Example(
        "/control",
        Control,
        title="Lamp control",
        description="One page drives every open display page.",
        hint="Open the display in a second window (the link below), then switch the lamp and "
        "pick colours here.",
        section="Multi-player",
        multiplayer=True,
    ),
    Example(
        "/display",
        Display,
        title="Lamp display",
        description="Another LiveView class on the control's topic.",
        hint="Open the lamp control in a second window and use it: this lamp follows.",
        section="Multi-player",
        multiplayer=True,
    ),
]
