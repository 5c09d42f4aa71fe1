"""Logout that ends live views: `LiveViewApp.disconnect(live_socket_id)` on every node.

A page's session token freezes the session it was rendered with (the signed-in user among it)
for `max_age`, and a reconnecting tab presents it again. So a logout must reach the live views
already running, and refuse their tokens later. Phoenix's answer, `live_socket_id`, kept here:
the sign-in route puts an id naming the user's live views in the session
(`session["live_socket_id"] = f"users_socket:{user.id}"`) and the logout route calls
`await app.disconnect(that id)`.

That publishes one message on one app-wide pub/sub topic (`TOPIC`), which a node subscribes
to when it first joins a LiveView whose session has a `live_socket_id` (an app without them
costs nothing). Each node then

- sends each of its live views of that id a `redirect` to its own URL: the tab loads the page
  over HTTP, through every middleware and `on_mount` hook, now as a signed-out visitor;
- remembers the time, for `max_age` seconds: a join with a token of that id signed at or before
  it (a tab that was offline just then, an old tab reconnecting) is refused as `unauthorized`,
  on which the client loads the page over HTTP too.

One topic for all ids rather than one per id, so that every node learns of every logout (a
node holding no view of the user yet must still refuse the user's old tokens); logouts are rare,
so each node handling each of them costs nothing that matters. A node that started, or first
joined a view with an id, after a logout does not know of it: it refuses nothing of that id.
A session token cannot be made without the secret, so a client cannot claim another user's id
(the id is read from the signed session).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Final

from liveview.pubsub import PubSub

logger = logging.getLogger("liveview")

TOPIC: Final = "liveview:disconnect"
"""The pub/sub topic logouts travel on: `{"id": live_socket_id, "at": unix time}`."""


class LiveSockets:
    """The live views of this node by live-socket id, and the logouts seen lately."""

    def __init__(self, pubsub: PubSub, max_age: float) -> None:
        self._pubsub = pubsub
        self._max_age = max_age
        self._views: dict[str, dict[Callable[[], None], None]] = {}
        self._revoked: dict[str, float] = {}
        self._subscription: str | None = None
        self._watching = False

    async def watch(self) -> None:
        """Listen for logouts from now on (idempotent; the pub/sub has started)."""
        if self._watching:
            return
        self._watching = True  # before the await: two joins at once subscribe once
        try:
            self._subscription = await self._pubsub.subscribe(TOPIC, self._on_message)
        except Exception:  # the broker is away: the join goes on, the next one tries again
            self._watching = False
            logger.warning("could not subscribe to %s: logouts not heard yet", TOPIC, exc_info=True)

    async def close(self) -> None:
        subscription, self._subscription = self._subscription, None
        self._watching = False
        if subscription is not None:
            await self._pubsub.unsubscribe(TOPIC, subscription)

    async def disconnect(self, live_socket_id: str) -> None:
        """End every live view of `live_socket_id` on every node, and refuse its older tokens."""
        if not isinstance(live_socket_id, str) or not live_socket_id:
            raise ValueError(f"a live_socket_id is a non-empty string, not {live_socket_id!r}")
        await self.watch()  # this node's own views are told through the topic too
        await self._pubsub.publish(TOPIC, {"id": live_socket_id, "at": time.time()})

    def _on_message(self, message: Any) -> None:
        if not isinstance(message, dict):
            return
        live_socket_id, at = message.get("id"), message.get("at")
        if not isinstance(live_socket_id, str) or not isinstance(at, int | float):
            logger.warning("ignored a malformed disconnect message: %r", message)
            return
        self._forget_old(time.time())
        self._revoked[live_socket_id] = max(at, self._revoked.get(live_socket_id, 0.0))
        views = self._views.get(live_socket_id)
        if views:
            logger.info("disconnecting %d live views of %s", len(views), live_socket_id)
            for end in list(views):
                end()

    def _forget_old(self, now: float) -> None:
        """Drop logouts older than any token still valid (they refuse nothing more)."""
        old = [key for key, at in self._revoked.items() if at < now - self._max_age]
        for key in old:
            del self._revoked[key]

    def revoked(self, live_socket_id: str, issued_at: float) -> bool:
        """Whether a token of `live_socket_id` signed at `issued_at` predates its logout (token
        times are whole seconds: one signed in the second of the logout counts as before)."""
        at = self._revoked.get(live_socket_id)
        return at is not None and issued_at <= at

    def register(self, live_socket_id: str, end: Callable[[], None]) -> None:
        """`end` is called when `live_socket_id` is disconnected (until `unregister`)."""
        self._views.setdefault(live_socket_id, {})[end] = None

    def unregister(self, live_socket_id: str, end: Callable[[], None]) -> None:
        views = self._views.get(live_socket_id)
        if views is not None:
            views.pop(end, None)
            if not views:
                del self._views[live_socket_id]
