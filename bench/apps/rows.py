"""The live-components bench page: 1,000 rows built in Python per LiveView, one row changed by
each publish, in three ways of writing it (issue 14's bench bullet).

Each LiveView builds its own list of row dicts in `mount` (as users write code: no row shared
between LiveViews). A click publishes the next count; every subscribed LiveView's `handle_info`
changes row `count * 7 % ROWS` (its class and its text) and assigns the count, which is the
first dynamic of the page, so the load client checks the diff's `"0"` as for `ours.py`.

- `plain`: the rows are a `{% for %}` list in the page's template; `handle_info` re-assigns the
  list (a copy with the one row replaced: the unchanged rows are the same dicts as before).
- `components`: the same list, each row a `live_component(BenchRow, id=row.id, row=row)`, the
  Phoenix idiom (`<.live_component module={Row} id={row.id} row={row} />`): `handle_info`
  re-assigns the list as above; the page re-renders its loop, every row component is updated
  with its row, and only the changed one re-renders.
- `send-update`: the same page; `handle_info` sends the changed row to its component with
  `socket.send_update(BenchRow, id=i, row=new_row)` and keeps its own list current in place
  without re-assigning it (the page's loop does not run again).

`BENCH_ROWS` picks the page for the socket bench (run.py serves `bench.apps.rows:app` with it);
`BENCH_ROW_COUNT` sets the number of rows (1,000).
"""

import os
from typing import Any

from liveview import LiveComponent, LiveView, LiveViewApp, LiveViewSocket, SingleProcessPubSub

TOPIC = "bench"

ROWS = int(os.environ.get("BENCH_ROW_COUNT", "1000"))

ROW = '<li id="row-{{ row.id }}" class="{{ row.cls }}">{{ row.text }}</li>'
"""One row's markup: the plain list's loop body and the component's template alike."""


def _page(rows: str) -> str:
    return (
        '<main class="rows">\n'
        '  <h1>Last change: <span id="count">{{ count }}</span></h1>\n'
        '  <button id="inc" phx-click="inc">Change a row</button>\n'
        f'  <ul id="rows">{{% for row in rows %}}{rows}{{% endfor %}}</ul>\n'
        "</main>"
    )


def make_row(i: int, count: int) -> dict[str, Any]:
    return {"id": i, "cls": "even" if count % 2 == 0 else "odd", "text": f"Row {i}: {count}"}


def changed_row(count: int) -> int:
    """The row a publish of `count` changes."""
    return count * 7 % ROWS


class BenchRow(LiveComponent):
    """One row; `update` is the default: the row dict it is given is assigned."""

    template = ROW


class _RowsPage(LiveView):
    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0, rows=[make_row(i, 0) for i in range(ROWS)])
        await socket.subscribe(TOPIC)  # does nothing in the dead render

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "inc":
            await socket.pubsub.publish(TOPIC, {"count": socket.assigns.count + 1})

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        count = info["count"]
        i = changed_row(count)
        rows = list(socket.assigns.rows)
        rows[i] = make_row(i, count)
        socket.assign(count=count, rows=rows)


class PlainRows(_RowsPage):
    """The rows as a plain `{% for %}` list."""

    template = _page(ROW)


class ComponentRows(_RowsPage):
    """Each row a live component; `handle_info` re-assigns the list."""

    template = _page("{{ live_component(BenchRow, id=row.id, row=row) }}")


class SendUpdateRows(ComponentRows):
    """Each row a live component; `handle_info` sends the changed row with `send_update`."""

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        count = info["count"]
        i = changed_row(count)
        row = make_row(i, count)
        socket.assigns.rows[i] = row  # kept current for a later render of the page
        socket.assign(count=count)
        socket.send_update(BenchRow, id=i, row=row)


PAGES: dict[str, type[LiveView]] = {
    "plain": PlainRows,
    "components": ComponentRows,
    "send-update": SendUpdateRows,
}

PAGE = os.environ.get("BENCH_ROWS", "plain")

app = LiveViewApp(
    routes={"/bench": PAGES[PAGE]},
    pubsub=SingleProcessPubSub(),
    secret="bench-not-secret",
    title="rows bench",
)
