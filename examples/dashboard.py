"""A dashboard fed by a background publisher: an event from outside any LiveView.

`publish_metrics` is not a LiveView: it is a task started with the app that publishes to the
`metrics` topic every second through its own `SingleProcessPubSub()` — every instance in a
process shares one hub, as in LiveViewJS, so the LiveViews subscribed through the app receive it.
"""

import asyncio
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from liveview import LiveView, LiveViewSocket, SingleProcessPubSub

TOPIC = "metrics"
LATEST: dict[str, Any] = {"tick": 0, "load": "0.00", "users": 0}


def sample(tick: int) -> dict[str, Any]:
    return {
        "tick": tick,
        "load": f"{1 + math.sin(tick / 5):.2f}",
        "users": 100 + (tick * 7) % 23,
    }


async def publish_metrics(interval: float = 1.0) -> None:
    pubsub = SingleProcessPubSub()
    tick = 0
    while True:
        tick += 1
        LATEST.update(sample(tick))
        await pubsub.publish(TOPIC, dict(LATEST))
        await asyncio.sleep(interval)


@asynccontextmanager
async def metrics_publisher() -> AsyncIterator[None]:
    task = asyncio.create_task(publish_metrics())
    try:
        yield
    finally:
        task.cancel()


class Dashboard(LiveView):
    template = """
    <h1>Dashboard</h1>
    <dl>
      <dt>Update</dt><dd id="tick">{{ tick }}</dd>
      <dt>Load</dt><dd id="load">{{ load }}</dd>
      <dt>Users online</dt><dd id="users">{{ users }}</dd>
    </dl>
    <p>Served at {{ started }}; numbers arrive by pub/sub every second.</p>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.assign(started=time.strftime("%H:%M:%S"), **LATEST)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(**info)
