"""A page fed by a topic, and HTTP routes to publish to it and to read the server's state: for
the slow-consumer and burst tests against a real server."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from liveview import LiveView, LiveViewApp, LiveViewSocket

TOPIC = "feed"


class Feed(LiveView):
    template = '<p id="n">{{ n }}</p><pre>{{ blob }}</pre>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(n=-1, blob="")
        await socket.subscribe(TOPIC)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(n=info["n"], blob=info["blob"])


async def publish(request: Request) -> JSONResponse:
    """`?count=N&size=S&every=K`: N messages with a blob of S bytes, a pause every K."""
    count = int(request.query_params.get("count", "1"))
    size = int(request.query_params.get("size", "10"))
    every = int(request.query_params.get("every", "50"))
    first = int(request.query_params.get("first", "0"))
    for n in range(first, first + count):
        await app.pubsub.publish(TOPIC, {"n": n, "blob": f"{n}:" + "x" * size})
        if n % every == 0:
            await asyncio.sleep(0)
    return JSONResponse({"published": count})


async def stats(request: Request) -> JSONResponse:
    lines = Path("/proc/self/status").read_text().splitlines()
    status = dict(line.split(":", 1) for line in lines if ":" in line)
    return JSONResponse(
        {
            "subscriptions": app.pubsub.subscription_count,
            "rss_kb": int(status["VmRSS"].split()[0]),
            "hwm_kb": int(status["VmHWM"].split()[0]),
            "send_timeout": os.environ.get("LIVEVIEW_SEND_TIMEOUT"),
        }
    )


app = LiveViewApp(
    routes={"/feed": Feed},
    secret="e2e-secret",
    extra_routes=[Route("/publish", publish, methods=["POST"]), Route("/stats", stats)],
)
