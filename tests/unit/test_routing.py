"""Live sessions: a live navigation stays within the page's live session (or on its own
route); anywhere else the join is refused and the client loads the page over HTTP."""

from __future__ import annotations

import html
from typing import Any

import pytest

from liveview import LiveSession, LiveView, LiveViewApp, LiveViewSocket
from liveview.static import CONTAINER
from liveview.testing import LiveViewTestClient
from liveview.testing.tree import to_html


def page(text: str) -> type[LiveView]:
    class Page(LiveView):
        template = f"<p id='page'>{text} {{{{ q }}}}</p>"

        async def mount(
            self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
        ) -> None:
            socket.assign(q=params.get("q", ""))

    return Page


Home, Counter, Admin, Users, Shop = (
    page(name) for name in ("home", "counter", "admin", "users", "shop")
)


def make_app() -> LiveViewApp:
    return LiveViewApp(
        routes={"/": Home, "/counter": Counter},
        live_sessions=[
            LiveSession("admin", {"/admin": Admin, "/admin/users": Users}),
            LiveSession("shop", {"/shop": Shop}),
        ],
        secret="s",
    )


async def navigate(client: LiveViewTestClient, start: str, to: str) -> dict[str, Any]:
    """Render `start` over HTTP, then live-navigate its LiveView to `to`: the join reply."""
    found = CONTAINER.search((await client.get(start)).text)
    assert found is not None
    socket = await client.connect()
    reply, _ = await socket.request(
        f"lv:{found['id']}",
        "phx_join",
        {
            "redirect": f"http://testserver{to}",
            "params": {},
            "session": html.unescape(found["session"]),
            "static": html.unescape(found["static"]),
        },
        join_ref="1",
    )
    payload: dict[str, Any] = reply[4]
    return payload


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("/counter", "/admin"),  # the probe's case: a plain page's token mounting a guarded one
        ("/", "/counter"),  # two plain routes: each is on its own
        ("/shop", "/admin/users"),  # across live sessions
        ("/admin", "/"),  # out of a live session
    ],
)
async def test_a_live_navigation_out_of_the_live_session_is_refused(start: str, to: str) -> None:
    async with LiveViewTestClient(make_app()) as client:
        reply = await navigate(client, start, to)
        assert reply == {"status": "error", "response": {"reason": "unauthorized"}}


@pytest.mark.parametrize(
    ("start", "to", "shown"),
    [
        ("/admin", "/admin/users?q=1", "users 1"),  # within a live session
        ("/admin/users", "/admin", "admin "),
        ("/counter", "/counter?q=2", "counter 2"),  # the same route
    ],
)
async def test_a_live_navigation_within_the_live_session_mounts_the_page(
    start: str, to: str, shown: str
) -> None:
    async with LiveViewTestClient(make_app()) as client:
        reply = await navigate(client, start, to)
        assert reply["status"] == "ok"
        assert to_html(reply["response"]["rendered"]) == f"<p id='page'>{shown}</p>"


def test_a_path_or_a_live_session_name_given_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="'/admin' is given twice"):
        LiveViewApp(routes={"/admin": Home}, live_sessions=[LiveSession("a", {"/admin": Admin})])
    with pytest.raises(ValueError, match="two live sessions are named 'a'"):
        LiveViewApp(live_sessions=[LiveSession("a", {"/x": Home}), LiveSession("a", {"/y": Admin})])
    with pytest.raises(ValueError, match="non-empty name"):
        LiveSession("", {})
