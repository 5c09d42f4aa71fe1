"""Key, focus/blur and hook events, a hook reply and a pushed event, for the e2e tests."""

from __future__ import annotations

from typing import Any

from liveview import LiveView, LiveViewApp, LiveViewSocket

HOOKS = """
<script>
window.LiveViewHooks = {
  Pinger: {
    mounted() {
      this.handleEvent("pong-back", ({n}) => { this.el.dataset.pushed = String(n); });
      this.el.addEventListener("click", () => {
        this.pushEvent("ping", {n: 41}, (reply) => { this.el.dataset.reply = String(reply.n); });
      });
    }
  }
};
</script>
"""


class Events(LiveView):
    template = """
    <input id="keys" phx-keyup="key" phx-focus="focus" phx-blur="blur">
    <input id="other">
    <p>last key <span id="last-key">{{ key }}</span>, focus <span id="focus">{{ focus }}</span></p>
    <button id="pinger" phx-hook="Pinger">ping</button>
    <p id="pings">{{ pings }}</p>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(key="", focus="none", pings=0)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> Any:
        if event == "key":
            socket.assign(key=payload["key"])
        elif event in ("focus", "blur"):
            socket.assign(focus=event)
        elif event == "ping":
            socket.assign(pings=socket.assigns.pings + 1)
            socket.push_event("pong-back", {"n": payload["n"] + 2})
            return {"n": payload["n"] + 1}
        return None


app = LiveViewApp(routes={"/events": Events}, head=HOOKS, secret="e2e")
