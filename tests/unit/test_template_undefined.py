"""A name rendered that nobody assigned: an error naming the template, line and the assigns in
debug; a warning, once per template and name, otherwise. Tests of a name stay quiet."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.template import RenderState, Template, undefined
from liveview.testing import LiveViewCrashed, LiveViewTestClient

SOURCE = "<h1>{{ title }}</h1>\n<p>{{ cuont }}</p>{% if user %}{{ user.name }}{% endif %}"


def test_outside_debug_it_renders_empty_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    template = Template(SOURCE, name="page")
    caplog.set_level(logging.WARNING, "liveview")
    state = RenderState()
    tree = state.render(template, {"title": "T", "count": 3})
    assert tree["1"] == ""
    assert "template page line 2 renders {{ cuont }}, which nothing assigns" in caplog.text
    caplog.clear()
    state.render(template, {"title": "U", "count": 3}, {"title"})
    assert template.render_html({"title": "T"}) == "<h1>T</h1>\n<p></p>"
    assert "cuont" not in caplog.text  # once per template and name


def test_in_debug_it_is_an_error_naming_template_line_and_assigns() -> None:
    template = Template(SOURCE, name="page")
    with pytest.raises(undefined.UnassignedName) as error:
        RenderState().render(template, {"title": "T", "count": 3}, strict=True)
    message = str(error.value)
    assert "template 'page' line 2 renders {{ cuont }}" in message
    assert "(assigns: count, title)" in message
    with pytest.raises(undefined.UnassignedName, match="line 2"):
        template.render_html({"title": "T", "count": 3}, strict=True)
    assert not undefined.pending


def test_tests_defaults_and_attributes_stay_quiet() -> None:
    quiet = Template(
        "{% if user %}{{ user }}{% endif %}{{ nobody|default('-') }}"
        "{{ title.missing }}{% if flash.info %}x{% endif %}"
    )
    assert quiet.render_html({"title": "T", "flash": {}}, strict=True) == "-"


class Typo(LiveView):
    template = "<p>{{ cuont }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0)


class TypoWhenConnected(LiveView):
    template = "<p>{% if connected %}{{ cuont }}{% endif %}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0, connected=socket.connected)


async def test_a_debug_app_fails_the_dead_render_and_the_joined_view() -> None:
    app = LiveViewApp(routes={"/": Typo, "/later": TypoWhenConnected}, secret="u", debug=True)
    async with LiveViewTestClient(app) as client:
        with pytest.raises(undefined.UnassignedName, match=r"renders \{\{ cuont \}\}"):
            await client.get("/")
        with pytest.raises(LiveViewCrashed, match="nothing is named 'cuont'"):
            await client.live("/later")


async def test_the_same_app_outside_debug_renders_empty() -> None:
    app = LiveViewApp(routes={"/": Typo}, secret="u")
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        assert view.html.startswith("<p></p>")
