"""Async fetch: a page that renders at once and fills in when its slow data comes.

The report loads with `assign_async` (the page shows "Loading…" until it comes, or what went
wrong); Refresh loads it again while the old one stays on screen; Cancel stops a load. The
stock check runs with `start_async` and its answer reaches `handle_async`. Every task stops
when the page goes (closed, navigated away).

`?delay=` sets how long the report takes (seconds, 1 by default); `?fail=1` makes it fail.
"""

import asyncio
from typing import Any

from liveview import AsyncResult, LiveView, LiveViewSocket
from liveview.gallery.example import Example

REGIONS = {"north": (1_204, 318), "south": (987, 254), "east": (1_530, 402)}


async def fetch_report(region: str, delay: float, fail: bool) -> dict[str, Any]:
    """Stands for a slow query or a remote service."""
    await asyncio.sleep(delay)
    if fail:
        raise ConnectionError(f"the {region} report service did not answer")
    sales, orders = REGIONS[region]
    return {"region": region, "sales": sales, "orders": orders}


async def load_report(region: str, delay: float, fail: bool) -> dict[str, Any]:
    """What `assign_async` runs: a dict with exactly the keys it loads."""
    return {"report": await fetch_report(region, delay, fail)}


async def count_stock(region: str) -> int:
    await asyncio.sleep(0.5)
    return sum(REGIONS[region]) % 97


class AsyncFetch(LiveView):
    template = """
    {% from "liveview/async.html" import async_result %}
    <h1>Async fetch</h1>
    <p>Region:
      {% for name in regions %}
      <button id="region-{{ name }}" phx-click="region" phx-value-name="{{ name }}"
              aria-pressed="{{ 'true' if name == region else 'false' }}">{{ name }}</button>
      {% endfor %}
    </p>
    <section id="report">
      {% call(report) async_result(report, loading="Loading the report…",
                                   failed="The report could not be loaded.") %}
      <p id="figures"><b>{{ report.region }}</b>: {{ report.sales }} sales,
         {{ report.orders }} orders</p>
      {% endcall %}
      {% if report.ok and report.loading %}<p id="refreshing">Refreshing…</p>{% endif %}
      {% if report.failed %}<p id="reason">{{ report.failed }}</p>{% endif %}
    </section>
    <button id="refresh" phx-click="refresh">Refresh</button>
    <button id="cancel" phx-click="cancel" {% if not report.loading %}disabled{% endif %}>
      Cancel</button>

    <section id="stock">
      <button id="check" phx-click="check">Check the stock</button>
      <span id="stock-answer">{{ stock }}</span>
    </section>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.page_title = "Async fetch"
        try:
            delay = min(max(float(params.get("delay", 1)), 0.0), 10.0)
        except ValueError:
            delay = 1.0
        socket.assign(
            regions=list(REGIONS),
            region="north",
            stock="",
            delay=delay,
            fail=params.get("fail") == "1",
        )
        self.load(socket, reset=True)

    def load(self, socket: LiveViewSocket, *, reset: bool) -> None:
        # load_report(region, delay, fail) runs in a task: values, not the socket, go to it
        a = socket.assigns
        socket.assign_async("report", load_report, a.region, a.delay, a.fail, reset=reset)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "region" and payload.get("name") in REGIONS:
            socket.assign(region=payload["name"])
            self.load(socket, reset=True)  # another region: its figures, not the old ones
        elif event == "refresh":
            self.load(socket, reset=False)  # the figures stay on screen until the new ones
        elif event == "cancel":
            socket.cancel_async(socket.assigns.report, reason="stopped by you")
        elif event == "check":
            socket.assign(stock="checking…")
            socket.start_async("stock", count_stock, socket.assigns.region)
        else:
            await super().handle_event(event, payload, socket)

    async def handle_async(self, name: Any, result: AsyncResult, socket: LiveViewSocket) -> None:
        if name == "stock":
            socket.assign(stock=f"{result.result} in stock" if result.ok else "no answer")


EXAMPLES = [
    Example(
        "/async",
        AsyncFetch,
        title="Async fetch",
        description="Slow data loads after the page: assign_async and start_async.",
        hint="Pick a region: the page answers at once and the figures follow. Press Refresh, "
        "then Cancel while it loads.",
        section="Data and streams",
    ),
]
