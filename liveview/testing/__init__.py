"""An in-process client for testing LiveViews: no browser, no server, the real app.

It does what the official client does — GET the page, read the tokens, open the websocket with
the CSRF token and cookie, join, send events, merge the diffs it gets back — by calling the ASGI
app directly:

    async with LiveViewTestClient(app) as client:
        view = await client.live("/counter")
        await view.element("button#inc").click()      # checks the button has phx-click
        assert view.element("#count").render() == '<h1 id="count">1</h1>'

`client.connect()` gives the raw websocket for protocol-level tests. A LiveView that crashes
while the test waits on it raises `LiveViewCrashed` at once, chained to its own exception.

The modules, one idea each:
- `client`: `LiveViewTestClient`, the app with its lifespan, HTTP and websockets;
- `view`: `LiveViewTest`, one joined LiveView and the HTML a browser shows for it;
- `elements`: `ElementTest`, one element found by selector, and the events its bindings send;
- `forms`: `FormTest`, a form of the page filled in and sent as the client does (`html`: the
  element tree it reads; `selectors`: the CSS selectors that find elements in it);
- `navigation`: `Navigation`, a redirect or patch the view made; `redirects`:
  `follow_redirect`; `assertions`: `assert_redirect`, `assert_patch`, `assert_push_event`
  and their `refute_*`;
- `render`: `render_hook`, `render_upload`; `isolated`: `live_isolated`, a view without a route;
- `websocket`: `TestWebSocket`, raw V2 frames to and from the app;
- `tree`: the client's model, `merge_diff` (strict) and `to_html`;
- `page`: what is read from the dead render (container, CSRF token, socket path);
- `crashes`: a LiveView's crash, read from the app's log, for `LiveViewCrashed`;
- `exceptions`: the errors raised.
"""

from liveview.testing.assertions import (
    assert_patch,
    assert_push_event,
    assert_redirect,
    refute_patch,
    refute_push_event,
    refute_redirect,
)
from liveview.testing.client import LiveViewTestClient
from liveview.testing.elements import ElementTest
from liveview.testing.exceptions import (
    DiffRejected,
    LiveViewCrashed,
    Redirected,
    ReplyError,
    ViewClosed,
    WebSocketClosed,
    WebSocketRejected,
)
from liveview.testing.forms import FormTest
from liveview.testing.isolated import live_isolated
from liveview.testing.navigation import Navigation
from liveview.testing.redirects import follow_redirect
from liveview.testing.render import render_hook, render_upload
from liveview.testing.tree import merge_diff, to_html
from liveview.testing.view import LiveViewTest
from liveview.testing.websocket import DEFAULT_TIMEOUT, TestWebSocket

__all__ = [
    "DEFAULT_TIMEOUT",
    "DiffRejected",
    "ElementTest",
    "FormTest",
    "LiveViewCrashed",
    "LiveViewTest",
    "LiveViewTestClient",
    "Navigation",
    "Redirected",
    "ReplyError",
    "TestWebSocket",
    "ViewClosed",
    "WebSocketClosed",
    "WebSocketRejected",
    "assert_patch",
    "assert_push_event",
    "assert_redirect",
    "follow_redirect",
    "live_isolated",
    "merge_diff",
    "refute_patch",
    "refute_push_event",
    "refute_redirect",
    "render_hook",
    "render_upload",
    "to_html",
]
