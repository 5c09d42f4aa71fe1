"""Flash messages: always assigned, shown by every page that does not render them itself, and
dismissed by a click (`lv:clear-flash`)."""

from __future__ import annotations

from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.template import TemplateSyntaxError
from liveview.template import template as template_module
from liveview.template.flash import flash_group
from liveview.testing import LiveViewTestClient


class Saves(LiveView):
    template = '<button id="save" phx-click="save">Save</button>'

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        socket.put_flash("info", "Saved <all> of it")
        socket.put_flash("error", "One thing failed")


class OwnFlash(LiveView):
    template = '<p id="mine">{% if flash.info %}{{ flash.info }}{% endif %}</p>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        if params.get("flash"):
            socket.put_flash("info", "From mount")


def make_app() -> LiveViewApp:
    return LiveViewApp(routes={"/saves": Saves, "/own": OwnFlash}, secret="flash")


async def test_a_flash_shows_without_template_work_and_a_click_dismisses_it() -> None:
    async with LiveViewTestClient(make_app()) as client:
        view = await client.live("/saves")
        assert "lv-flash" not in view.html
        await view.click("save")
        assert '<p id="flash-info" class="lv-flash lv-flash-info" role="alert"' in view.html
        assert "Saved &lt;all&gt; of it" in view.html and 'id="flash-error"' in view.html
        await view.click("lv:clear-flash", {"key": "info"})
        assert 'id="flash-info"' not in view.html and 'id="flash-error"' in view.html
        await view.click("lv:clear-flash")
        assert "lv-flash" not in view.html


async def test_a_template_that_renders_flash_is_left_alone_and_reads_it_at_once() -> None:
    async with LiveViewTestClient(make_app()) as client:
        page = await client.get("/own")  # `flash.info` before any put_flash: no error
        assert page.status_code == 200 and '<p id="mine"></p>' in page.text
        view = await client.live("/own?flash=1")
        assert view.html == '<p id="mine">From mount</p>'  # no flash group added


def test_flash_group_markup() -> None:
    assert flash_group({}) == "" and flash_group(None) == "" and flash_group({"info": ""}) == ""
    html = flash_group({'warn"ing': "<b>x</b>"})
    assert "&lt;b&gt;x&lt;/b&gt;" in html and 'phx-value-key="warn&#34;ing"' in html


def test_a_template_is_compiled_once_with_the_flash_and_twice_only_when_it_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled: list[str] = []
    real = template_module.compile_template

    def counting(environment: Any, source: str, *args: Any) -> Any:
        compiled.append(source)
        return real(environment, source, *args)

    monkeypatch.setattr(template_module, "compile_template", counting)

    class Plain(LiveView):
        template = "<p>{{ x }}</p>\n"

    class Reads(LiveView):
        template = "<p>{{ flash.info }}</p>"

    assert "flash_group(flash)" in Plain.compiled_template().source
    assert compiled == ["<p>{{ x }}</p>{{ flash_group(flash) }}\n"]  # once, lines kept
    assert Reads.compiled_template().source == "<p>{{ flash.info }}</p>"
    assert len(compiled) == 3  # with the call, then as written: it reads flash itself


def test_a_template_error_is_the_sources_own() -> None:
    class Broken(LiveView):
        template = "<p>{% if x %}</p>"

    with pytest.raises(TemplateSyntaxError) as raised:
        Broken.compiled_template()
    assert "flash_group" not in str(raised.value)
