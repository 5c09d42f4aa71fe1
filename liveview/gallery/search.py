"""Search with autocomplete: suggestions while you type, results when you search, the search in
the URL.

Typing sends `phx-change` events, held back by the client until typing pauses for 300 ms
(`phx-debounce="300"`), so the server answers pauses rather than keystrokes; the suggestions go
into a `<datalist>`, which the browser shows under the field and lets you pick from with the
arrow keys and Enter. Submitting patches the URL (`?q=par`), and `handle_params` runs the search,
so a search can be bookmarked and back and forward go through earlier searches. Matches are
marked with `<mark>`, from text split in Python and escaped by the template like any value.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import urlencode, urlsplit

from liveview import LiveView, LiveViewSocket
from liveview.gallery.example import Example

SUGGESTIONS = 8
MAX_QUERY = 100
"""Characters of a query kept; a longer one is cut (no city name comes near it)."""


class City(NamedTuple):
    name: str
    country: str
    population: float  # millions, in the city proper (rounded)


CITIES = [
    City(*row)
    for row in (
        ("Accra", "Ghana", 2.5), ("Addis Ababa", "Ethiopia", 3.4),
        ("Amsterdam", "Netherlands", 0.9), ("Athens", "Greece", 0.6),
        ("Auckland", "New Zealand", 1.7), ("Bangkok", "Thailand", 10.5),
        ("Barcelona", "Spain", 1.6), ("Beijing", "China", 21.9), ("Berlin", "Germany", 3.7),
        ("Bogotá", "Colombia", 7.9), ("Buenos Aires", "Argentina", 3.1), ("Cairo", "Egypt", 10.0),
        ("Cape Town", "South Africa", 4.7), ("Chicago", "United States", 2.7),
        ("Copenhagen", "Denmark", 0.6), ("Dakar", "Senegal", 1.4), ("Delhi", "India", 16.8),
        ("Dublin", "Ireland", 0.6), ("Hanoi", "Vietnam", 8.4), ("Helsinki", "Finland", 0.7),
        ("Istanbul", "Türkiye", 15.7), ("Jakarta", "Indonesia", 10.6), ("Kyiv", "Ukraine", 2.9),
        ("Kyoto", "Japan", 1.5), ("Lagos", "Nigeria", 15.4), ("Lima", "Peru", 10.0),
        ("Lisbon", "Portugal", 0.5), ("London", "United Kingdom", 8.9), ("Madrid", "Spain", 3.3),
        ("Manila", "Philippines", 1.8), ("Marseille", "France", 0.9),
        ("Melbourne", "Australia", 5.1), ("Mexico City", "Mexico", 9.2),
        ("Montréal", "Canada", 1.8), ("Mumbai", "India", 12.5), ("Nairobi", "Kenya", 4.4),
        ("Oslo", "Norway", 0.7), ("Paris", "France", 2.1), ("Porto", "Portugal", 0.2),
        ("Prague", "Czechia", 1.3), ("Quito", "Ecuador", 2.0), ("Reykjavík", "Iceland", 0.1),
        ("Rio de Janeiro", "Brazil", 6.7), ("Rome", "Italy", 2.8),
        ("San Francisco", "United States", 0.8), ("Santiago", "Chile", 6.3),
        ("São Paulo", "Brazil", 12.3), ("Seoul", "South Korea", 9.4),
        ("Singapore", "Singapore", 5.9), ("Stockholm", "Sweden", 1.0),
        ("Sydney", "Australia", 5.3), ("Taipei", "Taiwan", 2.5), ("Tokyo", "Japan", 14.0),
        ("Toronto", "Canada", 2.8), ("Vienna", "Austria", 2.0), ("Warsaw", "Poland", 1.9),
        ("Zürich", "Switzerland", 0.4),
    )
]  # fmt: skip


def fold(text: str) -> str:
    """Text compared without case (`casefold`); accents are kept (`São` is not `Sao`)."""
    return text.casefold()


def suggest(query: str) -> list[str]:
    """Up to `SUGGESTIONS` city names for a partial query: names starting with it first."""
    q = fold(query.strip())
    if not q:
        return []
    starting = [c.name for c in CITIES if fold(c.name).startswith(q)]
    inside = [c.name for c in CITIES if q in fold(c.name) and c.name not in starting]
    return (starting + inside)[:SUGGESTIONS]


def marked(text: str, query: str) -> tuple[str, str, str]:
    """`text` split around the first match of `query`: (before, match, after)."""
    if len(fold(text)) != len(text) or len(fold(query)) != len(query):
        return text, "", ""  # casefold changed a length ("ß" is "ss"): positions would be off
    start = fold(text).find(fold(query)) if query else -1
    if start < 0:
        return text, "", ""
    end = start + len(query)
    return text[:start], text[start:end], text[end:]


def search(query: str) -> list[dict[str, Any]]:
    """Cities whose name or country holds the query, largest first, with the match marked."""
    q = fold(query.strip())
    if not q:
        return []
    found = [c for c in CITIES if q in fold(c.name) or q in fold(c.country)]
    found.sort(key=lambda c: -c.population)
    return [
        {
            "name": marked(c.name, query.strip()),
            "country": marked(c.country, query.strip()),
            "population": c.population,
        }
        for c in found
    ]


class Search(LiveView):
    template = """
    {% macro mark(parts) %}{{ parts[0] }}{% if parts[1] %}<mark>{{ parts[1] }}</mark>
      {%- endif %}{{ parts[2] }}{% endmacro %}
    <h1>City search</h1>
    <form id="search" role="search" phx-change="suggest" phx-submit="search">
      <label for="q">City or country</label>
      <input id="q" name="q" type="search" value="{{ query }}" list="suggestions"
             phx-debounce="300" autocomplete="off" maxlength="{{ max_query }}"
             placeholder="e.g. par, japan">
      <datalist id="suggestions">
        {% for name in suggestions %}<option value="{{ name }}"></option>{% endfor %}
      </datalist>
      <button id="go" type="submit">Search</button>
    </form>
    {% if searched %}
    <p id="summary" role="status">{{ results|length }} {{ "city" if results|length == 1
      else "cities" }} for “{{ searched }}”</p>
    <ol id="results">
      {% for r in results %}
      <li><strong>{{ mark(r.name) }}</strong>, {{ mark(r.country) }}
        <small>{{ r.population }} million</small></li>
      {% else %}
      <li class="empty">No city or country holds “{{ searched }}”.</li>
      {% endfor %}
    </ol>
    {% endif %}
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(suggestions=[], max_query=MAX_QUERY)

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        query = str(params.get("q", ""))[:MAX_QUERY].strip()
        socket.page_title = f"Search: {query}" if query else "City search"
        socket.assign(
            path=urlsplit(url).path or "/",
            query=query,
            searched=query,
            results=search(query),
        )

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        query = payload.get("q")
        query = query[:MAX_QUERY] if isinstance(query, str) else ""
        if event == "suggest":
            socket.assign(suggestions=suggest(query))
        elif event == "search":
            socket.assign(suggestions=[])
            socket.push_patch(f"{socket.assigns.path}?{urlencode({'q': query.strip()})}")
        else:
            await super().handle_event(event, payload, socket)


EXAMPLES = [
    Example(
        "/search",
        Search,
        title="Search",
        description="Suggestions as you type (debounced) in a datalist; the search in the URL.",
        hint="Type part of a city or a country, e.g. par: suggestions follow when you pause "
        "(pick one with the down arrow and Enter). Search to list every match, then go back.",
        section="Basics",
        order=70,
    ),
]
