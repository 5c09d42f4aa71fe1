"""An in-process client for testing LiveViews: no browser, no server, the real app.

It does what the official client does — GET the page, read the tokens, open the websocket with
the CSRF token and cookie, join, send events, merge the diffs it gets back — by calling the ASGI
app directly:

    async with LiveViewTestClient(app) as client:
        view = await client.live("/counter")
        await view.click("inc")
        assert '<h1 id="count">1</h1>' in view.html

`client.connect()` gives the raw websocket for protocol-level tests. A LiveView that crashes
while the test waits on it raises `LiveViewCrashed` at once, chained to its own exception.

The modules, one idea each:
- `client`: `LiveViewTestClient`, the app with its lifespan, HTTP and websockets;
- `view`: `LiveViewTest`, one joined LiveView and the HTML a browser shows for it;
- `forms`: `FormTest`, a form of the page filled in and sent as the client does (`html`: the
  element tree it reads);
- `websocket`: `TestWebSocket`, raw V2 frames to and from the app;
- `tree`: the client's model, `merge_diff` (strict) and `to_html`;
- `page`: what is read from the dead render (container, CSRF token, socket path);
- `crashes`: a LiveView's crash, read from the app's log, for `LiveViewCrashed`;
- `exceptions`: the errors raised.
"""

from liveview.testing.client import LiveViewTestClient
from liveview.testing.exceptions import (
    DiffRejected,
    LiveViewCrashed,
    ReplyError,
    WebSocketClosed,
    WebSocketRejected,
)
from liveview.testing.forms import FormTest
from liveview.testing.tree import merge_diff, to_html
from liveview.testing.view import LiveViewTest
from liveview.testing.websocket import DEFAULT_TIMEOUT, TestWebSocket

__all__ = [
    "DEFAULT_TIMEOUT",
    "DiffRejected",
    "FormTest",
    "LiveViewCrashed",
    "LiveViewTest",
    "LiveViewTestClient",
    "ReplyError",
    "TestWebSocket",
    "WebSocketClosed",
    "WebSocketRejected",
    "merge_diff",
    "to_html",
]
