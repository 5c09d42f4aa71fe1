"""Pagination: a table of 500 food-bank donations shown a page at a time, the page in the URL.

The page and its size live in the query string (`?page=3&per_page=20`), read by
`handle_params`: the links are patch links (`data-phx-link="patch"`, Phoenix's
`<.link patch=...>`), so following one runs `handle_params` again without a remount, the address
bar changes, and the browser's back and forward buttons walk through the pages. The page-size
menu does the same from the server with `push_patch`. A URL typed by hand with a page that is
not a number, or past the end, shows the nearest page there is and says so.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from liveview import LiveView, LiveViewSocket
from liveview.gallery.example import Example

ITEMS = (
    "Apples", "Bananas", "Carrots", "Potatoes", "Bread", "Cheese", "Eggs", "Rice", "Beans",
    "Pasta", "Soup", "Milk", "Oranges", "Onions", "Peanut butter", "Honey", "Oats", "Tinned fish",
    "Tomatoes", "Broccoli",
)  # fmt: skip
DONORS = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim")
TOTAL = 500
PER_PAGE = (10, 20, 50)
"""The page sizes the menu offers; the first is the default."""


def donation(number: int) -> dict[str, Any]:
    """Donation `number` (1-based) of the generated data: the same every time."""
    return {
        "id": number,
        "item": ITEMS[number * 7 % len(ITEMS)],
        "donor": DONORS[number * 3 % len(DONORS)],
        "quantity": 1 + number * 37 % 60,
        "days": 1 + number * 13 % 30,  # until it expires
    }


DONATIONS = [donation(n) for n in range(1, TOTAL + 1)]


def whole_number(text: Any) -> int | None:
    """`text` read as a whole number; None when it is not one (`"abc"`, `"2.5"`, `""`)."""
    try:
        return int(str(text))
    except ValueError:
        return None


def page_links(page: int, last: int, around: int = 2) -> list[int | None]:
    """The page numbers the navigation shows: the first, the last and `around` on each side of
    `page`, with None where numbers are left out (shown as …)."""
    shown = sorted({1, last, *range(max(1, page - around), min(last, page + around) + 1)})
    links: list[int | None] = []
    for number in shown:
        if links and number - (links[-1] or 0) > 1:
            links.append(None)
        links.append(number)
    return links


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def page_url(path: str, page: int, per_page: int) -> str:
    return f"{path}?{urlencode({'page': page, 'per_page': per_page})}"


class Pagination(LiveView):
    template = """
    <h1>Donations</h1>
    <form id="page-size" phx-change="per-page">
      <label for="per_page">Rows per page</label>
      <select id="per_page" name="per_page">
        {% for n in sizes %}<option value="{{ n }}" {% if n == per_page %}selected{% endif %}>
          {{ n }}</option>{% endfor %}
      </select>
    </form>
    {% if notice %}<p id="notice" class="notice" role="status">{{ notice }}</p>{% endif %}
    <table id="donations">
      <caption>Donations {{ first }} to {{ last_row }} of {{ total }}</caption>
      <thead><tr><th scope="col">#</th><th scope="col">Item</th><th scope="col">Donor</th>
        <th scope="col">Lbs</th><th scope="col">Days left</th></tr></thead>
      <tbody>
        {% for d in rows %}
        <tr id="donation-{{ d.id }}"><td>{{ d.id }}</td><td>{{ d.item }}</td><td>{{ d.donor }}</td>
          <td>{{ d.quantity }}</td><td>{{ d.days }}</td></tr>
        {% endfor %}
      </tbody>
    </table>
    {% macro href(n) %}{{ path }}?page={{ n }}&amp;per_page={{ per_page }}{% endmacro %}
    <nav id="pages" aria-label="Pages">
      {% if page > 1 %}<a id="previous" href="{{ href(page - 1) }}" data-phx-link="patch"
        data-phx-link-state="push" rel="prev">← Previous</a>{% endif %}
      {% for n in links %}
        {% if n is none %}<span class="gap">…</span>
        {% elif n == page %}<a href="{{ href(n) }}" aria-current="page">{{ n }}</a>
        {% else %}<a href="{{ href(n) }}" data-phx-link="patch"
          data-phx-link-state="push">{{ n }}</a>{% endif %}
      {% endfor %}
      {% if page < pages %}<a id="next" href="{{ href(page + 1) }}" data-phx-link="patch"
        data-phx-link-state="push" rel="next">Next →</a>{% endif %}
    </nav>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(sizes=PER_PAGE, total=TOTAL)

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        notices: list[str] = []
        per_page = whole_number(params.get("per_page", PER_PAGE[0]))
        if per_page not in PER_PAGE:
            per_page = PER_PAGE[0]
            notices.append(
                f"{params['per_page']!r} rows a page is not on offer: showing {per_page}"
            )
        pages = -(-TOTAL // per_page)
        asked = whole_number(params.get("page", 1))
        page = min(max(asked or 1, 1), pages)
        if asked is None:
            notices.append(f"{params['page']!r} is not a page number: showing page 1")
        elif asked != page:
            notices.append(f"there is no page {asked}: showing page {page} of {pages}")
        start = (page - 1) * per_page
        rows = DONATIONS[start : start + per_page]
        socket.page_title = f"Donations, page {page} of {pages}"
        socket.assign(
            path=urlsplit(url).path or "/",  # where this view is served: its links' target
            page=page,
            pages=pages,
            per_page=per_page,
            rows=rows,
            first=start + 1,
            last_row=start + len(rows),
            links=page_links(page, pages),
            notice=sentence("; ".join(notices)) if notices else "",
        )

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "per-page":
            per_page = whole_number(payload.get("per_page")) or PER_PAGE[0]
            # keep the first row shown on screen: the page that holds it at the new size
            page = (socket.assigns.first - 1) // per_page + 1 if per_page in PER_PAGE else 1
            socket.push_patch(page_url(socket.assigns.path, page, per_page))
        else:
            await super().handle_event(event, payload, socket)


CSS = """<style>
#pages a[aria-current="page"] { font-weight: 700; color: var(--text); text-decoration: none;
  background: var(--accent-soft); border-radius: 0.3rem; padding: 0 0.45rem; }
#donations caption { caption-side: top; text-align: left; color: var(--muted); }
</style>"""
"""The current page among the links; the sorting example shares it."""

EXAMPLES = [
    Example(
        "/pagination",
        Pagination,
        title="Pagination",
        description="500 rows a page at a time; the page and its size in the URL.",
        hint="Follow the page links, change the rows per page, then use the browser's back and "
        "forward buttons. Try ?page=999 in the address bar.",
        section="Data and streams",
        order=10,
        head=CSS,
    ),
]
