"""The pagination example through `liveview.testing`: the page lives in the URL, patch links and
the page-size menu change it without a remount, and bad URLs show the nearest page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from liveview import LiveViewApp
from liveview.gallery.pagination import Pagination, page_links
from liveview.testing import LiveViewTestClient, assert_patch, refute_patch


@pytest.fixture
async def client() -> AsyncIterator[LiveViewTestClient]:
    app = LiveViewApp(routes={"/donations": Pagination}, secret="s")
    async with LiveViewTestClient(app) as client:
        yield client


def ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="donation-(\d+)">', html)]


async def test_the_first_page_then_a_patch_link_to_the_next(client: LiveViewTestClient) -> None:
    dead = (await client.get("/donations")).text  # the dead render reads the URL too
    assert ids(dead) == list(range(1, 11))
    view = await client.live("/donations")
    assert ids(view.html) == list(range(1, 11)) and view.title == "Donations, page 1 of 50"
    assert "Donations 1 to 10 of 500" in view.html and 'id="previous"' not in view.html
    next_href = re.search(r'id="next" href="([^"]+)" data-phx-link="patch"', view.html)
    assert next_href is not None and next_href[1] == "/donations?page=2&amp;per_page=10"
    html = await view.element("nav#pages a#next").click()  # a patch link: no remount
    assert await assert_patch(view, "/donations?page=2&per_page=10")
    assert ids(html) == list(range(11, 21)) and view.title == "Donations, page 2 of 50"
    assert '<a href="/donations?page=2&amp;per_page=10" aria-current="page">2</a>' in html
    html = await view.patch("/donations?page=50&per_page=10")  # "back"/"forward" send the same
    assert ids(html) == list(range(491, 501)) and 'id="next"' not in html


async def test_the_page_size_menu_patches_the_url_keeping_the_first_row(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/donations?page=3&per_page=10")  # rows 21-30
    html = await view.form("form#page-size", {"per_page": "20"}).change()
    assert await assert_patch(view) == "/donations?page=2&per_page=20"  # the page holding row 21
    await refute_patch(view)  # that one patch only
    assert ids(html) == list(range(21, 41)) and 'value="20" selected' in html


@pytest.mark.parametrize(
    ("query", "first", "notice"),
    [
        ("page=999", 491, "There is no page 999: showing page 50 of 50."),
        ("page=0", 1, "There is no page 0: showing page 1 of 50."),
        ("page=abc", 1, "&#39;abc&#39; is not a page number: showing page 1."),
        ("page=2&per_page=7", 11, "&#39;7&#39; rows a page is not on offer: showing 10."),
        ("per_page=-5&page=", 1, "rows a page is not on offer: showing 10; &#39;&#39; is not"),
    ],
)
async def test_a_url_typed_by_hand_shows_the_nearest_page_and_says_so(
    client: LiveViewTestClient, query: str, first: int, notice: str
) -> None:
    view = await client.live(f"/donations?{query}")
    assert ids(view.html)[0] == first
    assert notice in view.html
    html = await view.patch("/donations?page=1&per_page=50")
    assert 'id="notice"' not in html and len(ids(html)) == 50


def test_page_links_leave_out_the_middle() -> None:
    assert page_links(1, 3) == [1, 2, 3]
    assert page_links(10, 50) == [1, None, 8, 9, 10, 11, 12, None, 50]
    assert page_links(3, 50) == [1, 2, 3, 4, 5, None, 50]
