"""`view.element(selector, text)`: found in the view's HTML (exactly one), and its bindings sent
as the official client sends them — `phx-value-*` and the element's own value with the test's
value over them, to its `phx-target`, a JS chain's pushes — or a clear error saying what the
view holds instead."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from liveview import JS, LiveComponent, LiveView, LiveViewApp, LiveViewSocket
from liveview.testing import LiveViewTest, LiveViewTestClient, render_hook


class Card(LiveComponent):
    template = """
      <div id="card-{{ id }}">
        <button id="bump-{{ id }}" phx-click="bump" phx-target="{{ myself }}">{{ n }}</button>
        <span id="note-{{ id }}">{{ got }}</span>
      </div>"""

    async def mount(self, socket: LiveViewSocket) -> None:
        socket.assign(n=0, got="")

    async def handle_event(self, event: str, payload: Any, socket: LiveViewSocket) -> None:
        socket.assign(n=socket.assigns.n + 1, got=json.dumps([event, payload], sort_keys=True))


PUSH_TO_CARD = JS.push("bump", target="#card-b", value={"from": "js"}).toggle("#menu")

TEMPLATE = """
<pre id="got">{{ got }}</pre>
<button id="inc" phx-click="inc" phx-value-step="2" phx-value-user-id="7">+</button>
<button id="plain" phx-click="plain" value="v1">plain</button>
<div id="nobind" class="box">no binding</div>
<button id="js" phx-click="{{ js }}" phx-value-step="1">js</button>
<button id="js-card" phx-click="{{ js_card }}">js card</button>
<button id="js-nav" phx-click="{{ js_nav }}">js nav</button>
<button id="js-only" phx-click="{{ js_only }}">menu</button>
<button id="to-card" phx-click="bump" phx-target="#card-a">to card a</button>
<ul>
  <li id="t1" phx-click="pick" phx-value-id="1">Buy milk</li>
  <li id="t2" phx-click="pick" phx-value-id="2">Walk the dog</li>
</ul>
<input id="name" name="name" value="Ann" phx-blur="left" phx-focus="entered">
<input id="search" value="q" phx-keyup="typed" phx-key="Enter">
<div id="keys" phx-window-keydown="pressed"></div>
<input id="off" type="checkbox" phx-click="toggle" value="yes">
<input id="on" type="checkbox" phx-click="toggle" value="yes" checked>
<div id="chart" phx-hook="Chart" phx-target="#card-b"></div>
<a id="patch" href="/?page=2" data-phx-link="patch" data-phx-link-state="push">next</a>
<a id="nav" href="/other" data-phx-link="redirect" data-phx-link-state="replace">other</a>
<p id="page">{{ page }}</p>
{{ live_component(Card, id="a") }}
{{ live_component(Card, id="b") }}
"""


class Panel(LiveView):
    template = TEMPLATE

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(
            got="",
            page="1",
            js=JS.push("inc", value={"step": "5"}).add_class("busy", to="#js"),
            js_card=PUSH_TO_CARD,
            js_nav=JS.navigate("/other").push("after"),
            js_only=JS.toggle("#menu"),
        )

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        socket.assign(page=params.get("page", "1"))

    async def handle_event(self, event: str, payload: Any, socket: LiveViewSocket) -> None:
        socket.assign(got=json.dumps([event, payload], sort_keys=True))


class Other(LiveView):
    template = "<h1>other</h1>"


@pytest.fixture
async def view() -> AsyncIterator[LiveViewTest]:
    app = LiveViewApp(routes={"/": Panel, "/other": Other}, secret="test-secret")
    async with LiveViewTestClient(app) as client:
        yield await client.live("/")


def got(view: LiveViewTest, where: str = "#got") -> Any:
    text = view.element(where).find().text
    return json.loads(text) if text.strip() else None


async def test_a_click_sends_the_phx_values_with_the_tests_value_over_them(
    view: LiveViewTest,
) -> None:
    await view.element("button#inc").click()
    assert got(view) == ["inc", {"step": "2", "user-id": "7", "value": ""}]
    await view.element("#inc").click({"step": 3, "extra": True})
    assert got(view) == ["inc", {"step": 3, "user-id": "7", "value": "", "extra": True}]


async def test_a_click_sends_the_elements_own_value_as_the_client_does(view: LiveViewTest) -> None:
    await view.element("#plain").click()
    assert got(view) == ["plain", {"value": "v1"}]
    await view.element("#off").click()  # the click checks it first, as in the browser
    assert got(view) == ["toggle", {"value": "yes"}]
    await view.element("#on").click()  # and unchecks a checked one: no value
    assert got(view) == ["toggle", {}]
    await view.element("li", "Walk").click()  # an <li>'s value is a number
    assert got(view) == ["pick", {"id": "2", "value": 0}]


async def test_click_returns_the_html_after_the_reply(view: LiveViewTest) -> None:
    html = await view.element("#plain").click()
    assert html == view.html
    assert "plain" in view.element("#got").render()


async def test_a_missing_element_says_what_the_view_holds(view: LiveViewTest) -> None:
    with pytest.raises(LookupError, match=r"no element matches '#nope'") as caught:
        await view.element("#nope").click()
    assert "button#inc" in str(caught.value)  # what there is instead
    assert not view.has_element("#nope")
    assert got(view) is None  # nothing was sent


async def test_an_element_without_the_binding_is_an_error_listing_those_with_it(
    view: LiveViewTest,
) -> None:
    with pytest.raises(LookupError, match=r"has no phx-click binding: div#nobind\.box") as caught:
        await view.element("#nobind").click()
    assert "li#t1" in str(caught.value)
    with pytest.raises(LookupError, match="has no phx-blur"):
        await view.element("#inc").blur()
    with pytest.raises(LookupError, match="has no phx-hook"):
        await view.element("#inc").hook("draw")
    assert got(view) is None


async def test_more_than_one_match_is_an_error_and_a_text_filter_picks_one(
    view: LiveViewTest,
) -> None:
    with pytest.raises(LookupError, match="matches 2 elements, not one"):
        await view.element("li").click()
    with pytest.raises(LookupError, match="none with the text 'Sleep'"):
        await view.element("li", "Sleep").click()
    await view.element("li", "Buy milk").click()
    assert got(view) == ["pick", {"id": "1", "value": 0}]
    await view.element("ul li", re.compile(r"^Walk")).click()
    assert got(view)[1]["id"] == "2"
    assert view.has_element("li", "milk") and not view.has_element("li", "bread")


async def test_render_gives_the_elements_html(view: LiveViewTest) -> None:
    assert view.element("li", "milk").render() == (
        '<li id="t1" phx-click="pick" phx-value-id="1">Buy milk</li>'
    )
    assert view.element("#page").render() == '<p id="page">1</p>'


async def test_a_js_chain_sends_its_push_with_its_value_over_the_elements(
    view: LiveViewTest,
) -> None:
    await view.element("#js").click()
    assert got(view) == ["inc", {"step": "5", "value": ""}]


async def test_a_js_chain_with_nothing_for_the_server_is_an_error(view: LiveViewTest) -> None:
    with pytest.raises(ValueError, match="has no push, navigate or patch command"):
        await view.element("#js-only").click()


async def test_a_js_push_goes_to_its_target(view: LiveViewTest) -> None:
    await view.element("#js-card").click()
    assert got(view, "#note-b") == ["bump", {"from": "js", "value": ""}]
    assert got(view, "#note-a") is None and got(view) is None


async def test_phx_target_sends_to_the_component(view: LiveViewTest) -> None:
    await view.element("#bump-a").click()  # phx-target="{{ myself }}": the cid
    assert view.element("#bump-a").render().endswith(">1</button>")
    assert got(view, "#note-a") == ["bump", {"value": ""}]
    await view.element("#to-card").click()  # phx-target="#card-a": that element's component
    assert view.element("#bump-a").render().endswith(">2</button>")
    assert got(view) is None  # the LiveView got neither


async def test_focus_blur_and_keys(view: LiveViewTest) -> None:
    await view.element("#name").focus()
    assert got(view) == ["entered", {"value": "Ann"}]
    await view.element("#name").blur({"why": "tab"})
    assert got(view) == ["left", {"value": "Ann", "why": "tab"}]
    await view.element("#search").keyup("Enter")
    assert got(view) == ["typed", {"key": "Enter", "value": "q"}]
    await view.element("#search").keyup("a")  # phx-key="Enter": the client sends nothing
    assert got(view) == ["typed", {"key": "Enter", "value": "q"}]
    await view.element("#keys").keydown("ArrowUp")  # phx-window-keydown
    assert got(view) == ["pressed", {"key": "ArrowUp"}]
    with pytest.raises(LookupError, match="has no phx-keydown"):
        await view.element("#search").keydown("x")


async def test_a_hook_on_an_element_pushes_to_its_target(view: LiveViewTest) -> None:
    html = await render_hook(view.element("#chart"), "bump", {"x": 1})
    assert got(view, "#note-b") == ["bump", {"x": 1}]
    assert html == view.html
    await render_hook(view, "drawn", {"ok": True})  # from the view: to the LiveView
    assert got(view) == ["drawn", {"ok": True}]


async def test_a_patch_link_patches_and_a_navigate_link_redirects(view: LiveViewTest) -> None:
    await view.element("a#patch").click()
    assert view.element("#page").render() == '<p id="page">2</p>'
    assert view.url == "http://testserver/?page=2"
    await view.element("#nav").click()
    assert [(n.kind, n.to, n.replace) for n in view.navigations] == [
        ("live_patch", "/?page=2", False),
        ("live_redirect", "/other", True),
    ]


async def test_a_js_navigate_is_a_live_redirect_and_its_pushes_still_go(
    view: LiveViewTest,
) -> None:
    await view.element("#js-nav").click()
    assert view.navigations[-1].kind == "live_redirect"
    assert view.navigations[-1].to == "/other"
    assert got(view) == ["after", {"value": ""}]


async def test_an_element_is_looked_up_when_used(view: LiveViewTest) -> None:
    bump = view.element("#bump-a")
    await bump.click()
    await bump.click()
    assert bump.render().endswith(">2</button>")  # the HTML of now, not of when it was made
