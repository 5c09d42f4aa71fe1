"""Live sessions: groups of routes a live navigation may move between.

A live navigation (`push_navigate`, a `data-phx-link="redirect"` link) mounts the next LiveView
over the open websocket, carrying the first page's session token; the HTTP stack (middleware,
guards in front of a path) is not run again. So a navigation is only allowed where the app says
it may go: within one `LiveSession`, or to the same route. Anywhere else the join is refused as
`unauthorized` and the official client loads the page over HTTP instead, through every guard,
as Phoenix does across its `live_session` boundaries.

    LiveViewApp(
        routes={"/": Home},                                     # on its own
        live_sessions=[LiveSession("admin", {"/admin": Admin, "/admin/users": Users})],
    )
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from liveview.view import LiveView


@dataclass(frozen=True)
class LiveSession:
    """Routes (path -> LiveView class, as `LiveViewApp(routes=)`) that live navigation may move
    between; `name` is unique in an app and travels in the session token."""

    name: str
    routes: Mapping[str, type[LiveView]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a LiveSession needs a non-empty name, not {self.name!r}")


def navigable(
    from_route: str, from_session: str | None, to_route: str, to_session: str | None
) -> bool:
    """Whether a live navigation from a page rendered at `from_route` (in live session
    `from_session`) may mount the route `to_route` (in `to_session`) without a page load."""
    return to_route == from_route or (to_session is not None and to_session == from_session)
