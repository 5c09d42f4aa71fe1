"""An infinite scroll table over 100,000 generated rows: a page of rows at a time, the next one
asked for by the browser when the table's end scrolls into view (`phx-viewport-bottom`).

The rows are a stream: each page is sent once and forgotten, so the server keeps the page
number and nothing else however far the reader scrolls; the browser keeps the rows.
"""

from typing import Any

from liveview import LiveView, LiveViewSocket
from liveview.gallery.example import Example

TOTAL = 100_000
PAGE = 50
REGIONS = ("north", "south", "east", "west")


def row(number: int) -> dict[str, Any]:
    """Row `number` (1-based) of the generated data: the same every time."""
    return {
        "id": number,
        "name": f"Customer {number:06d}",
        "region": REGIONS[number * 7 % len(REGIONS)],
        "amount": f"{(number * 7919) % 100_000 / 100:.2f}",
    }


def page(number: int) -> list[dict[str, Any]]:
    """Page `number` (1-based) of `PAGE` rows; empty past the end."""
    first = (number - 1) * PAGE + 1
    return [row(n) for n in range(first, min(first + PAGE, TOTAL + 1))]


class InfiniteScroll(LiveView):
    template = """
    <h1>Customers</h1>
    <p id="status">Rows 1 to {{ shown }} of {{ total }}
      {%- if shown < total %}; scroll for more{% endif %}</p>
    <table>
      <thead><tr><th>#</th><th>Name</th><th>Region</th><th>Amount</th></tr></thead>
      <tbody id="customers" phx-update="stream"
             {% if shown < total %}phx-viewport-bottom="next-page"{% endif %}>
        {% for dom_id, c in streams.customers %}
        <tr id="{{ dom_id }}"><td>{{ c.id }}</td><td>{{ c.name }}</td><td>{{ c.region }}</td>
          <td>{{ c.amount }}</td></tr>
        {% endfor %}
      </tbody>
    </table>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        rows = page(1)
        socket.assign(page=1, shown=len(rows), total=TOTAL)
        socket.stream("customers", rows)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "next-page" and socket.assigns.shown < TOTAL:
            number = socket.assigns.page + 1
            rows = page(number)
            socket.assign(page=number, shown=socket.assigns.shown + len(rows))
            socket.stream("customers", rows)
        else:
            await super().handle_event(event, payload, socket)


EXAMPLES = [
    Example(
        "/customers",
        InfiniteScroll,
        title="Infinite scroll",
        description="100,000 rows, a page at a time as you scroll: a stream the server forgets.",
        hint="Scroll to the table's end: the next 50 rows arrive. The server keeps only the "
        "page number.",
        section="Data and streams",
    ),
]
