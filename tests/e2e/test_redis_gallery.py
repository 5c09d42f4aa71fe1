"""Two gallery servers (two uvicorn processes, two ports) sharing one Redis, in a real Chromium:
what happens on a page served by one shows on a page served by the other."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.services import PrivateRedis

GALLERY = "examples.gallery:app"
MAIN = "[data-phx-main]"


def open_live(page: Page, url: str) -> Page:
    page.goto(url)
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    return page


def two_servers(
    live_server: Callable[..., str], start_private_redis: Callable[[], PrivateRedis]
) -> tuple[str, str]:
    redis = start_private_redis()  # our own: no other test's messages, and a count from 0
    env = {"LIVEVIEW_PUBSUB_URL": redis.url}
    first, second = live_server(GALLERY, env=env), live_server(GALLERY, env=env)
    assert first != second
    return first, second


def test_a_click_on_one_server_updates_the_page_of_the_other(
    live_server: Callable[..., str],
    start_private_redis: Callable[[], PrivateRedis],
    new_page: Callable[[], Page],
) -> None:
    one, two = two_servers(live_server, start_private_redis)
    a = open_live(new_page(), one + "/shared-counter")
    b = open_live(new_page(), two + "/shared-counter")
    a.click("#inc")
    expect(a.locator("#count")).to_have_text("1")
    expect(b.locator("#count")).to_have_text("1")
    b.click("#inc")
    expect(b.locator("#count")).to_have_text("2")
    expect(a.locator("#count")).to_have_text("2")
    a.click("#dec")
    expect(b.locator("#count")).to_have_text("1")
    late = open_live(new_page(), two + "/shared-counter")  # opened later: starts in step
    expect(late.locator("#count")).to_have_text("1")


def test_a_chat_message_crosses_both_ways(
    live_server: Callable[..., str],
    start_private_redis: Callable[[], PrivateRedis],
    new_page: Callable[[], Page],
) -> None:
    one, two = two_servers(live_server, start_private_redis)
    ann = open_live(new_page(), one + "/chat")
    bob = open_live(new_page(), two + "/chat")
    ann.fill("#name", "Ann")
    ann.fill("#text", "hello from one")
    ann.click("#send")
    expect(bob.locator("#messages li")).to_have_text(["Ann: hello from one"])
    bob.fill("#name", "Bob")
    bob.fill("#text", "hello from two")
    bob.press("#text", "Enter")
    expected = ["Ann: hello from one", "Bob: hello from two"]
    expect(ann.locator("#messages li")).to_have_text(expected)
    expect(bob.locator("#messages li")).to_have_text(expected)  # each message once
    late = open_live(new_page(), one + "/chat")  # history fed from received messages
    expect(late.locator("#messages li")).to_have_text(expected)


def test_pages_keep_working_while_redis_is_away(
    live_server: Callable[..., str],
    start_private_redis: Callable[[], PrivateRedis],
    new_page: Callable[[], Page],
) -> None:
    redis = start_private_redis()
    env = {"LIVEVIEW_PUBSUB_URL": redis.url}
    one, two = live_server(GALLERY, env=env), live_server(GALLERY, env=env)
    a = open_live(new_page(), one + "/shared-counter")
    b = open_live(new_page(), two + "/shared-counter")
    a.click("#inc")
    expect(b.locator("#count")).to_have_text("1")

    redis.stop()
    late = open_live(new_page(), two + "/shared-counter")  # served and joined meanwhile
    expect(late.locator("#count")).to_have_text("1")
    a.click("#inc")  # the click is answered, with a notice instead of a crash
    expect(a.locator("#notice")).to_contain_text("cannot be reached")
    expect(a.locator("#count")).to_have_text("1")

    redis.start()
    # Both servers reconnect within about a second; clicks then reach the other server again.
    for _ in range(20):
        a.click("#inc")
        count = a.locator("#count")
        expect(count).not_to_have_text("1")
        try:
            expect(b.locator("#count")).to_have_text(count.inner_text(), timeout=500)
            break
        except AssertionError:
            continue
    else:
        raise AssertionError("the servers did not hear each other again after Redis came back")
    expect(late.locator("#count")).to_have_text(a.locator("#count").inner_text())
    expect(a.locator("#notice")).to_have_count(0)
