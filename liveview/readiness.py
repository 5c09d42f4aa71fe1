"""The readiness check: may a load balancer send this process new users?

`LiveViewApp` serves it at `health_path` ("/healthz" unless told otherwise; `None` turns it
off). It answers 200 when the app is ready, else 503, each with a small JSON body that says
why::

    {"ready": true, "started": true, "draining": false,
     "pubsub": {"backend": "RedisPubSub", "connected": true}}

Ready means: the app has started (its lifespan ran, or a request started it), it is not
draining (a worker told to stop, moving its users elsewhere), and its pub/sub backend is
connected (for Redis and PostgreSQL: the listening connection is up; while it is down, the
LiveViews here miss what other processes publish). A probe does not start the app: before
start-up completes it reads 503, so a load balancer waits for the workers' start.

On by default because the deployments that need it (several workers behind a load balancer)
are the ones where forgetting it costs users, and it says nothing secret (no address, no
counts). A route of the app at the same path is refused at construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from liveview.pubsub import PubSub

DEFAULT_PATH = "/healthz"


@dataclass
class Readiness:
    """The check, and the endpoint that answers it."""

    pubsub: PubSub
    started: Callable[[], bool]
    """Whether the app has started (and not closed)."""
    draining: Callable[[], bool] = lambda: False
    """Whether the app is draining: the hook the serving side sets (SIGTERM: stop taking
    users, tell connected clients to reconnect elsewhere)."""

    def check(self) -> tuple[bool, dict[str, Any]]:
        """Ready or not, and the JSON body that says why."""
        started, draining = self.started(), self.draining()
        connected = self.pubsub.connected
        ready = started and not draining and connected
        body: dict[str, Any] = {
            "ready": ready,
            "started": started,
            "draining": draining,
            "pubsub": {"backend": type(self.pubsub).__name__, "connected": connected},
        }
        if not ready:
            body["reason"] = (
                "not started"
                if not started
                else "draining"
                if draining
                else "the pub/sub broker is not connected"
            )
        return ready, body

    async def endpoint(self, request: Request) -> JSONResponse:
        ready, body = self.check()
        return JSONResponse(
            body, status_code=200 if ready else 503, headers={"cache-control": "no-store"}
        )
