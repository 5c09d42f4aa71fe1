"""Sorting: the 500 donations of the pagination example, sorted by the column whose heading you
click, a page at a time; the column, the order and the page all in the URL.

Each heading is a patch link (`?sort_by=quantity&order=desc&page=1`): `handle_params` sorts and
slices, the address bar changes, back and forward walk through the sorts, and a sorted view can
be bookmarked or sent. Clicking the sorted column again reverses it. `aria-sort` tells assistive
technology which column is sorted and how. Unknown columns or orders in a hand-typed URL fall
back to the defaults and say so.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from liveview import LiveView, LiveViewSocket
from liveview.gallery.example import Example
from liveview.gallery.pagination import CSS, DONATIONS, TOTAL, page_links, sentence, whole_number

PER_PAGE = 20
COLUMNS = {"id": "#", "item": "Item", "donor": "Donor", "quantity": "Lbs", "days": "Days left"}
"""Sortable columns: the key in a row -> the heading."""
ORDERS = ("asc", "desc")


def sorted_rows(column: str, order: str) -> list[dict[str, Any]]:
    """Every donation sorted by `column`; ties stay in id order, whichever the direction (a
    stable sort, and `reverse` keeps it stable)."""
    return sorted(DONATIONS, key=lambda row: row[column], reverse=order == "desc")


def sort_url(path: str, column: str, order: str, page: int = 1) -> str:
    return f"{path}?{urlencode({'sort_by': column, 'order': order, 'page': page})}"


class Sorting(LiveView):
    template = """
    <h1>Sorting</h1>
    {% if notice %}<p id="notice" class="notice" role="status">{{ notice }}</p>{% endif %}
    <table id="donations">
      <caption>Donations {{ first }} to {{ last_row }} of {{ total }}, by
        {{ columns[sort_by] }}, {{ "ascending" if order == "asc" else "descending" }}</caption>
      <thead><tr>
        {% for key, heading in columns.items() %}
        <th scope="col" id="by-{{ key }}"
            {% if key == sort_by %}aria-sort="{{ 'ascending' if order == 'asc' else 'descending' }}"
            {% endif %}><a href="{{ headings[key] }}" data-phx-link="patch"
            data-phx-link-state="push">{{ heading }}
            {%- if key == sort_by %} {{ "▲" if order == "asc" else "▼" }}{% endif %}</a></th>
        {% endfor %}
      </tr></thead>
      <tbody>
        {% for d in rows %}
        <tr id="donation-{{ d.id }}"><td>{{ d.id }}</td><td>{{ d.item }}</td><td>{{ d.donor }}</td>
          <td>{{ d.quantity }}</td><td>{{ d.days }}</td></tr>
        {% endfor %}
      </tbody>
    </table>
    {% macro href(n) %}{{ path }}?sort_by={{ sort_by }}&amp;order={{ order }}&amp;page={{ n }}
    {%- endmacro %}
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
        socket.assign(columns=COLUMNS, total=TOTAL)

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        notices: list[str] = []
        sort_by = params.get("sort_by", "id")
        if sort_by not in COLUMNS:
            notices.append(f"there is no column {sort_by!r} to sort by: sorted by #")
            sort_by = "id"
        order = params.get("order", "asc")
        if order not in ORDERS:
            notices.append(f"{order!r} is not an order (asc or desc): ascending")
            order = "asc"
        pages = -(-TOTAL // PER_PAGE)
        asked = whole_number(params.get("page", 1))
        page = min(max(asked or 1, 1), pages)
        if asked is None:
            notices.append(f"{params['page']!r} is not a page number: showing page 1")
        elif asked != page:
            notices.append(f"there is no page {asked}: showing page {page} of {pages}")
        path = urlsplit(url).path or "/"
        start = (page - 1) * PER_PAGE
        rows = sorted_rows(sort_by, order)[start : start + PER_PAGE]
        # a heading sorts by its column from the first page; the sorted one reverses
        headings = {
            key: sort_url(path, key, "desc" if key == sort_by and order == "asc" else "asc")
            for key in COLUMNS
        }
        socket.page_title = f"Sorting by {COLUMNS[sort_by]}, page {page}"
        socket.assign(
            path=path,
            sort_by=sort_by,
            order=order,
            page=page,
            pages=pages,
            rows=rows,
            first=start + 1,
            last_row=start + len(rows),
            links=page_links(page, pages),
            headings=headings,
            notice=sentence("; ".join(notices)) if notices else "",
        )


EXAMPLES = [
    Example(
        "/sorting",
        Sorting,
        title="Sorting",
        description="Click a heading to sort 500 rows; the column, order and page in the URL.",
        hint="Click a column's heading to sort by it, again to reverse it, then page through. "
        "Back and forward undo and redo each step.",
        section="Data and streams",
        order=20,
        head=CSS,
    ),
]
