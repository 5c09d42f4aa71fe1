"""A dashboard fed by a background publisher: an event from outside any LiveView.

`publish_metrics` is not a LiveView: it is a task started with the app (its `lifespan`) that
publishes to the `metrics` topic every second through the app's pub/sub. In one process any
`SingleProcessPubSub()` would do, since every instance shares the process's hub; through the
app's backend it also works with several processes sharing Redis or PostgreSQL. The figures are
a function of the clock, so every process publishes the same numbers for the same second and
pages stay in step whichever process they are served by.

The latest readings are a stream: each is inserted at the top and the browser keeps the last
`RECENT`; the server keeps none of them.
"""

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from liveview import LiveView, LiveViewApp, LiveViewSocket, PubSub, PubSubUnavailable
from liveview.gallery.example import Example

TOPIC = "metrics"
RECENT = 10
"""Readings the page lists (the stream's `limit`)."""


def sample(tick: int) -> dict[str, Any]:
    return {
        "tick": tick,
        "load": f"{1 + math.sin(tick / 5):.2f}",
        "users": 100 + (tick * 7) % 23,
    }


def clock(tick: int) -> str:
    """A reading's second as a person reads it (UTC, so every server says the same)."""
    return time.strftime("%H:%M:%S UTC", time.gmtime(tick))


def shown(reading: dict[str, Any]) -> dict[str, Any]:
    """A reading as the page shows it: with its time of day."""
    return {**reading, "time": clock(reading["tick"])}


def now() -> dict[str, Any]:
    return sample(int(time.time()))


async def publish_metrics(pubsub: PubSub, interval: float = 1.0) -> None:
    while True:
        # while the broker is away, skip: the next second tells the pages again
        with contextlib.suppress(PubSubUnavailable):
            await pubsub.publish(TOPIC, now())
        await asyncio.sleep(interval - time.time() % interval + 0.01)  # just past the second


@asynccontextmanager
async def metrics_publisher(app: LiveViewApp) -> AsyncIterator[None]:
    task = asyncio.create_task(publish_metrics(app.pubsub))
    try:
        yield
    finally:
        task.cancel()


class Dashboard(LiveView):
    template = """
    <h1>Dashboard</h1>
    <div class="grid">
      <div class="card"><div class="muted">Load</div>
        <div class="big" id="load">{{ load }}</div></div>
      <div class="card"><div class="muted">Users online</div>
        <div class="big" id="users">{{ users }}</div></div>
      <div class="card"><div class="muted">Updated</div>
        <div class="big"><time id="tick" data-tick="{{ tick }}">{{ time }}</time></div></div>
    </div>
    <p class="hint">Opened at {{ opened }}; the figures arrive by pub/sub every second.</p>
    <h2>Latest readings</h2>
    <ol id="readings" phx-update="stream">
      {% for dom_id, r in streams.readings %}
      <li id="{{ dom_id }}" data-tick="{{ r.tick }}">{{ r.time }}: load {{ r.load }},
        {{ r.users }} users</li>
      {% endfor %}
    </ol>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        reading = shown(now())
        socket.assign(opened=reading["time"], **reading)
        socket.stream("readings", [reading], dom_id=lambda r: f"reading-{r['tick']}")

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if isinstance(info, dict):  # a gap needs nothing (no handle_gap): the next tick is whole
            reading = shown(info)
            socket.assign(**reading)
            socket.stream_insert("readings", reading, at=0, limit=RECENT)


EXAMPLES = [
    Example(
        "/dashboard",
        Dashboard,
        title="Dashboard",
        description="Figures pushed every second by a background task, not a LiveView.",
        hint="Open it in two windows: both tick together, fed by one publisher on the "
        "metrics topic.",
        section="Multi-player",
        multiplayer=True,
        lifespan=metrics_publisher,
    ),
]
