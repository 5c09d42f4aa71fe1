"""The errors `liveview.testing` raises.

    Exception
    ├── WebSocketRejected    the app refused the websocket handshake
    ├── WebSocketClosed      the app closed the websocket
    └── ReplyError           the server answered a message with status "error"

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
