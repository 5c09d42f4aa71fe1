"""The bench app on pyview (PyPI `pyview-web`), written against its public API.

Same shapes and markup as ours.py: mount subscribes to the topic and sets the count; a click
broadcasts count + 1; handle_info assigns it (and, for issue 19's shapes, builds the rows or
appends the message and assigns those too; the user name comes from a counter at mount).
pyview's template language (ibis) has no arithmetic, so for "list" and "feed" the 10 list items
are computed from the count in `render` and looped over in the template. The count is the
template's first dynamic, so pyview's diffs carry it as "0".

Runs only in the temporary venv run.py makes (pyview is never installed in the project venv):
`uvicorn pyview_app:app --app-dir bench/apps --ws-per-message-deflate false`.
"""

import itertools
import os
from typing import Any

from pyview import LiveView, PyView, is_connected
from pyview.events import InfoEvent
from pyview.template import LiveRender, LiveTemplate
from pyview.vendor.ibis import Template

TOPIC = "bench"
SHAPE = os.environ.get("BENCH_SHAPE", "list")  # as in ours.py


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


TEMPLATE = LiveTemplate(
    Template(
        page(
            "{% for item in items %}"
            '<li class="{{ item.cls }}">Item {{ item.n }}: {{ item.value }}</li>'
            "{% endfor %}"
        ),
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


BUILT_ROWS = '{% for row in rows %}<li class="{{ row.cls }}">{{ row.text }}</li>{% endfor %}'
BUILT_TEMPLATE = LiveTemplate(Template(page(BUILT_ROWS), template_id="built"))
USER_TEMPLATE = LiveTemplate(
    Template(
        page(BUILT_ROWS, '\n  <p class="user">Signed in as {{ user }}</p>'), template_id="user"
    )
)


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
    """Shape "built" (issue 19): handle_info builds the rows and assigns them."""

    async def mount(self, socket, session):
        socket.context = {"count": 0, "rows": built_rows(0)}
        if is_connected(socket):
            await socket.subscribe(TOPIC)

    async def handle_info(self, event: InfoEvent, socket):
        count = event.payload
        socket.context.update(count=count, rows=built_rows(count))

    async def render(self, assigns, meta):
        return LiveRender(BUILT_TEMPLATE, assigns, meta)


_users = itertools.count(1)


class User(Built):
    """Shape "user" (issue 19): "built" plus the LiveView's own user name in the header."""

    async def mount(self, socket, session):
        socket.context = {"count": 0, "rows": built_rows(0), "user": f"user-{next(_users)}"}
        if is_connected(socket):
            await socket.subscribe(TOPIC)

    async def render(self, assigns, meta):
        return LiveRender(USER_TEMPLATE, assigns, meta)


CHAT_LENGTH = 50
CHAT_TEMPLATE = LiveTemplate(
    Template(
        page(
            '{% for m in messages %}<li id="m{{ m.id }}"><b>{{ m.author }}</b> {{ m.text }}</li>'
            "{% endfor %}"
        ),
        template_id="chat",
    )
)


def message(count: int) -> dict[str, Any]:
    """The message published as ``count``: an id, an author and 60 characters of text."""
    return {"id": count, "author": f"user{count % 7}", "text": f"{count:>6} " + "x" * 53}


class Chat(Bench):
    """Shape "chat" (issue 19): the click broadcasts a message; each LiveView appends the
    message it receives to its own list of the last 50."""

    async def mount(self, socket, session):
        socket.context = {"count": 0, "messages": []}
        if is_connected(socket):
            await socket.subscribe(TOPIC)

    async def handle_event(self, event, payload, socket):
        if event == "inc":
            count = socket.context["count"] + 1
            await socket.broadcast(TOPIC, {"count": count, "message": message(count)})

    async def handle_info(self, event: InfoEvent, socket):
        count, sent = event.payload["count"], event.payload["message"]
        messages = [*socket.context["messages"][-(CHAT_LENGTH - 1) :], sent]
        socket.context.update(count=count, messages=messages)

    async def render(self, assigns, meta):
        return LiveRender(CHAT_TEMPLATE, assigns, meta)


SHAPES = {"list": Bench, "feed": Bench, "built": Built, "user": User, "chat": Chat}

app = PyView()
app.add_live_view("/bench", SHAPES[SHAPE])
