"""The search example through `liveview.testing`: suggestions on change, a search patched into
the URL, matches marked and escaped, and odd queries handled."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from liveview import LiveViewApp
from liveview.gallery.search import MAX_QUERY, Search, marked, suggest
from liveview.testing import LiveViewTestClient, assert_patch, refute_patch


@pytest.fixture
async def client() -> AsyncIterator[LiveViewTestClient]:
    async with LiveViewTestClient(LiveViewApp(routes={"/search": Search}, secret="s")) as client:
        yield client


def options(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"></option>', html)


def results(html: str) -> list[str]:
    found = re.findall(r"<li><strong>(.*?)</strong>", html, re.DOTALL)
    return [re.sub(r"</?mark>", "", name) for name in found]


async def test_typing_fills_the_datalist_starting_matches_first(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/search")
    assert '<input id="q" name="q" type="search" value="" list="suggestions"' in view.html
    assert 'phx-debounce="300"' in view.html
    form = view.form("form#search")
    html = await form.change({"q": "par"})
    assert options(html) == ["Paris"]
    html = await form.change({"q": "o"})
    assert options(html)[0] == "Oslo" and "Bogotá" in options(html)  # starting with o, first
    assert len(options(html)) == 8  # no more than eight
    assert options(await form.change({"q": "   "})) == []


async def test_a_search_patches_the_url_and_lists_every_match(client: LiveViewTestClient) -> None:
    view = await client.live("/search")
    html = await view.form("form#search", {"q": " japan "}).submit()
    assert await assert_patch(view) == "/search?q=japan" and view.title == "Search: japan"
    await refute_patch(view)  # that one patch only
    assert results(html) == ["Tokyo", "Kyoto"]  # largest first
    assert "<mark>Japan</mark>" in html and "2 cities for “japan”" in " ".join(html.split())
    assert options(html) == []  # the suggestions are put away
    # the dead render of that URL shows the same: a search can be bookmarked
    assert results((await client.get("/search?q=japan")).text) == ["Tokyo", "Kyoto"]


async def test_no_match_and_markup_in_a_query(client: LiveViewTestClient) -> None:
    view = await client.live("/search?q=<script>")
    assert "No city or country holds “&lt;script&gt;”." in view.html
    assert "<script>" not in view.html
    view = await client.live("/search?q=" + "a" * 500)  # cut to MAX_QUERY characters
    assert f'value="{"a" * MAX_QUERY}"' in view.html
    await view.form("form#search").change({"q": "z" * 10_000})  # past its maxlength: forged
    assert options(view.html) == []


def test_marks_are_case_blind_and_stay_off_when_casefold_changes_lengths() -> None:
    assert marked("São Paulo", "PAUL") == ("São ", "Paul", "o")
    assert marked("Straße", "SS") == ("Straße", "", "")
    assert marked("Lima", "x") == ("Lima", "", "")
    assert suggest("zü") == ["Zürich"]
