"""LiveViews for the runtime e2e tests: the gallery's counter, a form validated by hand (the
gallery's first form example; the pydantic ones have tests/e2e/test_forms.py), and a page with
two views on one websocket where one of them crashes on demand."""

from __future__ import annotations

import os
from typing import Any

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.gallery.counter import Counter


class SignupForm(LiveView):
    """Validated as you type (`phx-change`) and saved on submit (`phx-submit`), by hand."""

    template = """
    <h1>Sign up</h1>
    <form id="signup" phx-change="validate" phx-submit="save">
      <label>Name <input id="name" name="user[name]" value="{{ name }}" phx-debounce="0"></label>
      <label>Email <input id="email" name="user[email]" value="{{ email }}"></label>
      <button id="save" type="submit">Save</button>
    </form>
    <p>Hello, <span id="echo">{{ name }}</span>!</p>
    {% if errors %}
    <ul id="errors">{% for error in errors %}<li>{{ error }}</li>{% endfor %}</ul>
    {% endif %}
    {% if saved %}<p id="saved">Saved {{ saved }}.</p>{% endif %}
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(name="", email="", errors=[], saved=None)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        user = payload.get("user", {})
        name, email = user.get("name", ""), user.get("email", "")
        errors = []
        if event == "save" and not name:
            errors.append("Name can't be blank")
        if email and "@" not in email:
            errors.append("Email must contain @")
        socket.assign(name=name, email=email, errors=errors)
        if event == "save" and not errors:
            socket.assign(saved=name)


class Crashy(LiveView):
    template = """
    <h2>Main</h2>
    <p>Clicks: <span id="main-count">{{ count }}</span> mounted {{ mounts }}</p>
    <button id="main-inc" phx-click="inc">+</button>
    <button id="boom" phx-click="boom">Crash</button>
    """

    mounts = 0

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        if socket.connected:
            Crashy.mounts += 1
        socket.assign(count=0, mounts=Crashy.mounts)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "boom":
            raise RuntimeError("boom, as asked")
        socket.assign(count=socket.assigns.count + 1)


class Sidebar(LiveView):
    template = """<aside><span id="side-count">{{ count }}</span>
    <button id="side-inc" phx-click="inc">side +</button></aside>"""

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        socket.assign(count=socket.assigns.count + 1)


# The default layout with a second, independent LiveView embedded beside the page's own.
LAYOUT = """{% extends "liveview/layout.html" %}
{% block body %}{{ live_render("sidebar") }}
{{ super() }}{% endblock %}"""

app = LiveViewApp(
    routes={"/counter": Counter, "/form": SignupForm, "/crash": Crashy},
    embedded={"sidebar": Sidebar},
    layout=LAYOUT,
    secret="e2e-secret",
)

if "E2E_IDLE_TIMEOUT" in os.environ:  # the idle-timeout test: close silent websockets sooner
    app.idle_sweeper.timeout = float(os.environ["E2E_IDLE_TIMEOUT"])
