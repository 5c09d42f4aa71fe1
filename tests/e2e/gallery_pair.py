"""Two gallery servers sharing one broker, driven in a real Chromium: the steps that read the same
whether the broker is Redis or PostgreSQL, for `test_redis_gallery.py` and
`test_postgres_gallery.py`."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

GALLERY = "liveview.gallery.app:app"
MAIN = "[data-phx-main]"


def open_live(page: Page, url: str) -> Page:
    page.goto(url)
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    return page


def two_servers(live_server: Callable[..., str], pubsub_url: str) -> tuple[str, str]:
    """Two gallery processes on two ports, both publishing through `pubsub_url`."""
    env = {"LIVEVIEW_PUBSUB_URL": pubsub_url}
    first, second = live_server(GALLERY, env=env), live_server(GALLERY, env=env)
    assert first != second
    return first, second


def clicks_cross_both_ways(a: Page, b: Page) -> None:
    """Shared-counter clicks on either page show on both."""
    a.click("#inc")
    expect(a.locator("#count")).to_have_text("1")
    expect(b.locator("#count")).to_have_text("1")
    b.click("#inc")
    expect(b.locator("#count")).to_have_text("2")
    expect(a.locator("#count")).to_have_text("2")
    a.click("#dec")
    expect(b.locator("#count")).to_have_text("1")


def chat_crosses_both_ways(ann: Page, bob: Page, first: str) -> list[str]:
    """Ann sends `first` (by click), Bob answers (by Enter); both show both once. The lines."""
    ann.fill("#name", "Ann")
    ann.fill("#text", first)
    ann.click("#send")
    expect(bob.locator("#messages li")).to_have_text([f"Ann: {first}"])
    bob.fill("#name", "Bob")
    bob.fill("#text", "hello from two")
    bob.press("#text", "Enter")
    expected = [f"Ann: {first}", "Bob: hello from two"]
    expect(ann.locator("#messages li")).to_have_text(expected)
    expect(bob.locator("#messages li")).to_have_text(expected)  # each message once
    return expected


LATE_READER = """(() => {
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    set onmessage(handler) {
      super.onmessage = (event) => setTimeout(() => handler.call(this, event), %d);
    }
    get onmessage() { return super.onmessage; }
  };
})();"""


def reading_late(page: Page, milliseconds: int) -> Page:
    """`page`, getting every websocket message `milliseconds` late (a loaded machine, a slow
    network): its own answers come after the other server's pages show what it did."""
    if milliseconds:
        page.add_init_script(LATE_READER % milliseconds)
    return page


def answered_click(page: Page, selector: str) -> None:
    """Click, and wait for the server's answer. The official client ignores a click on an
    element whose last click is unanswered (it still has `data-phx-ref-src`), and a page read
    before the answer shows the state before the click."""
    page.click(selector)
    expect(page.locator(f"{selector}[data-phx-ref-src]")).to_have_count(0)


def pages_keep_working_while_away(
    one: str,
    two: str,
    new_page: Callable[[], Page],
    stop: Callable[[], object],
    start: Callable[[], object],
    back: str,
    latency: int = 0,
) -> None:
    """While the broker is away (`stop`), pages are served and clicks answered with a notice;
    once it is back (`start`), the servers hear each other again (else fail saying `back`).
    The clicking tab reads its websocket `latency` milliseconds late."""
    a = open_live(reading_late(new_page(), latency), one + "/shared-counter")
    b = open_live(new_page(), two + "/shared-counter")
    answered_click(a, "#inc")
    expect(a.locator("#count")).to_have_text("1")
    expect(b.locator("#count")).to_have_text("1")

    stop()
    late = open_live(new_page(), two + "/shared-counter")  # served and joined meanwhile
    expect(late.locator("#count")).to_have_text("1")
    answered_click(a, "#inc")  # the click is answered, with a notice instead of a crash
    expect(a.locator("#notice")).to_contain_text("cannot be reached")
    expect(a.locator("#count")).to_have_text("1")

    start()
    # Both servers reconnect within about a second; clicks then reach the other server again.
    # Each click is counted (the publishing connection is back at once), and compared once
    # answered: its own count, not the one before it.
    count = 1
    for _ in range(20):
        answered_click(a, "#inc")
        count += 1
        expect(a.locator("#count")).to_have_text(str(count))
        try:
            expect(b.locator("#count")).to_have_text(str(count), timeout=500)
            break
        except AssertionError:
            continue
    else:
        raise AssertionError(f"the servers did not hear each other again after {back}")
    expect(late.locator("#count")).to_have_text(str(count))
    expect(a.locator("#notice")).to_have_count(0)
