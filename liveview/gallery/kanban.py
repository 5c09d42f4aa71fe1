"""A multi-player kanban board: each card is a live component with its own state and events.

Open it in two tabs. A card renamed, moved, added or deleted in one shows in the other: the
change is published on the board's topic and every open board applies it. A rename reaches
each board as `send_update(Card, id=...)`, so its frame carries only that card's part (its cid
under `"c"`), however many cards the board has. Whether a card shows its notes, or is being
edited, is that card's own state in that tab (component assigns), kept while the board around
it re-renders; "Collapse all" sends one event to every card, through `phx-target=".card"`.
Cards filtered out leave the page (the browser tells the server, which ends them); cleared,
they come back as new components.

The cards live in this process (`CARDS`); messages carry whole cards, so boards in other
processes (Redis or PostgreSQL pub/sub) apply them to their own copy. A real app keeps them in
its database.
"""

from __future__ import annotations

import itertools
from typing import Any

from liveview import ComponentSocket, LiveComponent, LiveView, LiveViewSocket
from liveview.gallery.example import Example

TOPIC = "kanban:board"
COLUMNS = [("todo", "To do"), ("doing", "Doing"), ("done", "Done")]
CARDS: dict[str, dict[str, Any]] = {}
_ids = itertools.count(1)


def _seed() -> None:
    for column, title, notes in [
        ("todo", "Write the docs", "Getting started, then components."),
        ("todo", "Try it in two tabs", "Rename a card here, watch the other tab."),
        ("doing", "Build the board", "One LiveComponent per card."),
        ("done", "Set up pub/sub", "SingleProcessPubSub by default."),
    ]:
        card_id = f"c{next(_ids)}"
        CARDS[card_id] = {"id": card_id, "title": title, "notes": notes, "column": column}


_seed()


def apply(message: dict[str, Any]) -> None:
    """Apply a board message to this process's cards (idempotent: every board applies it)."""
    card = message.get("card")
    if not isinstance(card, dict) or not isinstance(card.get("id"), str):
        return
    if message.get("op") == "deleted":
        CARDS.pop(card["id"], None)
    else:
        CARDS[card["id"]] = card


async def publish(socket: LiveViewSocket | ComponentSocket, op: str, card: dict[str, Any]) -> None:
    message: dict[str, Any] = {"op": op, "card": card}
    apply(message)
    await socket.pubsub.publish(TOPIC, message)


class Card(LiveComponent):
    """One card: its title (editable in place), notes (shown on demand), move and delete."""

    template = """
    <li id="card-{{ id }}" class="card">
      {% if editing %}
      <form id="edit-{{ id }}" phx-submit="save" phx-target="{{ myself }}">
        <input name="title" value="{{ card.title }}" aria-label="Title" autofocus>
        <button>Save</button>
        <button type="button" phx-click="cancel" phx-target="{{ myself }}">Cancel</button>
      </form>
      {% else %}
      <span class="title" phx-click="edit" phx-target="{{ myself }}">{{ card.title }}</span>
      {% endif %}
      <span class="actions">
        <button class="left" phx-click="move" phx-value-by="-1" phx-target="{{ myself }}"
          {% if card.column == "todo" %}disabled{% endif %}>&larr;</button>
        <button class="right" phx-click="move" phx-value-by="1" phx-target="{{ myself }}"
          {% if card.column == "done" %}disabled{% endif %}>&rarr;</button>
        <button class="notes-toggle" phx-click="toggle" phx-target="{{ myself }}">
          {{ "hide" if expanded else "notes" }}</button>
        <button class="delete" phx-click="delete" phx-target="{{ myself }}">&times;</button>
      </span>
      {% if expanded %}<p class="notes">{{ card.notes or "No notes." }}</p>{% endif %}
    </li>
    """

    async def mount(self, socket: ComponentSocket) -> None:
        socket.assign(editing=False, expanded=False)

    @classmethod
    async def update_many(cls, updates: list[tuple[dict[str, Any], ComponentSocket]]) -> None:
        # Every card the board renders, at once: one lookup (a query, in a real app).
        for assigns, socket in updates:
            card = CARDS.get(assigns["id"])
            if card is not None:
                socket.assign(id=assigns["id"], card=card)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: ComponentSocket
    ) -> None:
        card = socket.assigns.card
        if event == "edit":
            socket.assign(editing=True)
        elif event == "cancel":
            socket.assign(editing=False)
        elif event == "save":
            title = str(payload.get("title", "")).strip()[:80]
            socket.assign(editing=False)
            if title and title != card["title"]:
                await publish(socket, "renamed", {**card, "title": title})
        elif event == "toggle":
            socket.assign(expanded=not socket.assigns.expanded)
        elif event == "collapse":
            socket.assign(expanded=False)
        elif event == "move":
            names = [name for name, _ in COLUMNS]
            at = names.index(card["column"]) + int(payload.get("by", 0))
            if 0 <= at < len(names):
                await publish(socket, "moved", {**card, "column": names[at]})
        elif event == "delete":
            await publish(socket, "deleted", card)


class Kanban(LiveView):
    template = """
    <style>
      .columns { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
      .column { flex: 1 1 12rem; min-width: 0; background: #f3f4f6; border-radius: 8px;
                padding: .5rem 1rem; }
      .column ul { list-style: none; padding: 0; min-height: 2rem; }
      .card { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem;
              background: white; border-radius: 6px; padding: .5rem .6rem; margin: .5rem 0;
              box-shadow: 0 1px 2px #0002; }
      .card .title { cursor: pointer; font-weight: 600; flex: 1 1 6rem; }
      .card .actions { display: flex; gap: .25rem; margin-left: auto; }
      .card .actions button, .card form button { min-height: 1.9rem; padding: .15rem .55rem;
              margin: 0; font-size: .85rem; }
      .card .actions button { background: #fff; color: #4338ca; border-color: #dfe3ec; }
      .card form { display: flex; flex-wrap: wrap; gap: .3rem; flex-basis: 100%; margin: 0; }
      .card form input { flex: 1 1 6rem; min-width: 0; }
      .card .notes { color: #555; margin: .25rem 0 0; flex-basis: 100%; }
    </style>
    <h1>Kanban</h1>
    <p>Open this page in a second tab: cards stay in step. Click a title to rename it.</p>
    <form id="filter" phx-change="filter" phx-submit="filter">
      <input name="q" value="{{ q }}" placeholder="Filter cards" aria-label="Filter">
    </form>
    <button id="collapse-all" phx-click="collapse" phx-target=".card">Collapse all</button>
    <div class="columns">
      {% for column in columns %}
      <section class="column" id="col-{{ column.id }}">
        <h2>{{ column.title }} <small class="count">{{ column.cards|length }}</small></h2>
        <ul>
          {% for card_id in column.cards %}{{ live_component(Card, id=card_id) }}{% endfor %}
        </ul>
        <form class="add" phx-submit="add">
          <input type="hidden" name="column" value="{{ column.id }}">
          <input name="title" placeholder="New card" aria-label="New card in {{ column.title }}">
        </form>
      </section>
      {% endfor %}
    </div>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.page_title = "Kanban"
        socket.assign(q="")
        self.arrange(socket)

    def arrange(self, socket: LiveViewSocket) -> None:
        """The columns as card ids, filtered; each card component reads its card itself."""
        q = socket.assigns.q.lower()
        socket.assign(
            columns=[
                {
                    "id": column,
                    "title": title,
                    "cards": [
                        card["id"]
                        for card in CARDS.values()
                        if card["column"] == column and q in card["title"].lower()
                    ],
                }
                for column, title in COLUMNS
            ]
        )

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "filter":
            socket.assign(q=str(payload.get("q", "")))
            self.arrange(socket)
        elif event == "add":
            title = str(payload.get("title", "")).strip()[:80]
            column = payload.get("column")
            if title and column in dict(COLUMNS):
                card_id = f"c{next(_ids)}"
                card = {"id": card_id, "title": title, "notes": "", "column": column}
                await publish(socket, "added", card)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if not isinstance(info, dict):
            return
        apply(info)  # from another process: this process's copy catches up
        card = info.get("card") or {}
        if info.get("op") == "renamed":
            # Only that card changes: its component updates itself; the board does not render.
            socket.send_update(Card, id=card.get("id"))
        else:
            self.arrange(socket)


EXAMPLES = [
    Example(
        "/kanban",
        Kanban,
        title="Kanban",
        description="A multi-player board: each card a live component.",
        hint="Open this page in a second window. Add, rename and move cards in one; the other "
        "follows.",
        section="Components and JS",
        multiplayer=True,
    ),
]
