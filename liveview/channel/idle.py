"""Closing websockets whose client went silent, as Phoenix does.

The official client sends a heartbeat every 30 s; Phoenix closes a websocket that has received
nothing for 60 s. That catches what TCP does not tell promptly — a laptop closed, a network
gone — and frees the LiveViews on it. One sweeper per app checks every connection a few times
per timeout, so a connection costs a timestamp, not a timer of its own (which is why we serve
without uvicorn's websocket pings: `liveview.server`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

logger = logging.getLogger("liveview")

IDLE_TIMEOUT = 60.0
"""Phoenix's websocket timeout: twice the official client's 30 s heartbeat interval."""

CLOSE_CODE = 4000
"""The close code of an idle websocket. Not 1000: on a 1000 close (a deploy) the official client
reloads the page; on any other it reconnects and rejoins its LiveViews, which is what a tab that
was only throttled needs."""


class IdleWatched(Protocol):
    last_seen: float
    """`loop.time()` when the client last sent anything."""

    def close_idle(self) -> None:
        """Close the websocket: its client has been silent too long."""


class IdleSweeper:
    """The connections of one app, and the task that closes the silent ones."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self._connections: set[IdleWatched] = set()
        self._task: asyncio.Task[None] | None = None

    def add(self, connection: IdleWatched) -> None:
        if self.timeout is None:
            return
        self._connections.add(connection)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._sweep(self.timeout), name="liveview idle sweeper"
            )

    def discard(self, connection: IdleWatched) -> None:
        self._connections.discard(connection)

    async def _sweep(self, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        connections = self._connections
        while connections:
            await asyncio.sleep(timeout / 4)
            oldest = loop.time() - timeout
            for connection in [c for c in connections if c.last_seen < oldest]:
                connections.discard(connection)
                logger.info("closing a websocket silent for over %s s", timeout)
                connection.close_idle()
