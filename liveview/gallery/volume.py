"""Volume (LiveViewJS's keyboard example): the arrow keys turn a volume up and down, `m` mutes.

`phx-window-keyup` sends every key released anywhere on the page, as `{"key": ...}`; the view
keeps the keys it knows and ignores the rest, so typing elsewhere does no harm. The buttons do
the same for a mouse or a touch screen. The level is a `<meter>`: assistive technology reads it
as a gauge.
"""

from __future__ import annotations

from typing import Any

from liveview import LiveView, LiveViewSocket
from liveview.gallery.example import Example

STEP = 10
"""Percent per key press."""

KEYS = {
    "ArrowUp": "up",
    "ArrowRight": "up",
    "ArrowDown": "down",
    "ArrowLeft": "down",
    "m": "mute",
    "M": "mute",
}
"""The keys the page reacts to, and the action each stands for."""


class Volume(LiveView):
    template = """
    <h1>Volume</h1>
    <section id="volume" phx-window-keyup="key" aria-live="polite">
      <p id="level" class="big">{% if muted %}Muted{% else %}{{ volume }}%{% endif %}</p>
      <meter id="meter" min="0" max="100" low="30" high="80" optimum="50"
             value="{{ 0 if muted else volume }}">{{ volume }}%</meter>
      <ol id="bars" class="bars" aria-hidden="true">
        {% for bar in bars %}<li class="{{ 'on' if bar else 'off' }}"></li>{% endfor %}
      </ol>
      <p>
        <button id="down" phx-click="down" {% if volume == 0 %}disabled{% endif %}
                aria-label="Volume down">&minus;</button>
        <button id="mute" phx-click="mute" aria-pressed="{{ 'true' if muted else 'false' }}">
          {{ "Unmute" if muted else "Mute" }}</button>
        <button id="up" phx-click="up" {% if volume == 100 %}disabled{% endif %}
                aria-label="Volume up">+</button>
      </p>
    </section>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.page_title = "Volume"
        self.set_volume(socket, 30, muted=False)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "key":
            action = KEYS.get(str(payload.get("key")))
            if action is None:
                return  # another key: nothing to do
            event = action
        volume, muted = socket.assigns.volume, socket.assigns.muted
        if event == "up":
            self.set_volume(socket, min(100, volume + STEP), muted=False)
        elif event == "down":
            self.set_volume(socket, max(0, volume - STEP), muted=False)
        elif event == "mute":
            self.set_volume(socket, volume, muted=not muted)
        else:
            await super().handle_event(event, payload, socket)

    @staticmethod
    def set_volume(socket: LiveViewSocket, volume: int, *, muted: bool) -> None:
        lit = 0 if muted else volume // STEP
        socket.assign(volume=volume, muted=muted, bars=[i < lit for i in range(100 // STEP)])


CSS = """<style>
#bars { display: flex; gap: 0.3rem; list-style: none; padding: 0; margin: 0 0 1rem; }
#bars li { width: 1.4rem; height: 2.4rem; border-radius: 0.3rem; background: var(--border); }
#bars li.on { background: var(--accent); }
#meter { width: 100%; max-width: 24rem; height: 1.4rem; }
</style>"""

EXAMPLES = [
    Example(
        "/volume",
        Volume,
        title="Volume",
        description="The arrow keys and m, anywhere on the page: window key events and a meter.",
        hint="Press the up and down arrows (or right and left) to change the volume, m to mute. "
        "Each key goes to the server, which answers with the new level.",
        section="Basics",
        order=60,
        head=CSS,
    ),
]
