"""The bench app on pyview (PyPI `pyview-web`), written against its public API.

Same shape and markup as ours.py: mount subscribes to the topic and sets the count; a click
broadcasts count + 1; handle_info assigns it. pyview's template language (ibis) has no
arithmetic, so the 10 list items are computed from the count in `render` and looped over in the
template. The count is the template's first dynamic, so pyview's diffs carry it as "0".

Runs only in the temporary venv run.py makes (pyview is never installed in the project venv):
`uvicorn pyview_app:app --app-dir bench/apps --ws-per-message-deflate false`.
"""

import os
from typing import Any

from pyview import LiveView, PyView, is_connected
from pyview.events import InfoEvent
from pyview.template import LiveRender, LiveTemplate
from pyview.vendor.ibis import Template

TOPIC = "bench"
SHAPE = os.environ.get("BENCH_SHAPE", "list")  # as in ours.py

TEMPLATE = LiveTemplate(
    Template(
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
        + "{% for item in items %}"
        + '<li class="{{ item.cls }}">Item {{ item.n }}: {{ item.value }}</li>'
        + "{% endfor %}"
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
</main>""",
        template_id="bench",
    )
)


def items(count: int) -> list[dict[str, Any]]:
    if SHAPE == "feed":
        return [
            {"cls": "even" if v % 2 == 0 else "odd", "n": v, "value": v * 10}
            for v in range(count, count - 10, -1)
        ]
    return [
        {"cls": "even" if (count + i) % 2 == 0 else "odd", "n": i + 1, "value": count * 10 + i}
        for i in range(10)
    ]


class Bench(LiveView[dict]):
    async def mount(self, socket, session):
        socket.context = {"count": 0}
        if is_connected(socket):
            await socket.subscribe(TOPIC)

    async def handle_event(self, event, payload, socket):
        if event == "inc":
            await socket.broadcast(TOPIC, socket.context["count"] + 1)

    async def handle_info(self, event: InfoEvent, socket):
        socket.context["count"] = event.payload

    async def render(self, assigns, meta):
        count = assigns["count"]
        return LiveRender(TEMPLATE, {"count": count, "items": items(count)}, meta)


app = PyView()
app.add_live_view("/bench", Bench)
