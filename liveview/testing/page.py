"""What the test client reads from a page's dead render: the LiveView container, the CSRF
token and the websocket path.

The container is read with the pattern of the module that writes it (`liveview.static`); the
meta tags follow the default layout.
"""

from __future__ import annotations

import html
import re
from typing import NamedTuple

from liveview.static import CONTAINER

_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
_SOCKET_PATH = re.compile(r'<meta name="liveview-socket" content="([^"]*)">')


class Container(NamedTuple):
    """The main LiveView's container: its id and its two tokens (`static` may be empty)."""

    id: str
    session: str
    static: str


def find_container(page: str) -> Container | None:
    """The main LiveView's container (not one the layout embeds)."""
    match = next((found for found in CONTAINER.finditer(page) if found["main"]), None)
    if match is None:
        return None
    return Container(
        match.group("id"),
        html.unescape(match.group("session")),
        html.unescape(match.group("static")),
    )


def find_csrf_token(page: str) -> str | None:
    match = _CSRF.search(page)
    return html.unescape(match.group(1)) if match else None


def find_socket_path(page: str) -> str | None:
    match = _SOCKET_PATH.search(page)
    return html.unescape(match.group(1)) if match else None
