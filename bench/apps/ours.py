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
from liveview.pubsub import from_url

TOPIC = "bench"

SHAPE = os.environ.get("BENCH_SHAPE", "list")
"""run.py --shape: "list" (the issue's: every entry changes every round) or "feed" (the last
ten counts, newest first: each round one entry comes in at the top and the others shift down),
or one of the shapes of issue 19 where each LiveView builds its data in Python: "built" (the
list's rows built in `handle_info`, a new list of dicts per LiveView), "user" ("built" plus the
LiveView's own user name in the header) and "chat" (each LiveView appends the published
message to its own list of the last 50)."""

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


def page(items: str, header: str = "") -> str:
    """The bench page's markup around ``items`` (the list's entries), ``header`` after the h1."""
    return (
        """<main class="bench">
  <h1>Shared count: <span id="count">{{ count }}</span></h1>"""
        + header
        + """
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
        + items
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


class Bench(LiveView):
    """Shapes "list" and "feed": the list derived from the count in the template."""

    template = page(_LIST)

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


BUILT_ROWS = '{% for row in rows %}<li class="{{ row.cls }}">{{ row.text }}</li>{% endfor %}'


def built_rows(count: int) -> list[dict[str, str]]:
    """The "list" shape's ten entries for ``count``, built in Python (a new list each call)."""
    return [
        {
            "cls": "even" if (count + i) % 2 == 0 else "odd",
            "text": f"Item {i + 1}: {count * 10 + i}",
        }
        for i in range(10)
    ]


class Built(Bench):
    """Shape "built": `handle_info` builds the rows and assigns them, as Python code does."""

    template = page(BUILT_ROWS)

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0, rows=built_rows(0))
        await socket.subscribe(TOPIC)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        count = info["count"]
        socket.assign(count=count, rows=built_rows(count))


class User(Built):
    """Shape "user": "built" plus a per-LiveView user name in the header."""

    template = page(BUILT_ROWS, '\n  <p class="user">Signed in as {{ user }}</p>')

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0, rows=built_rows(0), user=f"user-{socket.id}")
        await socket.subscribe(TOPIC)


CHAT_LENGTH = 50


def message(count: int) -> dict[str, Any]:
    """The message published as ``count``: an id, an author and 60 characters of text."""
    return {"id": count, "author": f"user{count % 7}", "text": f"{count:>6} " + "x" * 53}


class Chat(Bench):
    """Shape "chat": the click publishes a message; each LiveView appends the message it
    receives to its own list of the last 50."""

    template = page(
        '{% for m in messages %}<li id="m{{ m.id }}"><b>{{ m.author }}</b> {{ m.text }}</li>'
        "{% endfor %}"
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0, messages=[])
        await socket.subscribe(TOPIC)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "inc":
            count = socket.assigns.count + 1
            await socket.pubsub.publish(TOPIC, {"count": count, "message": message(count)})

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        messages = [*socket.assigns.messages[-(CHAT_LENGTH - 1) :], info["message"]]
        socket.assign(count=info["count"], messages=messages)


SHAPES: dict[str, type[LiveView]] = {
    "list": Bench, "feed": Bench, "built": Built, "user": User, "chat": Chat,
}  # fmt: skip

app = LiveViewApp(
    routes={"/bench": SHAPES[SHAPE]},
    # bench/deploy.py runs it on Redis in several processes; otherwise one process
    pubsub=from_url(os.environ["BENCH_PUBSUB_URL"])
    if os.environ.get("BENCH_PUBSUB_URL")
    else SingleProcessPubSub(),
    secret="bench-not-secret",
    title="bench",
)
