"""`view.element(...)` sends what the official client sends: the same clicks, keys, focus and
blur, done in Chromium and with the test client on the same LiveView, log the same events with
the same payloads to the same LiveView or live component (tests/e2e/apps/testing_parity.py)."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from liveview.testing import LiveViewTestClient
from liveview.testing.html import parse
from tests.e2e.apps.testing_parity import app
from tests.e2e.conftest import AsyncRunner
from tests.e2e.gallery_pair import open_live

CLICKS = [
    "#values",
    "#valued",
    "#item",
    "#box",
    "#checked-box",
    "#radio",
    "#plain-div",
    "#js",
    "#js-card",
    "#to-card",
]
LOGS = ("#log", "#log-a", "#log-b")


def logs_of(html: str) -> dict[str, list[str]]:
    root = parse(html)
    found = {}
    for selector in LOGS:
        log = root.find(selector)
        assert log is not None
        found[selector] = [item.text for item in log.iter() if item.tag == "li"]
    return found


def in_chromium(page: Page, base: str) -> dict[str, list[str]]:
    open_live(page, base + "/")
    count = 0

    def logged() -> None:
        nonlocal count
        count += 1
        expect(page.locator("ol li")).to_have_count(count)

    for selector in CLICKS:
        page.click(selector)
        logged()
    page.focus("#text")
    logged()
    page.locator("#text").press("Enter")
    logged()
    page.focus("#other")
    logged()
    return logs_of(page.inner_html("body"))


async def in_the_test_client() -> dict[str, list[str]]:
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        for selector in CLICKS:
            await view.element(selector).click()
        await view.element("#text").focus()
        await view.element("#text").keyup("Enter")
        await view.element("#text").blur()
        return logs_of(view.html)


def test_element_events_send_what_the_official_client_sends(
    live_server: Callable[..., str], page: Page, run_async: AsyncRunner
) -> None:
    browser = in_chromium(page, live_server("tests.e2e.apps.testing_parity:app"))
    assert sum(len(entries) for entries in browser.values()) == len(CLICKS) + 3
    assert run_async(in_the_test_client()) == browser
