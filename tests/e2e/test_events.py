"""Key, focus and blur bindings and client hooks in a real Chromium with the official client."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

APP = "tests.e2e.apps.events:app"


def test_key_focus_blur_events(live_server: Callable[..., str], page: Page) -> None:
    page.goto(live_server(APP) + "/events")
    expect(page.locator("[data-phx-main]")).to_contain_class("phx-connected")
    page.click("#keys")
    expect(page.locator("#focus")).to_have_text("focus")
    page.keyboard.press("x")
    expect(page.locator("#last-key")).to_have_text("x")
    page.keyboard.press("Enter")
    expect(page.locator("#last-key")).to_have_text("Enter")
    page.click("#other")
    expect(page.locator("#focus")).to_have_text("blur")


def test_hook_push_event_reply_and_server_pushed_event(
    live_server: Callable[..., str], page: Page
) -> None:
    page.goto(live_server(APP) + "/events")
    expect(page.locator("[data-phx-main]")).to_contain_class("phx-connected")
    page.click("#pinger")
    expect(page.locator("#pings")).to_have_text("1")
    expect(page.locator("#pinger")).to_have_attribute("data-reply", "42")
    expect(page.locator("#pinger")).to_have_attribute("data-pushed", "43")
