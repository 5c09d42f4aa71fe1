"""Where a LiveView sent the browser: the redirects and patches a test client sees.

The server says it in three places, all read here into one `Navigation`: an event's reply
(`{"redirect": ...}`, `{"live_redirect": ...}`, `{"link_redirect": true}` for a patch link
that leads to another LiveView), a push on the view's topic (`redirect`, `live_redirect`,
`live_patch`, from `handle_info` or an async result), and a join's reply (`live_patch`, when
`handle_params` patched in mount; `redirect`/`live_redirect` when mount sent the browser away).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from liveview.channel.protocol import LIVE_PATCH, LIVE_REDIRECT, REDIRECT

REDIRECTS = (REDIRECT, LIVE_REDIRECT)


class Navigation(NamedTuple):
    """One navigation: `kind` is `"redirect"` (a full page load: `socket.redirect`),
    `"live_redirect"` (`socket.push_navigate`, a `data-phx-link="redirect"` link, JS.navigate)
    or `"live_patch"` (`socket.push_patch`, a patch link, JS.patch); `to` is the path (or URL)
    as the server gave it; `flash` the signed flash token that goes along, if any."""

    kind: str
    to: str
    flash: str | None = None
    replace: bool = False


def from_push(event: str, payload: Any) -> Navigation | None:
    """The navigation a pushed frame (`redirect`, `live_redirect`, `live_patch`) asks for."""
    if event not in (REDIRECT, LIVE_REDIRECT, LIVE_PATCH) or not isinstance(payload, Mapping):
        return None
    to = payload.get("to")
    if not isinstance(to, str):
        return None
    flash = payload.get("flash")
    return Navigation(
        event,
        to,
        flash if isinstance(flash, str) else None,
        payload.get("kind") == "replace",
    )


def from_reply(response: Mapping[str, Any]) -> Navigation | None:
    """The navigation an event's (or a join's) reply carries, if any."""
    for key in (REDIRECT, LIVE_REDIRECT, LIVE_PATCH):
        if key in response:
            return from_push(key, response[key])
    return None


def path_of(url: str) -> str:
    """`http://host/a?b=1` -> `/a?b=1`; a path stays as it is."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def same_place(wanted: str, to: str) -> bool:
    """Whether `to` (as the server gave it) is `wanted`: the same whole URL, or a `to` whose
    path and query are the path `wanted`."""
    if wanted == to:
        return True
    if urlsplit(wanted).netloc:
        return False
    return path_of(to) == path_of(wanted)
