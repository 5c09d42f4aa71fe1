"""Streams in a real Chromium with the official client: the gallery chat (a stream with
`limit=-100`) between two browsers, deletes reaching both, a reset on a room switch."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.gallery_pair import GALLERY, open_live

EACH_WAY = 300
SHOWN = 100


def send(page: Page, text: str) -> None:
    """Send one message and wait for the server's answer (the form leaves its loading state)."""
    page.fill("#text", text)
    page.press("#text", "Enter")
    expect(page.locator("#chat.phx-submit-loading")).to_have_count(0)


def texts(page: Page) -> list[str]:
    return page.locator("#messages li .text").all_inner_texts()


def test_two_browsers_chat_through_a_stream_delete_and_switch_rooms(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    url = live_server(GALLERY) + "/chat"
    ann, bob = open_live(new_page(), url), open_live(new_page(), url)
    ann.fill("#name", "Ann")
    bob.fill("#name", "Bob")
    sent: list[str] = []
    for n in range(EACH_WAY):
        send(ann, f"a{n}")
        send(bob, f"b{n}")
        sent += [f"a{n}", f"b{n}"]
    last = sent[-SHOWN:]
    for page in (ann, bob):
        expect(page.locator("#messages li .text")).to_have_text(last, timeout=30_000)
        assert page.locator("#messages li").count() == SHOWN  # the limit trimmed the rest

    # a delete in one browser: gone in both
    ann.locator("#messages li").first.locator(".delete").click()
    for page in (ann, bob):
        expect(page.locator("#messages li .text")).to_have_text(last[1:])

    # a room switch resets the stream to the other room's (empty) history
    ann.click("#room-random")
    expect(ann.locator("#room-random")).to_have_attribute("aria-current", "true")
    expect(ann.locator("#messages li")).to_have_count(0)
    send(ann, "in random")
    expect(ann.locator("#messages li .text")).to_have_text(["in random"])
    send(bob, "still lobby")
    expect(bob.locator("#messages li .text")).to_have_text([*last[1:], "still lobby"])
    assert texts(ann) == ["in random"]  # the lobby's message did not reach the other room

    # and back: the lobby's history, the deleted message not in it
    ann.click("#room-lobby")
    expect(ann.locator("#messages li .text")).to_have_text([*last[1:], "still lobby"])


def test_infinite_scroll_loads_the_next_page_when_the_end_comes_into_view(
    live_server: Callable[..., str], page: Page
) -> None:
    open_live(page, live_server(GALLERY) + "/customers")
    rows = page.locator("#customers tr")
    expect(rows).to_have_count(50)
    for shown in (100, 150):
        rows.last.scroll_into_view_if_needed()
        expect(rows).to_have_count(shown)
        expect(page.locator("#status")).to_contain_text(f"Rows 1 to {shown} of 100000")
    ids = [int(text) for text in page.locator("#customers tr td:first-child").all_inner_texts()]
    assert ids == list(range(1, 151))


def test_the_dashboard_lists_the_latest_readings_newest_first(
    live_server: Callable[..., str], page: Page
) -> None:
    open_live(page, live_server(GALLERY) + "/dashboard")
    readings = page.locator("#readings li")
    page.wait_for_function("() => document.querySelectorAll('#readings li').length >= 3")
    ticks = [int(li.get_attribute("data-tick") or "") for li in readings.all()]
    assert ticks == sorted(ticks, reverse=True) and len(ticks) <= 10
