"""What a user sees when things fail, in a real Chromium with the official client: a crash in a
handler, the server going away and coming back; and a flash message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.gallery_pair import MAIN, open_live

APP = "tests.e2e.apps.failures:app"
SOURCE = Path(__file__).parent / "apps" / "failures.py"
BOOM_LINE = next(
    number
    for number, line in enumerate(SOURCE.read_text().splitlines(), 1)
    if "# BOOM LINE" in line
)


@pytest.mark.allow_console_errors
def test_a_crash_shows_a_notice_and_in_debug_the_error_and_its_line(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    page = open_live(new_page(), live_server(APP, env={"LIVEVIEW_DEBUG": "1"}) + "/")
    page.click("#inc")
    expect(page.locator("#count")).to_have_text("1")
    page.click("#boom")
    expect(page.locator("#lv-crashed")).to_be_visible()
    expect(page.locator("#lv-debug-exception")).to_have_text(
        "ValueError: the boom button was pressed"
    )
    expect(page.locator("#lv-debug-callback")).to_have_text("in handle_event")
    expect(page.locator("#lv-debug-where")).to_have_text(f"{SOURCE}:{BOOM_LINE}")
    expect(page.locator(MAIN)).to_contain_class("phx-connected")  # rejoined, fresh
    expect(page.locator("#count")).to_have_text("0")
    page.click("#lv-debug-close")
    expect(page.locator("#lv-debug")).to_have_count(0)
    expect(page.locator("#lv-crashed")).to_be_hidden(timeout=8_000)


@pytest.mark.allow_console_errors
def test_outside_debug_the_notice_says_only_that_something_went_wrong(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    page = open_live(new_page(), live_server(APP, env={"LIVEVIEW_DEBUG": "0"}) + "/")
    page.click("#boom")
    expect(page.locator("#lv-crashed")).to_be_visible()
    expect(page.locator("#lv-crashed")).to_have_text("Something went wrong; the page was reset.")
    expect(page.locator("#lv-debug")).to_have_count(0)


@pytest.mark.allow_console_errors
def test_a_server_that_goes_away_shows_reconnecting_and_the_page_comes_back(
    live_server: Callable[..., str],
    started_servers: list[LiveServer],
    new_page: Callable[[], Page],
) -> None:
    page = open_live(new_page(), live_server(APP) + "/")
    expect(page.locator("#lv-client-error")).to_be_hidden()
    (server,) = started_servers
    server.stop()
    expect(page.locator("#lv-client-error")).to_be_visible(timeout=10_000)
    expect(page.locator("#lv-client-error")).to_have_text("Connection lost. Reconnecting…")
    server.restart()
    expect(page.locator(MAIN)).to_contain_class("phx-connected", timeout=15_000)
    expect(page.locator("#lv-client-error")).to_be_hidden()
    page.click("#inc")
    expect(page.locator("#count")).to_have_text("1")


def test_a_flash_shows_and_a_click_dismisses_it(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    page = open_live(new_page(), live_server(APP) + "/")
    page.click("#save")
    flash = page.locator("#flash-info")
    expect(flash).to_contain_text("Saved.")
    expect(flash).to_be_visible()
    flash.click()
    expect(flash).to_have_count(0)
