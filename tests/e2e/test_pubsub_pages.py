"""Multi-player pages in a real Chromium: pages kept in step through pub/sub."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.gallery_pair import GALLERY, MAIN, open_live


def test_two_counter_pages_stay_in_step(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    url = live_server(GALLERY) + "/shared-counter"
    a, b = open_live(new_page(), url), open_live(new_page(), url)
    a.click("#inc")
    expect(a.locator("#count")).to_have_text("1")
    expect(b.locator("#count")).to_have_text("1")
    b.click("#inc")
    b.click("#inc")
    expect(a.locator("#count")).to_have_text("3")
    expect(b.locator("#count")).to_have_text("3")
    a.click("#dec")
    expect(b.locator("#count")).to_have_text("2")
    c = open_live(new_page(), url)  # a page opened later starts in step
    expect(c.locator("#count")).to_have_text("2")


def test_chat_message_reaches_the_other_page_as_text(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    url = live_server(GALLERY) + "/chat"
    ann, bob = open_live(new_page(), url), open_live(new_page(), url)
    ann.fill("#name", "Ann")
    ann.fill("#text", "<b>hi</b> & bye")
    ann.click("#send")
    last = bob.locator("#messages li").last
    expect(last).to_have_text("Ann: <b>hi</b> & bye")
    expect(bob.locator("#messages b")).to_have_count(1)  # only the name is bold: no injected <b>
    bob.fill("#name", "Bob")
    bob.fill("#text", "second")
    bob.press("#text", "Enter")
    expect(ann.locator("#messages li")).to_have_text(["Ann: <b>hi</b> & bye", "Bob: second"])


def test_chat_messages_arrive_as_stream_inserts_without_resending_rows(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    # The chat shows its messages through a stream: each message reaches the other page as one
    # inserted row (the `stream` entry of the 1.2 comprehension), never the rows before it.
    url = live_server(GALLERY) + "/chat"
    ann = open_live(new_page(), url)
    frames: list[str] = []
    bob = new_page()
    bob.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    open_live(bob, url)
    ann.fill("#name", "Ann")
    for n in range(1, 6):
        ann.fill("#text", f"m{n}")
        ann.press("#text", "Enter")
        expect(ann.locator("#messages li").last).to_have_text(f"Ann: m{n}")
    expected = [f"Ann: m{n}" for n in range(1, 6)]
    expect(bob.locator("#messages li")).to_have_text(expected)
    inserts = [frame for frame in frames if '"stream"' in frame and '"diff"' in frame]
    assert len(inserts) == 5
    for n, frame in enumerate(inserts, 1):
        assert f"m{n}" in frame and f"m{n - 1}<" not in frame  # only its own row


def test_control_page_drives_display_page(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    base = live_server(GALLERY)
    display = open_live(new_page(), base + "/display")
    control = open_live(new_page(), base + "/control")
    expect(display.locator("#status")).to_have_text("Off")
    control.click("#toggle")
    expect(display.locator("#status")).to_have_text("On, white")
    control.click("#color-red")
    expect(display.locator("#status")).to_have_text("On, red")
    expect(display.locator("#lamp")).to_contain_class("on")
    expect(control.locator("#toggle")).to_have_text("Turn off")


def test_background_publisher_updates_open_page(
    live_server: Callable[..., str], page: Page
) -> None:
    open_live(page, live_server(GALLERY) + "/dashboard")
    first = int(page.locator("#tick").get_attribute("data-tick") or "")
    page.wait_for_function(
        "n => Number(document.querySelector('#tick').dataset.tick) >= n", arg=first + 2
    )


def test_view_crashing_on_a_message_recovers_and_others_keep_receiving(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    base = live_server("tests.e2e.apps.pubsub:app")
    fragile = open_live(new_page(), base + "/fragile")
    sturdy = open_live(new_page(), base + "/sturdy")
    sturdy.click("#normal")
    expect(fragile.locator("#last")).to_have_text("1")
    sturdy.click("#poison")
    expect(sturdy.locator("#last")).to_have_text("2")
    expect(fragile.locator(MAIN)).to_contain_class("phx-error")
    expect(fragile.locator(MAIN)).to_contain_class("phx-connected", timeout=10_000)
    expect(fragile.locator("#last")).to_have_text("nothing")  # remounted fresh
    sturdy.click("#normal")
    expect(sturdy.locator("#last")).to_have_text("3")
    expect(fragile.locator("#last")).to_have_text("3")  # subscribed again after the rejoin
