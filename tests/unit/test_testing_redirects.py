"""`follow_redirect`: a live redirect opens the next LiveView, a redirect gives the next page's
HTML, the flash goes along; a page whose mount redirects raises `Redirected`, which it follows
too; a redirect out of the app, or elsewhere than asserted, fails clearly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.testing import (
    LiveViewTest,
    LiveViewTestClient,
    Redirected,
    ReplyError,
    follow_redirect,
)


class Start(LiveView):
    template = """<button id="navigate" phx-click="navigate">go</button>
      <button id="redirect" phx-click="redirect">load</button>
      <button id="hop" phx-click="hop">hop</button>
      <button id="out" phx-click="out">out</button>"""

    async def handle_event(self, event: str, payload: Any, socket: LiveViewSocket) -> None:
        socket.put_flash("info", f"Saved by {event}")
        if event == "navigate":
            socket.push_navigate("/next")
        elif event == "redirect":
            socket.redirect("/plain")
        elif event == "hop":
            socket.redirect("/hop")
        elif event == "out":
            socket.redirect("http://elsewhere.test/x")


class Next(LiveView):
    template = '<h1 id="next">next</h1><button id="more" phx-click="more">{{ n }}</button>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(n=0)

    async def handle_event(self, event: str, payload: Any, socket: LiveViewSocket) -> None:
        socket.assign(n=socket.assigns.n + 1)


class Guarded(LiveView):
    template = "<p>never</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.put_flash("error", "Please sign in.")
        socket.redirect("/next")


async def plain(request: Request) -> Response:
    return HTMLResponse('<p id="plain">a plain page</p>')


async def hop(request: Request) -> Response:
    return RedirectResponse("/plain", status_code=303)


@pytest.fixture
async def client() -> AsyncIterator[LiveViewTestClient]:
    app = LiveViewApp(
        routes={"/": Start, "/next": Next, "/guarded": Guarded},
        extra_routes=[Route("/plain", plain), Route("/hop", hop)],
        secret="test-secret",
    )
    async with LiveViewTestClient(app) as client:
        yield client


async def test_a_live_redirect_opens_the_next_view_with_its_flash(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    await view.element("#navigate").click()
    following = await follow_redirect(view, to="/next")
    assert isinstance(following, LiveViewTest)
    assert following.has_element("h1#next")
    assert "Saved by navigate" in following.html
    await following.element("#more").click()  # a live view, joined
    assert following.element("#more").render() == '<button id="more" phx-click="more">1</button>'


async def test_a_redirect_gives_the_next_pages_html(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await view.element("#redirect").click()
    html = await follow_redirect(view)
    assert html == '<p id="plain">a plain page</p>'


async def test_http_redirects_on_the_way_are_followed(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await view.element("#hop").click()
    assert await follow_redirect(view, to="/hop") == '<p id="plain">a plain page</p>'


async def test_a_mount_that_redirects_raises_redirected_which_is_followed(
    client: LiveViewTestClient,
) -> None:
    with pytest.raises(Redirected, match="redirects to /next") as caught:
        await client.live("/guarded")
    assert isinstance(caught.value, ReplyError)
    assert caught.value.navigation.to == "/next"
    html = await follow_redirect(caught.value, client)
    assert isinstance(html, str)
    assert "Please sign in." in html and 'id="next"' in html


async def test_following_elsewhere_than_asserted_fails(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await view.element("#navigate").click()
    with pytest.raises(AssertionError, match=r"to '/other'.*'/next'"):
        await follow_redirect(view, to="/other")
    with pytest.raises(Redirected) as caught:
        await client.live("/guarded")
    with pytest.raises(AssertionError, match="to '/other'; it went to '/next'"):
        await follow_redirect(caught.value, client, to="/other")


async def test_a_redirect_out_of_the_app_cannot_be_followed(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await view.element("#out").click()
    with pytest.raises(ValueError, match=r"out of the app, to 'http://elsewhere.test/x'"):
        await follow_redirect(view)


async def test_no_redirect_to_follow_fails(client: LiveViewTestClient) -> None:
    view = await client.live("/next")
    await view.element("#more").click()
    with pytest.raises(AssertionError, match=r"expected a redirect within 0.1 s"):
        await follow_redirect(view, timeout=0.1)


async def test_a_redirected_without_a_client_is_an_error(client: LiveViewTestClient) -> None:
    with pytest.raises(Redirected) as caught:
        await client.live("/guarded")
    with pytest.raises(ValueError, match="give the LiveViewTestClient"):
        await follow_redirect(caught.value)
