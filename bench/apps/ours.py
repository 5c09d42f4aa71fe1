"""The bench app on our framework: one topic, a count, ~20 lines of static markup, a 10-item list.

mount subscribes to the topic; a click publishes count + 1; handle_info assigns it. The peers'
apps (pyview_app.py, liveviewjs_app.js) have the same shape and the same markup; the count is the
first dynamic of the template, so every framework's diff carries it as "0".

Served by uvicorn, one worker, as the README serves apps: `uvicorn bench.apps.ours:app
--ws liveview.server:WebSocketProtocol --ws-per-message-deflate false --ws-ping-interval 0`.
"""

import os
from typing import Any

from liveview import LiveView, LiveViewApp, LiveViewSocket, SingleProcessPubSub

TOPIC = "bench"

SHAPE = os.environ.get("BENCH_SHAPE", "list")
"""run.py --shape: "list" (the issue's: every entry changes every round) or "feed" (the last
ten counts, newest first: each round one entry comes in at the top and the others shift down)."""

_LIST = (
    (
        "{% for i in range(10) %}"
        "<li class=\"{{ 'even' if (count + i) % 2 == 0 else 'odd' }}\">"
        "Item {{ i + 1 }}: {{ count * 10 + i }}</li>"
        "{% endfor %}"
    )
    if SHAPE == "list"
    else (
        "{% for v in range(count, count - 10, -1) %}"
        "<li class=\"{{ 'even' if v % 2 == 0 else 'odd' }}\">Item {{ v }}: {{ v * 10 }}</li>"
        "{% endfor %}"
    )
)


class Bench(LiveView):
    template = (
        """<main class="bench">
  <h1>Shared count: <span id="count">{{ count }}</span></h1>
  <header class="top">
    <nav>
      <a href="#home">Home</a>
      <a href="#docs">Docs</a>
      <a href="#about">About</a>
    </nav>
  </header>
  <p class="lead">Every page subscribed to the topic shows the same count.</p>
  <button id="inc" phx-click="inc">Increment</button>
  <ul id="items">
    """
        + _LIST
        + """
  </ul>
  <section class="about">
    <h2>About this page</h2>
    <p>This page is the fan-out benchmark's app.</p>
    <p>One click publishes the next count to a topic.</p>
    <p>Every subscribed LiveView assigns it and re-renders.</p>
    <p>The list below the count depends on it.</p>
  </section>
  <footer>
    <p>Static footer, line one.</p>
    <p>Static footer, line two.</p>
  </footer>
</main>"""
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0)
        await socket.subscribe(TOPIC)  # does nothing in the dead render

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "inc":
            await socket.pubsub.publish(TOPIC, {"count": socket.assigns.count + 1})

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(count=info["count"])


app = LiveViewApp(
    routes={"/bench": Bench}, pubsub=SingleProcessPubSub(), secret="bench-not-secret", title="bench"
)
