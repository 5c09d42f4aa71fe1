"""Live sessions: groups of routes a live navigation may move between.

A live navigation (`push_navigate`, a `data-phx-link="redirect"` link) mounts the next LiveView
over the open websocket, carrying the first page's session token; the HTTP stack (middleware,
guards in front of a path) is not run again. So a navigation is only allowed where the app says
it may go: within one `LiveSession`, or to the same route. Anywhere else the join is refused as
`unauthorized` and the official client loads the page over HTTP instead, through every guard,
as Phoenix does across its `live_session` boundaries.

    LiveViewApp(
        routes={"/": Home},                                     # on its own
        live_sessions=[LiveSession("admin", {"/admin": Admin, "/admin/users": Users},
                                   on_mount=[require_admin])],
    )

A live session's `on_mount` hooks run before every `mount` of its routes, in the dead render
and the connected one (`liveview.on_mount`): that is where a sign-in check belongs, since a live
navigation inside the session runs no HTTP middleware. Its `session` adds to the session every
`mount` of it gets: a mapping, or a function of the HTTP request returning one (called in the
dead render; what it gives is signed into the page's token for the connected mount).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from liveview.on_mount import OnMount, checked_hooks

if TYPE_CHECKING:
    from starlette.requests import Request

    from liveview.view import LiveView

SessionExtra = Mapping[str, Any] | Callable[["Request"], Mapping[str, Any]]
"""`LiveSession(session=)`: what it adds to the session, or how to get it from the request."""


@dataclass(frozen=True)
class LiveSession:
    """Routes (path -> LiveView class, as `LiveViewApp(routes=)`) that live navigation may move
    between; `name` is unique in an app and travels in the session token."""

    name: str
    routes: Mapping[str, type[LiveView]] = field(default_factory=dict)
    on_mount: Sequence[OnMount] = ()
    """Hooks run before each `mount` of these routes (after the app's)."""
    session: SessionExtra | None = None
    """Added to the session of each `mount` of these routes (see the module's docstring)."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a LiveSession needs a non-empty name, not {self.name!r}")
        object.__setattr__(
            self, "on_mount", checked_hooks(self.on_mount, f"LiveSession {self.name!r}")
        )
        extra = self.session
        if extra is not None and not isinstance(extra, Mapping) and not callable(extra):
            raise TypeError(
                f"LiveSession {self.name!r}: session must be a mapping or a function of the "
                f"request, not {extra!r}"
            )

    def session_for(self, request: Request) -> dict[str, Any]:
        """What this live session adds to the session of a dead render of `request`."""
        extra = self.session
        if extra is None:
            return {}
        found = extra(request) if callable(extra) else extra
        if not isinstance(found, Mapping):
            raise TypeError(
                f"LiveSession {self.name!r}: session function returned {found!r}, not a mapping"
            )
        return dict(found)


def navigable(
    from_route: str, from_session: str | None, to_route: str, to_session: str | None
) -> bool:
    """Whether a live navigation from a page rendered at `from_route` (in live session
    `from_session`) may mount the route `to_route` (in `to_session`) without a page load."""
    return to_route == from_route or (to_session is not None and to_session == from_session)
