"""`follow_redirect`: go where a LiveView sent the browser, as Phoenix.LiveViewTest's
`follow_redirect/3` does.

A live redirect (`push_navigate`, a `data-phx-link="redirect"` link) opens the LiveView it
leads to, a `LiveViewTest`; a redirect (`socket.redirect`, or a page whose mount redirected:
`Redirected`) loads the page over HTTP, following its HTTP redirects, and gives its HTML (a
LiveView page among them: open it with `client.live(path)`). A flash goes along in the cookie
the official client sets, which the next page reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from liveview.channel.protocol import LIVE_REDIRECT
from liveview.session import FLASH_COOKIE
from liveview.testing.assertions import assert_redirect
from liveview.testing.exceptions import Redirected
from liveview.testing.navigation import Navigation, path_of, same_place
from liveview.testing.view import LiveViewTest
from liveview.testing.websocket import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from liveview.testing.client import LiveViewTestClient

MAX_HTTP_REDIRECTS = 10


async def follow_redirect(
    source: LiveViewTest | Redirected,
    client: LiveViewTestClient | None = None,
    *,
    to: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> LiveViewTest | str:
    """Follow the redirect of `source`: a view (its next redirect not yet asserted, waited
    for up to `timeout` seconds), or the `Redirected` a `client.live(path)` raised. `to`, if
    given, is checked first (`AssertionError` if it went elsewhere). Returns the new
    `LiveViewTest` for a live redirect, the page's HTML for a redirect. `client` defaults to
    the view's own."""
    if isinstance(source, Redirected):
        navigation = source.navigation
        if to is not None and not same_place(to, navigation.to):
            raise AssertionError(f"expected a redirect to {to!r}; it went to {navigation.to!r}")
    else:
        navigation = await assert_redirect(source, to, timeout=timeout)
        client = client or source.client
    if client is None:
        raise ValueError("follow_redirect: give the LiveViewTestClient to load the page with")
    path = _in_app(navigation, client)
    if navigation.flash is not None:
        client.http.cookies.set(FLASH_COOKIE, navigation.flash)  # as the client does
    if navigation.kind == LIVE_REDIRECT:
        return await client.live(path)
    response = await client.get(path)
    for _ in range(MAX_HTTP_REDIRECTS):
        if not response.is_redirect:
            break
        response = await client.get(response.headers["location"])
    else:
        raise AssertionError(f"more than {MAX_HTTP_REDIRECTS} HTTP redirects from {path}")
    response.raise_for_status()
    return response.text


def _in_app(navigation: Navigation, client: LiveViewTestClient) -> str:
    """The path of a redirect in the app; `ValueError` for one out of it."""
    netloc = urlsplit(navigation.to).netloc
    if netloc and netloc != client.host:
        raise ValueError(
            f"the view redirected out of the app, to {navigation.to!r}: there is no page to "
            "follow in-process (assert_redirect checks where it went)"
        )
    return path_of(navigation.to)
