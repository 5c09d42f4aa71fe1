"""Two LiveView classes on one topic: a control page drives every open display page."""

from typing import Any

from liveview import LiveView, LiveViewSocket

TOPIC = "lamp"
STATE: dict[str, Any] = {"on": False, "color": "white"}  # the lamp; a real app stores it
COLORS = ("white", "red", "green", "blue")


class Control(LiveView):
    template = """
    <h1>Lamp control</h1>
    <button id="toggle" phx-click="toggle">{% if on %}Turn off{% else %}Turn on{% endif %}</button>
    {% for c in colors %}
    <button id="color-{{ c }}" phx-click="color" phx-value-color="{{ c }}">{{ c }}</button>
    {% endfor %}
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
        if event == "toggle":
            STATE["on"] = not STATE["on"]
        elif event == "color" and payload.get("color") in COLORS:
            STATE["color"] = payload["color"]
        await socket.pubsub.publish(TOPIC, dict(STATE))

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(**info)


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
        socket.assign(**info)
