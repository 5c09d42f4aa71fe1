"""The runtime in a real Chromium with the official client: dead render, join, events, crashes."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

APP = "tests.e2e.apps.runtime:app"
MAIN = "[data-phx-main]"


def test_counter_dead_render_then_connected_clicks(
    live_server: Callable[..., str], page: Page
) -> None:
    url = live_server(APP)
    page.goto(url + "/counter")
    expect(page.locator("#count")).to_have_text("0")
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    page.click("#inc")
    expect(page.locator("#count")).to_have_text("1")
    for _ in range(4):
        page.click("#inc")
    expect(page.locator("#count")).to_have_text("5")
    page.click("#dec")
    expect(page.locator("#count")).to_have_text("4")
    expect(page).to_have_title("Counter")


def test_conditional_appears_after_threshold(live_server: Callable[..., str], page: Page) -> None:
    page.goto(live_server(APP) + "/counter")
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    expect(page.locator("#big")).to_have_count(0)
    for expected in range(1, 11):
        page.click("#inc")
        expect(page.locator("#count")).to_have_text(str(expected))
    expect(page.locator("#big")).to_have_text("That is a big number.")


def test_page_is_useful_without_javascript(
    live_server: Callable[..., str], browser: Browser
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server(APP) + "/counter")
        expect(page.locator("#count")).to_have_text("0")
        expect(page.locator("h1")).to_have_text("Counter")
    finally:
        context.close()


def test_phx_change_echoes_and_submit_validates(
    live_server: Callable[..., str], page: Page
) -> None:
    page.goto(live_server(APP) + "/form")
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    page.locator("#name").press_sequentially("Ada <b>")
    expect(page.locator("#echo")).to_have_text("Ada <b>")  # escaped: shown as text
    page.fill("#email", "nope")
    expect(page.locator("#errors li")).to_have_text(["Email must contain @"])
    page.fill("#email", "ada@example.org")
    expect(page.locator("#errors")).to_have_count(0)
    page.click("#save")
    expect(page.locator("#saved")).to_have_text("Saved Ada <b>.")


def test_crashed_view_recovers_while_the_other_keeps_working(
    live_server: Callable[..., str], page: Page
) -> None:
    page.goto(live_server(APP) + "/crash")
    main = page.locator(MAIN)
    sidebar = page.locator("[data-phx-session]:not([data-phx-main])")
    expect(main).to_contain_class("phx-connected")
    expect(sidebar).to_contain_class("phx-connected")
    page.click("#side-inc")
    expect(page.locator("#side-count")).to_have_text("1")
    page.click("#main-inc")
    expect(page.locator("#main-count")).to_have_text("1")
    mounted = page.locator("#main-count").evaluate("e => e.parentElement.textContent")

    page.click("#boom")
    expect(main).to_contain_class("phx-error", timeout=5_000)
    expect(main).to_contain_class("phx-connected", timeout=10_000)  # rejoined: remounted
    expect(page.locator("#main-count")).to_have_text("0")
    assert page.locator("#main-count").evaluate("e => e.parentElement.textContent") != mounted
    page.click("#main-inc")
    expect(page.locator("#main-count")).to_have_text("1")

    # the other view on the same websocket never noticed: same state, still live
    page.click("#side-inc")
    expect(page.locator("#side-count")).to_have_text("2")


def test_a_websocket_closed_as_idle_reconnects_and_works(
    live_server: Callable[..., str], page: Page
) -> None:
    """The server closes a websocket silent for the idle timeout (1 s here; the client's
    heartbeat is every 30 s): the official client reconnects and rejoins — without reloading the
    page, which it does on a 1000 close — the LiveView mounts again and events work."""
    url = live_server(APP, env={"E2E_IDLE_TIMEOUT": "1.0"})
    page.goto(url + "/counter")
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    page.evaluate("window.notReloaded = true")
    page.click("#inc")
    expect(page.locator("#count")).to_have_text("1")
    # closed within 1.25 s of silence, then a rejoin and a fresh mount: the count starts again
    expect(page.locator("#count")).to_have_text("0", timeout=5_000)
    assert page.evaluate("window.notReloaded === true")
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    page.click("#inc")
    expect(page.locator("#count")).to_have_text("1")
