"""The errors `liveview.testing` raises.

    Exception
    ├── WebSocketRejected    the app refused the websocket handshake
    ├── WebSocketClosed      the app closed the websocket
    ├── ReplyError           the server answered a message with status "error"
    │   ├── LiveViewCrashed  the LiveView crashed (`phx_error`, or `join crashed`)
    │   ├── Redirected       the page sent the browser elsewhere instead of mounting
    │   └── ViewClosed       an event for a view that has navigated away
    └── ValueError
        └── DiffRejected     a diff the official client would break on

All are importable from `liveview.testing`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from liveview.testing.navigation import Navigation


class WebSocketRejected(Exception):
    """The app refused the websocket handshake (a browser would see HTTP 403)."""


class WebSocketClosed(Exception):
    """The app closed the websocket."""

    def __init__(self, code: int) -> None:
        super().__init__(f"websocket closed with code {code}")
        self.code = code


class ReplyError(Exception):
    """The server answered a message with status "error"."""

    def __init__(self, response: dict[str, Any], message: str | None = None) -> None:
        super().__init__(message or f"error reply: {response!r}")
        self.response = response


class LiveViewCrashed(ReplyError):
    """The LiveView crashed: the server sent `phx_error` on its topic, or answered its join
    with `join crashed`, or `reload` in debug (`response`: that payload).

    The message names the exception the LiveView raised, and `__cause__` is that exception,
    when the test client saw the app log it (`LiveViewTestClient` listens to the `liveview`
    logger while it is open).
    """

    def __init__(self, topic: str, response: dict[str, Any], error: BaseException | None) -> None:
        what = f"{type(error).__name__}: {error}" if error is not None else "no exception logged"
        super().__init__(response, f"LiveView {topic} crashed: {what}")
        self.topic = topic
        self.__cause__ = error


class Redirected(ReplyError):
    """The page did not mount: its `mount` (or an `on_mount` hook) redirected, over HTTP (a
    302 for the dead render) or in the join's reply. `navigation` says where to, for
    `follow_redirect` (Phoenix's `{:error, {:redirect, %{to: ...}}}` from `live/2`)."""

    def __init__(self, navigation: Navigation, response: dict[str, Any] | None = None) -> None:
        super().__init__(
            response or {navigation.kind: {"to": navigation.to}},
            f"the page {navigation.kind.replace('_', ' ')}s to {navigation.to}",
        )
        self.navigation = navigation


class ViewClosed(ReplyError):
    """An event for a view that has ended: it redirected, or the server closed it (a browser
    has left that page; the server answers such a message "unmatched topic")."""

    def __init__(self, topic: str, last: Navigation | None) -> None:
        where = (
            f"it went to {last.to} ({last.kind}); follow_redirect(view) opens that page"
            if last is not None
            else "the server closed it"
        )
        super().__init__({"reason": "closed"}, f"LiveView {topic} is closed: {where}")
        self.topic = topic


class DiffRejected(ValueError):
    """A diff the official client would break on (see `liveview.testing.tree`); `path` is
    where in the tree, as keys from the root."""

    def __init__(self, path: tuple[str, ...], reason: str) -> None:
        where = ".".join(path) if path else "the root"
        super().__init__(f"at {where}: {reason}")
        self.path = path
        self.reason = reason
