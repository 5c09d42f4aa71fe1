"""The dead render: the container the client joins, and layouts built on the default one."""

from __future__ import annotations

from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.session import SessionToken, TokenSigner
from liveview.static import CONTAINER, container_html
from liveview.testing import LiveViewTestClient


class Hello(LiveView):
    template = "<p id='hi'>hello {{ name }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(name=params.get("name", "you"))


class Away(LiveView):
    template = "never shown"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.push_navigate("/hello")


def test_the_container_pattern_reads_back_what_container_html_writes() -> None:
    for main in (True, False):
        html = container_html("phx-1", 'a"b&c', "s<t", "<p>x</p>", main=main)
        found = CONTAINER.search(html)
        assert found is not None
        assert (found["id"], found["session"], found["static"]) == (
            "phx-1",
            "a&#34;b&amp;c",
            "s&lt;t",
        )
        assert bool(found["main"]) is main
        assert html.endswith("<p>x</p></div>")


async def test_a_layout_extending_the_default_one_keeps_it_and_adds_its_own() -> None:
    layout = """{% extends "liveview/layout.html" %}
{% block body %}<nav id="top">home</nav>{{ super() }}{% endblock %}"""
    app = LiveViewApp({"/hello": Hello}, layout=layout, secret="s", title="Site")
    async with LiveViewTestClient(app) as client:
        page = (await client.get("/hello?name=Al")).text
        assert '<nav id="top">home</nav>' in page
        assert page.index('<nav id="top">') < page.index("<p id='hi'>")
        assert "<p id='hi'>hello Al</p>" in page
        assert '<meta name="csrf-token"' in page and "phoenix_live_view.min.js" in page
        view = await client.live("/hello?name=Al")
        assert "hello Al" in view.html


class Titled(Hello):
    section = "Greetings"  # a class attribute the layout reads through `view`

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await super().mount(socket, session, params)
        socket.page_title = "Hi <there>"


async def test_a_layout_reads_the_view_class_and_writes_its_own_title() -> None:
    layout = """{% extends "liveview/layout.html" %}
{% block title %}<title data-suffix=" | Site">{{ page_title or view.__name__ }} | Site</title>
{% endblock %}
{% block body %}<nav id="section">{{ view.section }}</nav>{{ super() }}{% endblock %}"""
    app = LiveViewApp({"/hello": Hello, "/titled": Titled}, layout=layout, secret="s")
    async with LiveViewTestClient(app) as client:
        titled = (await client.get("/titled")).text
        assert '<title data-suffix=" | Site">Hi &lt;there&gt; | Site</title>' in titled
        assert titled.count("<title") == 1  # the block replaced the default one
        assert '<nav id="section">Greetings</nav>' in titled
        plain = (await client.get("/hello")).text
        assert "<title data-suffix=\" | Site\">Hello | Site</title>" in plain
        assert '<nav id="section"></nav>' in plain  # Hello has no `section`: empty, no error


async def test_the_default_layout_has_charset_viewport_and_the_page_title() -> None:
    app = LiveViewApp({"/titled": Titled}, secret="s", title="Site")
    async with LiveViewTestClient(app) as client:
        page = (await client.get("/titled")).text
        assert '<meta charset="utf-8">' in page
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        assert '<title data-default="Site">Hi &lt;there&gt;</title>' in page


async def test_a_view_that_navigates_in_mount_is_a_redirect_over_http() -> None:
    app = LiveViewApp({"/hello": Hello, "/away": Away}, secret="s")
    async with LiveViewTestClient(app) as client:
        response = await client.get("/away")
        assert response.status_code == 302
        assert response.headers["location"] == "/hello"


def test_embedded_tokens_say_so_and_route_tokens_do_not() -> None:
    signer = TokenSigner("s")
    embedded = signer.verify_session(signer.sign_session(SessionToken("v", "side", {}, True)))
    routed = signer.verify_session(signer.sign_session(SessionToken("v", "/side", {})))
    assert (embedded.embedded, embedded.route) == (True, "side")
    assert (routed.embedded, routed.route) == (False, "/side")


def test_the_old_default_layout_path_still_works_with_a_warning() -> None:
    import liveview.app

    with pytest.warns(DeprecationWarning, match="liveview/layout.html"):
        path = liveview.app.DEFAULT_LAYOUT
    assert "{% block body %}" in path.read_text()
