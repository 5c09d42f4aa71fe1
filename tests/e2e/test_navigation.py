"""Live navigation in a real Chromium with the official client: within a live session the next
page mounts over the open websocket; out of it the join is refused and the client loads the page
over HTTP (so whatever guards that path runs again)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

APP = "tests.e2e.apps.navigation:app"
MAIN = "[data-phx-main]"


def open_marked(page: Page, url: str) -> None:
    """Open `url` and mark the window: a full page load loses the mark, a live navigation not."""
    page.goto(url)
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    page.evaluate("window.marked = true")


def marked(page: Page) -> bool:
    return bool(page.evaluate("window.marked === true"))


def test_within_a_live_session_navigation_stays_live(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(APP)
    open_marked(page, base + "/admin")
    page.click("#to-users")
    expect(page.locator("#title")).to_have_text("users")
    expect(page).to_have_url(base + "/admin/users")
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    assert marked(page)


@pytest.mark.parametrize(
    ("start", "link", "title"),
    [("/", "to-about", "about"), ("/about", "to-admin", "admin"), ("/admin", "to-home", "home")],
)
def test_out_of_a_live_session_navigation_is_a_page_load(
    live_server: Callable[..., str], page: Page, start: str, link: str, title: str
) -> None:
    base = live_server(APP)
    open_marked(page, base + start)
    page.click(f"#{link}")
    expect(page.locator("#title")).to_have_text(title)
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    assert not marked(page)
