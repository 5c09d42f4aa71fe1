"""The sorting example through `liveview.testing`: headings are patch links that sort, the
sorted one reverses, the sort survives paging, and bad URLs fall back and say so."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import AsyncIterator

import pytest

from liveview import LiveViewApp
from liveview.gallery.sorting import Sorting
from liveview.testing import LiveViewTestClient, assert_patch


@pytest.fixture
async def client() -> AsyncIterator[LiveViewTestClient]:
    async with LiveViewTestClient(LiveViewApp(routes={"/sorting": Sorting}, secret="s")) as client:
        yield client


def column(html: str, index: int) -> list[str]:
    """The text of one column of the table's body."""
    rows = re.findall(r'<tr id="donation-\d+">(.*?)</tr>', html, re.DOTALL)
    return [re.findall(r"<td>(.*?)</td>", row)[index] for row in rows]


def heading_href(html: str, key: str) -> str:
    found = re.search(rf'<th scope="col" id="by-{key}".*?<a href="([^"]+)"', html, re.DOTALL)
    assert found is not None, html
    return html_lib.unescape(found[1])


async def test_a_heading_sorts_and_a_second_click_reverses(client: LiveViewTestClient) -> None:
    view = await client.live("/sorting")
    assert column(view.html, 0) == [str(n) for n in range(1, 21)]
    assert 'id="by-id"\n            aria-sort="ascending"' in view.html
    href = heading_href(view.html, "quantity")
    html = await view.element("th#by-quantity a").click()  # a patch link: no remount
    assert await assert_patch(view, href)
    quantities = [int(q) for q in column(html, 3)]
    assert quantities == sorted(quantities) and quantities[0] == 1
    assert view.title == "Sorting by Lbs, page 1" and 'aria-sort="ascending"' in html
    assert heading_href(html, "quantity") == "/sorting?sort_by=quantity&order=desc&page=1"
    html = await view.element("th#by-quantity a").click()
    assert await assert_patch(view, "/sorting?sort_by=quantity&order=desc&page=1")
    quantities = [int(q) for q in column(html, 3)]
    assert quantities == sorted(quantities, reverse=True) and quantities[0] == 60
    assert 'aria-sort="descending"' in html
    assert "by Lbs, descending</caption>" in " ".join(html.split())


async def test_items_sort_by_name_and_the_sort_survives_paging(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/sorting?sort_by=item&order=asc")
    names = column(view.html, 1)
    assert names[0] == "Apples" and names == sorted(names)
    ids_on_page_one = column(view.html, 0)
    html = await view.element("nav#pages a#next").click()
    assert await assert_patch(view, "/sorting?sort_by=item&order=asc&page=2")
    assert column(html, 1)[0].endswith("Apples") or column(html, 1)[0].endswith("Bananas")
    assert not set(column(html, 0)) & set(ids_on_page_one)
    # ties keep id order: the 25 apple donations are in increasing id order over both pages
    apples = [int(i) for i in ids_on_page_one] + [
        int(i)
        for i, item in zip(column(html, 0), column(html, 1), strict=True)
        if item.endswith("Apples")
    ]
    assert apples == sorted(apples) and len(apples) == 25
    assert 'href="/sorting?sort_by=item&amp;order=asc&amp;page=3"' in html


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("sort_by=password", "There is no column &#39;password&#39; to sort by: sorted by #."),
        ("order=sideways", "&#39;sideways&#39; is not an order (asc or desc): ascending."),
        ("page=26", "There is no page 26: showing page 25 of 25."),
    ],
)
async def test_a_bad_url_falls_back_and_says_so(
    client: LiveViewTestClient, query: str, notice: str
) -> None:
    view = await client.live(f"/sorting?{query}")
    assert notice in view.html and len(column(view.html, 0)) == 20
