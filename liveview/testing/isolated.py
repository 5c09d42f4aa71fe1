"""`live_isolated`: a LiveView mounted without a route, as Phoenix.LiveViewTest's
`live_isolated/3`.

    async with live_isolated(None, Clock, session={"zone": "UTC"}) as view:
        assert "UTC" in view.html

The view runs in a small app of its own (served at `/`, with `session` as the session its
`mount` gets), through the real dead render and join. Given an app, it shares that app's
pub/sub, so what the app's views or the test publish reaches it: open the app's own
`LiveViewTestClient` around it, which starts and closes that pub/sub.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from liveview.app import LiveViewApp
from liveview.routing import LiveSession
from liveview.testing.client import LiveViewTestClient
from liveview.testing.view import LiveViewTest
from liveview.view import LiveView

ISOLATED = "liveview.testing.isolated"
"""The name of the live session the isolated view is mounted in."""


@asynccontextmanager
async def live_isolated(
    app: LiveViewApp | None,
    view_class: type[LiveView],
    *,
    session: Mapping[str, Any] | None = None,
) -> AsyncIterator[LiveViewTest]:
    """Mount `view_class` with `session`, joined; the view and its app close at the end."""
    if not (isinstance(view_class, type) and issubclass(view_class, LiveView)):
        raise TypeError(f"live_isolated: {view_class!r} is not a LiveView class")
    isolated = LiveViewApp(
        live_sessions=[LiveSession(ISOLATED, {"/": view_class}, session=dict(session or {}))],
        pubsub=app.pubsub if app is not None else None,
        secret=None,
    )
    try:
        async with LiveViewTestClient(isolated, lifespan=app is None) as client:
            yield await client.live("/")
    finally:
        if app is not None:  # the pub/sub is the app's: only this app's own watchers go
            await isolated.live_sockets.close()
