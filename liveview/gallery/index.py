"""The gallery's index: a card per example, by section, with a badge on the multi-player ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from liveview import LiveView, LiveViewSocket
from liveview.gallery.example import SECTIONS, Example


def index_view(examples: Sequence[Example]) -> type[LiveView]:
    """The index LiveView over `examples` (a class per gallery app, as each lists its own)."""
    sections = [
        (name, [example for example in examples if example.section == name])
        for name in SECTIONS
    ]
    shown = [(name, cards) for name, cards in sections if cards]

    class Index(LiveView):
        template = """
        <h1>liveview gallery</h1>
        <p class="lead">Server-rendered, real-time, multi-player pages in Python, driven by the
          official Phoenix LiveView client. Each example shows its source beside it.
          <span class="badge">multi-player</span> pages are made to be opened in two windows.</p>
        {% for name, cards in sections %}
        <section aria-labelledby="section-{{ loop.index }}">
          <h2 id="section-{{ loop.index }}">{{ name }}</h2>
          <ul class="grid cards">
            {% for e in cards %}
            <li class="card">
              <a class="card-link" href="{{ e.route }}">{{ e.title }}</a>
              {% if e.multiplayer %}<span class="badge">multi-player</span>{% endif %}
              <p class="muted">{{ e.description }}</p>
            </li>
            {% endfor %}
          </ul>
        </section>
        {% endfor %}
        """

        async def mount(
            self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
        ) -> None:
            socket.assign(sections=shown)

    return Index
