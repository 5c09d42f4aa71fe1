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
    assert 'the server has nothing</p>' in view.html
    form = {"plain": "h", "debounced": "", "blurred": ""}
    await view.change("typed", form, target="plain")
    html = await view.change("typed", {**form, "plain": "hi"}, target="plain")
    assert '<strong id="plain-count">2</strong>' in html and '<q id="plain-value">hi</q>' in html
    html = await view.change("typed", {**form, "debounced": "hello"}, target="debounced")
    assert '<strong id="debounced-count">1</strong>' in html
    assert '<q id="debounced-value">hello</q>' in html
    html = await view.change("typed", {**form, "blurred": "<b>"}, target="blurred")
    assert '<strong id="blurred-count">1</strong>' in html
    assert '<q id="blurred-value">&lt;b&gt;</q>' in html
    before = view.html
    assert await view.submit("typed", form) == before  # Enter: no field changed
    assert await view.change("typed", form, target="nope") == before


async def test_clicks_and_keys_are_counted_and_reset(view: LiveViewTest) -> None:
    for _ in range(3):
        await view.click("clicked", {"button": "plain"})
    html = await view.click("clicked", {"button": "throttled"})
    assert '<span id="plain-clicks">3</span>' in html
    assert '<span id="throttled-clicks">1</span>' in html
    assert await view.click("clicked", {"button": "other"}) == html  # no such button
    await view.push("event", {"type": "keyup", "event": "key", "value": {"key": "a"}})
    await view.push("event", {"type": "keyup", "event": "key", "value": {"key": "x" * 100}})
    assert '<strong id="key-count">2</strong>' in view.html
    assert f'<kbd id="last-key">{"x" * 20}</kbd>' in view.html  # kept short
    html = await view.click("reset")
    assert (
        '<span id="plain-clicks">0</span>' in html and '<strong id="key-count">0</strong>' in html
    )
    assert 'id="last-key"' not in html
