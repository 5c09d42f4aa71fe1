"""Servers (the Phoenix LiveView course's classic): a list of servers, the selected one's details,
a button to take it up or down, and a form to add one; every tab follows through pub/sub.

The selection is in the URL (`?id=3`): the list's entries are patch links, so choosing one runs
`handle_params` without a remount, and back and forward go through the servers looked at. A new
server is saved, broadcast, and selected with `push_patch`. The list is kept per process in
`SERVERS`, fed from the messages each process receives (so a page opened later in any process
starts in step); a real app keeps it in its database.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator

from liveview import LiveView, LiveViewSocket, PubSubUnavailable
from liveview.forms import to_form
from liveview.gallery.example import Example
from liveview.gallery.pagination import whole_number

TOPIC = "servers"
NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
FRAMEWORKS = ("Starlette", "Django", "Flask", "FastAPI", "Phoenix")


def seed() -> dict[int, dict[str, Any]]:
    names = ("dancing-lizard", "lively-frog", "curious-raven", "tranquil-otter", "swift-falcon")
    return {
        n: {
            "id": n,
            "name": name,
            "framework": FRAMEWORKS[n % len(FRAMEWORKS)],
            "size": 10.0 + n * 7.5,
            "status": "down" if n == 3 else "up",
            "deploys": 3 * n + 1,
        }
        for n, name in enumerate(names, start=1)
    }


SERVERS = seed()
"""id -> server, in this process."""
MAX_SERVERS = 50
"""A demo's list stays short: the form refuses more."""


def new_id() -> int:
    """A random id, unique among the servers this process knows: processes sharing a broker
    pick ids independently (a real app's database picks them)."""
    while (number := 1000 + secrets.randbelow(9_000_000)) in SERVERS:
        pass
    return number


class NewServer(BaseModel):
    name: str = Field(min_length=2, max_length=40)
    framework: Literal["Starlette", "Django", "Flask", "FastAPI", "Phoenix"]
    size: float = Field(gt=0, le=10_000)

    @field_validator("name", mode="before")
    @classmethod
    def stripped(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("name")
    @classmethod
    def unique(cls, name: str) -> str:
        if not NAME.fullmatch(name):
            raise ValueError("use lowercase letters, digits and dashes, like brave-badger")
        if any(server["name"] == name for server in SERVERS.values()):
            raise ValueError("is already taken")
        return name


class Servers(LiveView):
    template = """
    {% from "liveview/forms.html" import input %}
    <h1>Servers</h1>
    {% if notice %}<p id="notice" class="notice" role="status">{{ notice }}</p>{% endif %}
    <div class="grid">
      <nav id="server-list" aria-label="Servers">
        <ul>
        {% for s in servers %}
          <li><a id="server-{{ s.id }}" href="{{ path }}?id={{ s.id }}" data-phx-link="patch"
                 data-phx-link-state="push"
                 {% if selected and s.id == selected.id %}aria-current="page"{% endif %}>
            <span class="status {{ s.status }}" title="{{ s.status }}">●</span>
            {{ s.name }}</a></li>
        {% endfor %}
        </ul>
      </nav>
      <section id="details" aria-live="polite">
      {% if selected %}
        <h2>{{ selected.name }}</h2>
        <dl>
          <dt>Status</dt>
          <dd id="status" class="status {{ selected.status }}">{{ selected.status }}</dd>
          <dt>Framework</dt><dd>{{ selected.framework }}</dd>
          <dt>Size</dt><dd>{{ selected.size }} MB</dd>
          <dt>Deploys</dt><dd>{{ selected.deploys }}</dd>
        </dl>
        <button id="toggle" phx-click="toggle" phx-value-id="{{ selected.id }}">
          {{ "Take down" if selected.status == "up" else "Bring up" }}</button>
      {% else %}
        <p>No server yet: add one.</p>
      {% endif %}
      </section>
    </div>
    <h2>Add a server</h2>
    <form id="{{ form.id }}" class="lv-form" phx-change="validate" phx-submit="save" novalidate>
      {{ input(form["name"], label="Name", placeholder="brave-badger", autocomplete="off") }}
      {{ input(form["framework"], type="select", label="Framework", prompt="Choose one") }}
      {{ input(form["size"], type="number", label="Size (MB)", step="0.1", min="0") }}
      <button id="save" type="submit" phx-disable-with="Saving…">Add server</button>
    </form>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.assign(
            servers=list(SERVERS.values()),
            form=to_form(NewServer),
            notice="",
        )

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        socket.assign(path=urlsplit(url).path or "/")
        asked = params.get("id")
        server = SERVERS.get(whole_number(asked) or 0) if asked is not None else None
        if server is None and asked is not None:
            socket.assign(notice=f"There is no server {asked!r}: showing the first.")
        elif asked is not None:
            socket.assign(notice="")
        if server is None:
            server = next(iter(SERVERS.values()), None)
        socket.assign(selected=server)
        socket.page_title = f"Servers: {server['name']}" if server else "Servers"

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "validate":
            socket.assign(form=to_form(NewServer, payload.get("new_server"), action="validate"))
        elif event == "save":
            form = to_form(NewServer, payload.get("new_server"), action="submit")
            if not form.valid:
                socket.assign(form=form)
                return
            if len(SERVERS) >= MAX_SERVERS:
                socket.assign(
                    notice=f"The list is full ({MAX_SERVERS} servers): a demo keeps it short."
                )
                return
            server = {"id": new_id(), **form.data.model_dump(), "status": "up", "deploys": 0}
            if await self.publish(socket, server):
                socket.assign(form=to_form(NewServer))  # saved: an empty form again
                socket.push_patch(f"{socket.assigns.path}?id={server['id']}")
        elif event == "toggle":
            known = SERVERS.get(whole_number(payload.get("id")) or 0)
            if known is not None:
                status = "down" if known["status"] == "up" else "up"
                await self.publish(socket, {**known, "status": status})
        else:
            await super().handle_event(event, payload, socket)

    async def publish(self, socket: LiveViewSocket, server: dict[str, Any]) -> bool:
        """Send the server to every tab; keep it at once, for the patch that selects it."""
        try:
            await socket.pubsub.publish(TOPIC, {"server": server})
        except PubSubUnavailable:
            socket.assign(notice="Not saved: the other servers cannot be reached right now.")
            return False
        self.show(socket, server)
        return True

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if isinstance(info, dict) and isinstance(info.get("server"), dict):
            self.show(socket, info["server"])

    async def handle_gap(self, topic: str | None, socket: LiveViewSocket) -> None:
        socket.assign(servers=list(SERVERS.values()))  # messages may have been missed

    @staticmethod
    def show(socket: LiveViewSocket, server: dict[str, Any]) -> None:
        SERVERS[server["id"]] = server  # the same for every LiveView of this process
        socket.assign(servers=list(SERVERS.values()), notice="")
        if socket.assigns.selected and socket.assigns.selected["id"] == server["id"]:
            socket.assign(selected=server)


CSS = """<style>
#server-list ul { list-style: none; padding: 0; margin: 0; }
#server-list a { display: block; padding: 0.35rem 0.6rem; border-radius: 0.4rem;
  text-decoration: none; }
#server-list a[aria-current="page"] { background: var(--accent-soft); font-weight: 600; }
.status.up { color: #15803d; }
.status.down { color: var(--danger); }
</style>"""

EXAMPLES = [
    Example(
        "/servers",
        Servers,
        title="Servers",
        description="A list, the selected item in the URL (live patch), a form that adds one.",
        hint="Open this page in a second window. Pick a server, take it down, add one: the other "
        "window follows. Back and forward go through the servers you looked at.",
        section="Basics",
        order=80,
        multiplayer=True,
        head=CSS,
    ),
]
