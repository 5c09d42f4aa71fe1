"""`assert_redirect`, `assert_patch`, `assert_push_event` and their `refute_*`: each finds what
the view did — in an event's reply, or pushed later from `handle_info` — takes it once, and
fails saying what the view did instead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.testing import (
    LiveViewTest,
    LiveViewTestClient,
    ViewClosed,
    assert_patch,
    assert_push_event,
    assert_redirect,
    refute_patch,
    refute_push_event,
    refute_redirect,
)


class Mover(LiveView):
    template = """<p id="page">{{ page }}</p>
      <button id="navigate" phx-click="navigate">go</button>
      <button id="redirect" phx-click="redirect">load</button>
      <button id="patch" phx-click="patch">page 3</button>
      <button id="later" phx-click="later">later</button>
      <button id="ping" phx-click="ping">ping</button>
      <button id="nothing" phx-click="nothing">nothing</button>"""

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(page="1")

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        socket.assign(page=params.get("page", "1"))

    async def handle_event(self, event: str, payload: Any, socket: LiveViewSocket) -> None:
        if event == "navigate":
            socket.push_navigate("/other")
        elif event == "redirect":
            socket.put_flash("info", "Saved")
            socket.redirect("/plain?from=mover")
        elif event == "patch":
            socket.push_patch("/?page=3", replace=True)
        elif event == "later":
            socket.send_info("later")
        elif event == "ping":
            socket.push_event("pinged", {"n": 1})
            socket.push_event("pinged", {"n": 2})

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.push_event("tick", {"at": "later"})
        socket.push_patch("/?page=9")


class Other(LiveView):
    template = "<h1>other</h1>"


@pytest.fixture
async def view() -> AsyncIterator[LiveViewTest]:
    app = LiveViewApp(routes={"/": Mover, "/other": Other}, secret="test-secret")
    async with LiveViewTestClient(app) as client:
        yield await client.live("/")


async def test_assert_redirect_finds_a_push_navigate(view: LiveViewTest) -> None:
    await view.element("#navigate").click()
    navigation = await assert_redirect(view, "/other")
    assert (navigation.kind, navigation.to) == ("live_redirect", "/other")
    assert view.closed  # the server ended the view


async def test_an_event_for_a_view_that_went_away_says_where_it_went(view: LiveViewTest) -> None:
    await view.element("#navigate").click()
    with pytest.raises(ViewClosed, match=r"is closed: it went to /other .*follow_redirect"):
        await view.element("#ping").click()
    with pytest.raises(ViewClosed):
        await view.click("ping")
    assert view.events == []  # nothing was sent


async def test_assert_redirect_finds_a_redirect_with_its_flash(view: LiveViewTest) -> None:
    await view.element("#redirect").click()
    navigation = await assert_redirect(view)
    assert navigation.kind == "redirect" and navigation.to == "/plain?from=mover"
    assert navigation.flash  # the signed token


async def test_assert_redirect_fails_saying_where_it_went(view: LiveViewTest) -> None:
    await view.element("#navigate").click()
    with pytest.raises(AssertionError, match=r"expected a redirect to '/elsewhere'.*'/other'"):
        await assert_redirect(view, "/elsewhere")


async def test_a_redirect_is_asserted_once(view: LiveViewTest) -> None:
    await view.element("#navigate").click()
    await assert_redirect(view)
    with pytest.raises(AssertionError, match=r"expected a redirect within 0.1 s \(the view is"):
        await assert_redirect(view, timeout=0.1)


async def test_assert_redirect_without_one_fails_with_the_views_navigations(
    view: LiveViewTest,
) -> None:
    await view.element("#patch").click()
    with pytest.raises(AssertionError, match=r"navigations: .*live_patch"):
        await assert_redirect(view, timeout=0.1)
    await refute_redirect(view)


async def test_assert_patch_returns_the_path_and_the_view_follows_it(view: LiveViewTest) -> None:
    await view.element("#patch").click()
    assert await assert_patch(view, "/?page=3") == "/?page=3"
    assert view.element("#page").render() == '<p id="page">3</p>'
    assert view.url == "http://testserver/?page=3"
    assert view.navigations[-1].replace
    with pytest.raises(AssertionError, match="expected a patch"):
        await assert_patch(view, timeout=0.1)


async def test_what_comes_from_handle_info_is_waited_for(view: LiveViewTest) -> None:
    await view.element("#later").click()
    assert await assert_push_event(view, "tick") == {"at": "later"}
    assert await assert_patch(view, "/?page=9") == "/?page=9"
    assert view.element("#page").render() == '<p id="page">9</p>'


async def test_assert_push_event_takes_each_push_once_in_order(view: LiveViewTest) -> None:
    await view.element("#ping").click()
    assert await assert_push_event(view, "pinged", {"n": 2}) == {"n": 2}
    assert await assert_push_event(view, "pinged") == {"n": 1}
    with pytest.raises(AssertionError, match=r"expected a push_event 'pinged'.*\{'n': 1\}"):
        await assert_push_event(view, "pinged", timeout=0.1)
    await refute_push_event(view, "pinged")


async def test_refutes_fail_on_what_the_view_did(view: LiveViewTest) -> None:
    await view.element("#ping").click()
    await refute_push_event(view, "pinged", {"n": 3})
    with pytest.raises(AssertionError, match="expected no push_event 'pinged'"):
        await refute_push_event(view, "pinged")
    await view.element("#patch").click()
    await refute_patch(view, "/?page=4")
    with pytest.raises(AssertionError, match="expected no patch"):
        await refute_patch(view)
    await view.element("#navigate").click()
    with pytest.raises(AssertionError, match="expected no redirect to '/other'"):
        await refute_redirect(view, "/other")


async def test_a_refute_sees_what_handle_info_did_without_sleeping(view: LiveViewTest) -> None:
    await view.element("#later").click()  # the push comes from handle_info, after the reply
    with pytest.raises(AssertionError, match="expected no push_event 'tick'"):
        await refute_push_event(view, "tick")


async def test_nothing_done_refutes_cleanly(view: LiveViewTest) -> None:
    await view.element("#nothing").click()
    await refute_redirect(view)
    await refute_patch(view)
    await refute_push_event(view, "pinged")
    assert view.navigations == [] and view.events == []
