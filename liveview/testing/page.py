"""What the test client reads from a page's dead render: the LiveView container, the CSRF
token and the websocket path.

The patterns follow the markup the app writes for the dead render, attribute order included;
they are the one place the test client knows that markup.
"""

from __future__ import annotations

import html
import re
from typing import NamedTuple

_CONTAINER = re.compile(
    r'<div id="(?P<id>[^"]+)" data-phx-main data-phx-session="(?P<session>[^"]*)" '
    r'data-phx-static="(?P<static>[^"]*)">'
)
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
_SOCKET_PATH = re.compile(r'<meta name="liveview-socket" content="([^"]*)">')


class Container(NamedTuple):
    """The main LiveView's container: its id and its two tokens (`static` may be empty)."""

    id: str
    session: str
    static: str


def find_container(page: str) -> Container | None:
    match = _CONTAINER.search(page)
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
