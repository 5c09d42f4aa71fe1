"""The errors `liveview.testing` raises.

    Exception
    ├── WebSocketRejected    the app refused the websocket handshake
    ├── WebSocketClosed      the app closed the websocket
    ├── ReplyError           the server answered a message with status "error"
    └── ValueError
        └── DiffRejected     a diff the official client would break on

All are importable from `liveview.testing`.
"""

from __future__ import annotations

from typing import Any


class WebSocketRejected(Exception):
    """The app refused the websocket handshake (a browser would see HTTP 403)."""


class WebSocketClosed(Exception):
    """The app closed the websocket."""

    def __init__(self, code: int) -> None:
        super().__init__(f"websocket closed with code {code}")
        self.code = code


class ReplyError(Exception):
    """The server answered a message with status "error"."""

    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__(f"error reply: {response!r}")
        self.response = response


class DiffRejected(ValueError):
    """A diff the official client would break on (see `liveview.testing.tree`); `path` is
    where in the tree, as keys from the root."""

    def __init__(self, path: tuple[str, ...], reason: str) -> None:
        where = ".".join(path) if path else "the root"
        super().__init__(f"at {where}: {reason}")
        self.path = path
        self.reason = reason
