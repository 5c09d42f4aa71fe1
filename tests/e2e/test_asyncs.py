"""Async assigns in a real Chromium with the official client: the gallery's async fetch page
shows its loading state, then the data or the failure; a running task is cancelled when its
page navigates away, is closed, or crashes (the server's journal shows the task cancelled and
never reaching its last line)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

APP = "tests.e2e.apps.asyncs:app"
MAIN = "[data-phx-main]"
LOADING = "Loading the report…"


def journal(base: str) -> list[str]:
    return list(httpx.get(base + "/journal").json())


def wait_journal(base: str, entry: str, timeout: float = 10.0) -> list[str]:
    """The server's journal once it has `entry` (an AssertionError with it, if not in time)."""
    deadline = time.monotonic() + timeout
    while True:
        entries = journal(base)
        if entry in entries:
            return entries
        if time.monotonic() > deadline:
            raise AssertionError(f"{entry!r} not in the journal within {timeout} s: {entries}")
        time.sleep(0.05)


def test_a_one_second_load_shows_loading_then_the_data(
    live_server: Callable[..., str], page: Page
) -> None:
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    response = page.goto(live_server(APP) + "/async?delay=1")
    assert response is not None and LOADING in response.text()  # the dead render: loading
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    expect(page.locator("#figures")).to_have_text("north: 1204 sales, 318 orders", timeout=10_000)
    expect(page.locator("#report")).not_to_contain_text(LOADING)
    # what the browser got: the join's render still loading, then the data in a pushed diff
    messages = [json.loads(frame) for frame in frames]
    (join,) = [m for m in messages if m[3] == "phx_reply" and "rendered" in m[4]["response"]]
    assert LOADING in json.dumps(join[4]["response"]["rendered"], ensure_ascii=False)
    pushed = [m for m in messages if m[3] == "diff" and "1204" in json.dumps(m[4])]
    assert pushed, "the data came in a diff pushed after the join"


def test_a_failing_load_shows_the_error_state(live_server: Callable[..., str], page: Page) -> None:
    page.goto(live_server(APP) + "/async?delay=0.2&fail=1")
    expect(page.locator("#report .lv-async-failed")).to_have_text(
        "The report could not be loaded.", timeout=10_000
    )
    expect(page.locator("#reason")).to_have_text("the north report service did not answer")
    page.click("#check")  # the page is alive: the stock check still answers
    expect(page.locator("#stock-answer")).to_have_text("67 in stock", timeout=10_000)


def test_navigating_away_cancels_the_running_task(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(APP)
    page.goto(base + "/slow?tag=nav")
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    expect(page.locator("#state")).to_have_text("loading…")
    wait_journal(base, "nav started")
    page.click("#away")  # a live navigation: same websocket, the old LiveView leaves
    expect(page.locator("#other")).to_have_text("the other page")
    entries = wait_journal(base, "nav cancelled")
    assert "nav finished" not in entries


def test_closing_the_tab_cancels_the_running_task(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    base = live_server(APP)
    page = new_page()
    page.goto(base + "/slow?tag=close")
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    wait_journal(base, "close started")
    page.close()
    entries = wait_journal(base, "close cancelled")
    assert "close finished" not in entries


def test_a_crash_of_the_view_cancels_the_running_task(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(APP)
    page.goto(base + "/slow?tag=crash")
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    wait_journal(base, "crash started")
    page.click("#crash")
    entries = wait_journal(base, "crash cancelled")
    assert "crash finished" not in entries
    # the client rejoins: a fresh mount, whose own task starts
    expect(page.locator(MAIN)).to_contain_class("phx-connected", timeout=10_000)
    deadline = time.monotonic() + 10
    while journal(base).count("crash started") < 2:
        assert time.monotonic() < deadline, f"no task after the rejoin: {journal(base)}"
        time.sleep(0.05)
    expect(page.locator("#state")).to_have_text("loading…")
