"""The gallery's async fetch example through `liveview.testing`, as a user's tests would drive
it: the report loads after the page (the `async_result` macro's three states), fails, is
refreshed keeping the old figures, cancelled; the stock check reaches `handle_async`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from liveview import LiveViewApp
from liveview.gallery.async_fetch import AsyncFetch
from liveview.testing import LiveViewTestClient

LOADING = '<span class="lv-async-loading">Loading the report…</span>'


@pytest.fixture
async def client() -> AsyncIterator[LiveViewTestClient]:
    async with LiveViewTestClient(LiveViewApp(routes={"/": AsyncFetch}, secret="s")) as client:
        yield client


async def test_the_page_shows_loading_then_the_report(client: LiveViewTestClient) -> None:
    assert LOADING in (await client.get("/?delay=0.2")).text  # the dead render: loading
    view = await client.live("/?delay=0.2")
    assert LOADING in view.html
    html = await view.wait_for(lambda html: 'id="figures"' in html)
    assert "<b>north</b>: 1204 sales" in html and LOADING not in html
    assert 'id="cancel" phx-click="cancel" disabled' in html


async def test_a_failing_report_shows_the_failed_state(client: LiveViewTestClient) -> None:
    view = await client.live("/?delay=0&fail=1")
    html = await view.wait_for(lambda html: "lv-async-failed" in html)
    assert "The report could not be loaded." in html
    assert '<p id="reason">the north report service did not answer</p>' in html


async def test_refresh_keeps_the_figures_until_the_new_ones(client: LiveViewTestClient) -> None:
    view = await client.live("/?delay=0")
    await view.wait_for(lambda html: 'id="figures"' in html)
    html = await view.element("button#refresh").click()
    assert 'id="figures"' in html and '<p id="refreshing">Refreshing…</p>' in html
    await view.wait_for(lambda html: "Refreshing" not in html)


async def test_cancel_stops_the_load(client: LiveViewTestClient) -> None:
    view = await client.live("/?delay=10")
    html = await view.element("button#cancel").click()
    assert '<p id="reason">cancelled: stopped by you</p>' in html
    assert "The report could not be loaded." in html and LOADING not in html


async def test_another_region_resets_and_the_stock_check(client: LiveViewTestClient) -> None:
    view = await client.live("/?delay=0")
    await view.wait_for(lambda html: 'id="figures"' in html)
    html = await view.element("button#region-south").click()
    assert LOADING in html and 'id="figures"' not in html
    await view.wait_for(lambda html: "<b>south</b>: 987 sales" in html)
    html = await view.element("button#check").click()
    assert '<span id="stock-answer">checking…</span>' in html
    await view.wait_for(lambda html: '<span id="stock-answer">77 in stock</span>' in html)
