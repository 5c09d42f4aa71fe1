"""The debounce / throttle example through `liveview.testing`: the server counts each field's
changes by `_target`, each button's clicks and the key events; the browser's side (what the
client holds back) is checked in Chromium in tests/e2e/test_gallery_debounce.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from liveview import LiveViewApp
from liveview.gallery.debounce import Debounce
from liveview.testing import LiveViewTest, LiveViewTestClient


@pytest.fixture
async def view() -> AsyncIterator[LiveViewTest]:
    async with LiveViewTestClient(LiveViewApp(routes={"/": Debounce}, secret="s")) as client:
        yield await client.live("/")


async def test_the_bindings_are_on_the_elements(view: LiveViewTest) -> None:
    html = view.html
    assert '<input id="debounced" name="debounced" phx-debounce="500"' in html
    assert '<input id="blurred" name="blurred" phx-debounce="blur"' in html
    assert 'phx-value-button="throttled"\n                phx-throttle="1000"' in html
    assert '<input id="keys" phx-keyup="key" phx-throttle="500"' in html


async def test_changes_are_counted_per_field(view: LiveViewTest) -> None:
    assert "the server has nothing</p>" in view.html
    form = view.form("#typing")
    await form.change({"plain": "h"})
    html = await form.change({"plain": "hi"})
    assert '<strong id="plain-count">2</strong>' in html and '<q id="plain-value">hi</q>' in html
    html = await form.change({"debounced": "hello"})
    assert '<strong id="debounced-count">1</strong>' in html
    assert '<q id="debounced-value">hello</q>' in html
    html = await form.change({"blurred": "<b>"})
    assert '<strong id="blurred-count">1</strong>' in html
    assert '<q id="blurred-value">&lt;b&gt;</q>' in html
    before = view.html
    assert await form.submit() == before  # Enter: no field changed
    assert await form.change(target="nope") == before  # a field the page does not have


async def test_clicks_and_keys_are_counted_and_reset(view: LiveViewTest) -> None:
    for _ in range(3):
        await view.element("button#click-plain").click()
    html = await view.element("button#click-throttled").click()
    assert '<span id="plain-clicks">3</span>' in html
    assert '<span id="throttled-clicks">1</span>' in html
    # a forged phx-value (no such button on the page): nothing counted
    assert await view.element("button#click-plain").click({"button": "other"}) == html
    await view.element("input#keys").keyup("a")
    await view.element("input#keys").keyup("x" * 100)
    assert '<strong id="key-count">2</strong>' in view.html
    assert f'<kbd id="last-key">{"x" * 20}</kbd>' in view.html  # kept short
    html = await view.element("button#reset").click()
    assert (
        '<span id="plain-clicks">0</span>' in html and '<strong id="key-count">0</strong>' in html
    )
    assert 'id="last-key"' not in html
