"""Two gallery servers (two uvicorn processes, two ports) sharing one Redis, in a real Chromium:
what happens on a page served by one shows on a page served by the other. The steps PostgreSQL
shares are in `gallery_pair`."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.gallery_pair import (
    chat_crosses_both_ways,
    clicks_cross_both_ways,
    open_live,
    pages_keep_working_while_away,
    two_servers,
)
from tests.services import PrivateRedis


def test_a_click_on_one_server_updates_the_page_of_the_other(
    live_server: Callable[..., str],
    start_private_redis: Callable[[], PrivateRedis],
    new_page: Callable[[], Page],
) -> None:
    redis = start_private_redis()  # our own: no other test's messages, and a count from 0
    one, two = two_servers(live_server, redis.url)
    a = open_live(new_page(), one + "/shared-counter")
    b = open_live(new_page(), two + "/shared-counter")
    clicks_cross_both_ways(a, b)
    late = open_live(new_page(), two + "/shared-counter")  # opened later: starts in step
    expect(late.locator("#count")).to_have_text("1")


def test_a_chat_message_crosses_both_ways(
    live_server: Callable[..., str],
    start_private_redis: Callable[[], PrivateRedis],
    new_page: Callable[[], Page],
) -> None:
    one, two = two_servers(live_server, start_private_redis().url)
    ann = open_live(new_page(), one + "/chat")
    bob = open_live(new_page(), two + "/chat")
    expected = chat_crosses_both_ways(ann, bob, "hello from one")
    late = open_live(new_page(), one + "/chat")  # history fed from received messages
    expect(late.locator("#messages li")).to_have_text(expected)


def test_pages_keep_working_while_redis_is_away(
    live_server: Callable[..., str],
    start_private_redis: Callable[[], PrivateRedis],
    new_page: Callable[[], Page],
) -> None:
    redis = start_private_redis()
    one, two = two_servers(live_server, redis.url)
    pages_keep_working_while_away(
        one, two, new_page, redis.stop, redis.start, back="Redis came back"
    )
