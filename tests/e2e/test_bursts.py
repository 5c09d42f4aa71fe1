"""A burst of publishes in a real Chromium with the official client: infos that wait together
are rendered in one diff, and the page ends on the last update, with every update's state
merged in order by the client."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

APP = "tests.e2e.apps.feed:app"
MAIN = "[data-phx-main]"


def test_a_burst_of_publishes_ends_on_the_last_update_in_the_browser(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(APP)
    page.goto(base + "/feed")
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    frames: list[str] = []
    page.on(
        "websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload)))
    )
    page.reload()  # watch the websocket from its start
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    # 3,000 publishes, the server's loop let in only every 1,000: most wait together
    response = httpx.post(
        base + "/publish", params={"count": 3000, "size": 10, "every": 1000}, timeout=30
    )
    assert response.status_code == 200
    expect(page.locator("#n")).to_have_text("2999")
    expect(page.locator("pre")).to_have_text("2999:" + "x" * 10)
    diffs = [frame for frame in frames if '"diff"' in frame]
    assert 0 < len(diffs) < 3000  # fewer diffs than updates: runs were rendered once
    expect(page.locator(MAIN)).to_contain_class("phx-connected")  # no error, no rejoin
