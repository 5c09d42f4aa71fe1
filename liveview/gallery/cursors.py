"""A shared board with live cursors: everyone on the board sees everyone else's pointer.

Each page tracks its visitor on the board's topic with presence (`socket.track`); the meta holds
the name, a colour and the pointer's position. Moving the mouse sends `move` events (the
`Cursors` hook below, registered in the page head); the LiveView updates its presence meta at
most `MAX_UPDATES_PER_SECOND` times a second, keeping the latest position for the next slot, so
a fast mouse costs the broker a bounded number of messages per user. Every page subscribed to
the topic gets the changes as `presence_diff` and applies them with `sync_diff`. A closed tab,
or a server process that dies, takes its cursors off every other page (presence ends with the
LiveView, and with its node). Works across processes on Redis or PostgreSQL.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from liveview import LiveView, LiveViewSocket, sync_diff
from liveview.gallery.example import Example

TOPIC = "cursors:board"
MAX_UPDATES_PER_SECOND = 10
WIDTH, HEIGHT = 600, 360
COLORS = ["#d1495b", "#00798c", "#edae49", "#66a182", "#2e4057", "#8d96a3", "#7b2cbf"]

HOOK = """<script>
window.LiveViewHooks = Object.assign(window.LiveViewHooks || {}, {
  Cursors: {
    mounted() {
      let queued = null;
      this.el.addEventListener("mousemove", (e) => {
        const box = this.el.getBoundingClientRect();
        const at = {x: Math.round(e.clientX - box.left), y: Math.round(e.clientY - box.top)};
        if (queued === null) {
          requestAnimationFrame(() => { this.pushEvent("move", queued); queued = null; });
        }
        queued = at;
      });
    },
  },
});
</script>"""
"""The client side: one `move` event per animation frame at most (the server throttles more)."""


class Cursors(LiveView):
    template = """
    <h1>Cursors</h1>
    <p>Move your pointer over the board; open it in another tab or browser.
    You are <b id="me" style="color: {{ color }}">{{ name }}</b>.
    <span id="count">{{ here }}</span> on the board.</p>
    <div id="board" phx-hook="Cursors"
         style="position: relative; width: 100%; max-width: {{ width }}px; height: {{ height }}px;
                border: 1px solid #c9cfdb; border-radius: .5rem; background: #fbfcfe;
                overflow: hidden; cursor: crosshair">
      {% for c in cursors %}
      <div class="cursor" id="cursor-{{ c.key }}" data-name="{{ c.name }}"
           style="position: absolute; left: {{ c.x }}px; top: {{ c.y }}px; color: {{ c.color }};
                  pointer-events: none">&#x27a4; {{ c.name }}</div>
      {% endfor %}
    </div>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        self.key = secrets.token_hex(4)
        name = str(params.get("name") or f"guest-{self.key[:4]}")[:24]
        color = COLORS[int(self.key, 16) % len(COLORS)]
        self.meta: dict[str, Any] = {"name": name, "color": color, "x": None, "y": None}
        self.sent_at = 0.0
        self.waiting = False  # a flush is scheduled for the latest position
        self.online: dict[str, Any] = {}
        socket.assign(name=name, color=color, width=WIDTH, height=HEIGHT, cursors=[], here=0)
        socket.page_title = "Cursors"
        await socket.subscribe(TOPIC)
        await socket.track(TOPIC, self.key, self.meta)
        self.show(socket, await socket.presence.list(TOPIC))

    def show(self, socket: LiveViewSocket, online: dict[str, Any]) -> None:
        self.online = online
        cursors = []
        for key, entry in sorted(online.items()):
            meta = entry["metas"][-1]  # the newest of a visitor's tabs
            if key != self.key and meta.get("x") is not None:
                cursors.append({"key": key, **meta})
        socket.assign(cursors=cursors, here=len(online))

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event != "move":
            return
        try:
            x = min(max(int(payload["x"]), 0), WIDTH)
            y = min(max(int(payload["y"]), 0), HEIGHT)
        except (KeyError, TypeError, ValueError):
            return  # not a position: ignore it
        self.meta = {**self.meta, "x": x, "y": y}
        wait = self.sent_at + 1 / MAX_UPDATES_PER_SECOND - time.monotonic()
        if wait <= 0:
            await self.publish(socket)
        elif not self.waiting:
            self.waiting = True
            socket.send_info({"flush": True}, after=wait)

    async def publish(self, socket: LiveViewSocket) -> None:
        self.sent_at = time.monotonic()
        # Never waits on the broker: presence sends in the background, and repairs itself
        # after an outage.
        await socket.update_presence(TOPIC, self.key, self.meta)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if isinstance(info, dict) and info.get("flush"):
            self.waiting = False
            await self.publish(socket)
        elif isinstance(info, dict) and info.get("event") == "presence_diff":
            self.show(socket, sync_diff(self.online, info))

    async def handle_gap(self, topic: str | None, socket: LiveViewSocket) -> None:
        self.show(socket, await socket.presence.list(TOPIC))


EXAMPLES = [
    Example(
        "/cursors",
        Cursors,
        title="Cursors",
        description="A shared board with everyone's pointer, through presence.",
        hint="Open this page in a second window and move the pointer over the board.",
        section="Multi-player",
        multiplayer=True,
        head=HOOK,
    ),
]
