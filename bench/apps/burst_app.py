"""The burst bench's app (`bench/burst_server.py`): a page showing the last number published to
one topic, and `GET /publish?count=&rate=` publishing `0 .. count-1` there from inside the
server, `rate` a second on a fixed schedule, answering when done.

It uses only what every checkout since the pub/sub API has (`LiveViewApp(extra_routes=)`,
`app.pubsub`), so the same file serves the code before and after a change: the bench puts the
checkout under test first on `PYTHONPATH` and this directory after it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from liveview import LiveView, LiveViewApp, LiveViewSocket

TOPIC = "burst"


class Last(LiveView):
    template = '<p id="n">{{ n }}</p><p id="note">{{ note }}</p>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(n=-1, note="")
        await socket.subscribe(TOPIC)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if isinstance(info, dict):
            socket.assign(n=info["n"])
        else:  # a notice (messages dropped): the next publish brings the state back
            socket.assign(note=type(info).__name__)


async def publish(request: Request) -> JSONResponse:
    """Publish on a fixed schedule, as a source outside the server would: number `n` falls due
    `n / rate` seconds after the start. While the server's loop is busy, numbers fall due all
    the same, and go out together when the publisher runs again (they would have waited in a
    socket)."""
    count = int(request.query_params["count"])
    rate = float(request.query_params["rate"])
    began = time.monotonic()
    n = 0
    while n < count:
        due = min(count, int((time.monotonic() - began) * rate) + 1)
        while n < due:
            await app.pubsub.publish(TOPIC, {"n": n})
            n += 1
        await asyncio.sleep(max(0.0, began + n / rate - time.monotonic()))
    ended = time.monotonic()
    return JSONResponse({"published": n, "began": began, "ended": ended})


app = LiveViewApp(
    routes={"/burst": Last},
    secret="bench-not-secret",
    title="burst",
    extra_routes=[Route("/publish", publish)],
)
