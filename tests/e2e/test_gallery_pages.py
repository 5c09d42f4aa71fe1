"""Every gallery page in Chromium at 1280 px and at 390 px wide: it connects, shows its frame
(title, what to try, its source, the way back), logs no console error, has no failed request
and no response >= 400, and fits the narrow screen without sideways scrolling. Screenshots go
to build/screenshots/ (git-ignored) for a person to look at.

One gallery server for the module; one page per example, resized from wide to narrow."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, Response, expect

import liveview.gallery
from liveview.gallery.example import Example, collect
from tests.e2e.conftest import ROOT, LiveServer, _start_server
from tests.e2e.gallery_pair import GALLERY, MAIN

SCREENSHOTS = ROOT / "build" / "screenshots"
EXAMPLES = collect(liveview.gallery)
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def gallery(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = _start_server(GALLERY, None, tmp_path_factory.mktemp("gallery"))
    try:
        yield server
    finally:
        server.stop()


def watched(page: Page) -> list[str]:
    """What went wrong on the wire for `page`, as it happens: failed requests and >= 400s."""
    problems: list[str] = []

    def failed(request: Request) -> None:
        problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def answered(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"{response.status} for {response.request.method} {response.url}")

    page.on("requestfailed", failed)
    page.on("response", answered)
    return problems


def shoot(page: Page, name: str, width: int) -> None:
    """Both widths of one page object: resize, let it lay out, check the fit, screenshot."""
    page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
    page.evaluate("() => new Promise(requestAnimationFrame)")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px screen"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


def slug(route: str) -> str:
    return route.strip("/").replace("/", "-") or "index"


def test_the_index_lists_every_example_as_a_card(
    gallery: LiveServer, new_page: Callable[[], Page]
) -> None:
    page = new_page()
    problems = watched(page)
    page.goto(gallery.url + "/")
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    expect(page).to_have_title("liveview gallery")
    cards = page.locator(".cards .card")
    expect(cards).to_have_count(len(EXAMPLES))
    for example in EXAMPLES:
        card = cards.filter(has=page.locator(f'a[href="{example.route}"]'))
        expect(card).to_contain_text(example.description)
        expect(card.locator(".badge")).to_have_count(1 if example.multiplayer else 0)
    for width in WIDTHS:
        shoot(page, "index", width)
    assert problems == []


FRAMED = [e for e in EXAMPLES if e.view is not None]


@pytest.mark.parametrize("example", FRAMED, ids=[slug(e.route) for e in FRAMED])
def test_an_example_page_is_framed_and_clean_at_both_widths(
    example: Example, gallery: LiveServer, new_page: Callable[[], Page]
) -> None:
    page = new_page()
    problems = watched(page)
    page.goto(gallery.url + example.route)
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    expect(page).to_have_title(re.compile(r".+ · liveview gallery$"))  # the view may set its own
    expect(page.locator("#example-title")).to_have_text(example.title)
    expect(page.locator("#try")).to_contain_text(example.hint)
    assert example.view is not None
    expect(page.locator("#source")).to_contain_text(f"class {example.view.__name__}(")
    expect(page.locator("#gallery-home")).to_have_attribute("href", "/")
    for width in WIDTHS:
        shoot(page, slug(example.route), width)
    assert problems == []


def test_an_app_of_its_own_mounted_in_the_gallery_is_clean_too(
    gallery: LiveServer, new_page: Callable[[], Page]
) -> None:
    (accounts,) = [e for e in EXAMPLES if e.view is None]
    page = new_page()
    problems = watched(page)
    page.goto(gallery.url + accounts.route)
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    for width in WIDTHS:
        shoot(page, slug(accounts.route), width)
    assert problems == []


def test_screenshots_stay_out_of_git() -> None:
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "build/" in ignored and SCREENSHOTS.is_relative_to(ROOT / "build")
    assert Path(SCREENSHOTS).parts[-2:] == ("build", "screenshots")
