"""The gallery in process: entries declared next to each example, found and checked; the index
lists them; each page is framed with its title, its hint and its own escaped source."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

import liveview.gallery
from liveview import LiveView
from liveview.gallery import counter
from liveview.gallery.app import EXAMPLES, app
from liveview.gallery.example import SECTIONS, Example, check_unique, collect
from liveview.testing import LiveViewTestClient


class Plain(LiveView):
    template = "<p>plain</p>"


class Other(LiveView):
    template = "<p>other</p>"


def test_every_example_module_is_found_once_in_section_order() -> None:
    assert collect(liveview.gallery) == EXAMPLES
    routes = [e.route for e in EXAMPLES]
    assert len(routes) == len(set(routes)) >= 18
    assert [SECTIONS.index(e.section) for e in EXAMPLES] == sorted(
        SECTIONS.index(e.section) for e in EXAMPLES
    )
    framed = [e for e in EXAMPLES if e.view is not None]
    assert all(e.hint for e in framed), "every framed example says what to try"
    assert all(e.view.gallery_example is e for e in framed if e.view)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"route": "counter"}, ValueError, "must start with '/'"),
        ({"title": ""}, ValueError, "must not be empty"),
        ({"section": "Misc"}, ValueError, "is not one of"),
        ({"view": object}, TypeError, "a LiveView class"),
        ({"view": None}, ValueError, "give `module`"),
    ],
)
def test_a_bad_entry_is_refused_when_declared(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    entry: dict[str, object] = {
        "route": "/plain",
        "view": Plain,
        "title": "Plain",
        "description": "A plain page.",
    }
    with pytest.raises(error, match=re.escape(message)):
        Example(**{**entry, **kwargs})  # type: ignore[arg-type]


def test_two_entries_on_one_route_or_one_class_twice_are_refused() -> None:
    one = Example("/a", Plain, title="A", description="a")
    with pytest.raises(ValueError, match="two gallery examples on /a: 'A' and 'B'"):
        check_unique([one, Example("/a", Other, title="B", description="b")])
    with pytest.raises(ValueError, match=r"Plain is in the gallery twice \(/a and /b\)"):
        check_unique([one, Example("/b", Plain, title="B", description="b")])
    check_unique([one, Example("/b", Other, title="B", description="b")])  # fine


def test_the_source_is_the_module_file_escaped() -> None:
    entry = next(e for e in EXAMPLES if e.view is counter.Counter)
    text = Path(counter.__file__).read_text(encoding="utf-8")
    assert entry.source_file == "counter.py"
    assert "<h1>" in text and "<h1>" not in entry.source
    assert html.unescape(str(entry.source)) == text


async def test_the_index_has_a_card_per_example_and_badges_where_multi_player() -> None:
    async with LiveViewTestClient(app) as client:
        page = (await client.get("/")).text
    assert "<title data-default=\"liveview gallery\">liveview gallery</title>" in page
    assert "/assets/gallery.css" in page
    cards = re.findall(r'<li class="card">(.*?)</li>', page, re.S)
    assert len(cards) == len(EXAMPLES)
    for example, card in zip(EXAMPLES, cards, strict=True):
        assert f'href="{example.route}"' in card
        assert example.description in html.unescape(card)
        assert ('class="badge"' in card) == example.multiplayer


async def test_an_example_page_is_framed_with_title_hint_source_and_a_way_back() -> None:
    shared = next(e for e in EXAMPLES if e.route == "/shared-counter")
    async with LiveViewTestClient(app) as client:
        page = (await client.get("/shared-counter")).text
        view = await client.live("/shared-counter")
        assert 'id="count"' in view.html  # the example itself still works under the frame
    # The view sets no title of its own: the entry's, with the gallery's suffix (kept live).
    assert (
        '<title data-default="Shared counter" data-suffix=" · liveview gallery">'
        "Shared counter · liveview gallery</title>"
    ) in page
    assert '<a id="gallery-home" class="brand" href="/">' in page
    assert '<span class="badge">multi-player</span>' in page
    assert f"<strong>Try it</strong> {html.escape(shared.hint, quote=False)}" in page
    source = re.search(r'<pre id="source"><code>(.*?)</code></pre>', page, re.S)
    assert source is not None
    assert "class SharedCounter(LiveView):" in html.unescape(source[1])
    container = page.index(" data-phx-main data-phx-session=")
    assert page.index('id="try"') < container < page.index('id="source"')


async def test_a_view_with_its_own_title_keeps_it() -> None:
    async with LiveViewTestClient(app) as client:
        page = (await client.get("/team")).text
    assert ">New team · liveview gallery</title>" in page  # the view's page_title


async def test_the_dashboard_shows_a_time_of_day_not_an_epoch() -> None:
    async with LiveViewTestClient(app) as client:
        view = await client.live("/dashboard")
        tick = re.search(r'<time id="tick" data-tick="(\d+)">([^<]*)</time>', view.html)
        assert tick is not None
        assert re.fullmatch(r"\d\d:\d\d:\d\d UTC", tick[2]), tick[2]
