"""The volume example through `liveview.testing`: window keys and buttons move the meter."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from liveview import LiveViewApp
from liveview.gallery.volume import Volume
from liveview.testing import LiveViewTest, LiveViewTestClient


@pytest.fixture
async def view() -> AsyncIterator[LiveViewTest]:
    async with LiveViewTestClient(LiveViewApp(routes={"/": Volume}, secret="s")) as client:
        yield await client.live("/")


async def keyup(view: LiveViewTest, key: str | None) -> str:
    """Release `key` anywhere on the page: the section's `phx-window-keyup`."""
    return await view.element("section#volume").keyup(key)


def bars_on(html: str) -> int:
    return html.count('<li class="on">')


async def test_arrow_keys_turn_the_volume_up_and_down(view: LiveViewTest) -> None:
    assert '<p id="level" class="big">30%</p>' in view.html and bars_on(view.html) == 3
    html = await keyup(view, "ArrowUp")
    assert (
        '<p id="level" class="big">40%</p>' in html and 'value="40"' in html and bars_on(html) == 4
    )
    for _ in range(10):
        html = await keyup(view, "ArrowRight")
    assert '<p id="level" class="big">100%</p>' in html and bars_on(html) == 10
    assert '<button id="up" phx-click="up" disabled' in html  # no louder than 100
    for _ in range(11):
        html = await keyup(view, "ArrowDown")
    assert '<p id="level" class="big">0%</p>' in html and bars_on(html) == 0
    assert '<button id="down" phx-click="down" disabled' in html


async def test_m_mutes_and_unmutes_keeping_the_level(view: LiveViewTest) -> None:
    html = await keyup(view, "m")
    assert (
        '<p id="level" class="big">Muted</p>' in html and 'value="0"' in html and bars_on(html) == 0
    )
    assert 'aria-pressed="true"' in html and "Unmute" in html
    html = await keyup(view, "M")
    assert '<p id="level" class="big">30%</p>' in html and bars_on(html) == 3
    await keyup(view, "m")
    html = await keyup(view, "ArrowUp")  # a change of level unmutes, as a real mixer does
    assert '<p id="level" class="big">40%</p>' in html


async def test_other_keys_change_nothing(view: LiveViewTest) -> None:
    before = view.html
    for key in ("a", "Enter", "", "ArrowUpArrowUp"):
        assert await keyup(view, key) == before
    assert await keyup(view, None) == before  # no key at all


async def test_the_buttons_do_what_the_keys_do(view: LiveViewTest) -> None:
    assert '<p id="level" class="big">40%</p>' in await view.element("button#up").click()
    assert '<p id="level" class="big">30%</p>' in await view.element("button#down").click()
    assert '<p id="level" class="big">Muted</p>' in await view.element("button#mute").click()
