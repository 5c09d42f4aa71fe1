"""Two gallery servers (two uvicorn processes, two ports) sharing one PostgreSQL through
LISTEN/NOTIFY, in a real Chromium: what happens on a page served by one shows on a page served by
the other, and a database trigger's notification reaches pages too. The steps Redis shares are
in `gallery_pair`."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.gallery_pair import (
    chat_crosses_both_ways,
    clicks_cross_both_ways,
    open_live,
    pages_keep_working_while_away,
    two_servers,
)
from tests.services import PrivatePostgres, find_postgres_binary


def psql(dsn: str, statement: str) -> None:
    subprocess.run(
        [find_postgres_binary("psql"), dsn, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-c", statement],
        check=True,
        capture_output=True,
        timeout=30,
    )


def test_a_click_on_one_server_updates_the_page_of_the_other(
    live_server: Callable[..., str],
    start_private_postgres: Callable[[], PrivatePostgres],
    new_page: Callable[[], Page],
) -> None:
    postgres = start_private_postgres()  # our own: no other test's notifications
    one, two = two_servers(live_server, postgres.dsn)
    a = open_live(new_page(), one + "/shared-counter")
    b = open_live(new_page(), two + "/shared-counter")
    clicks_cross_both_ways(a, b)
    # an outside program (here psql) publishes in the documented format; both pages follow
    psql(postgres.dsn, """SELECT pg_notify('liveview:shared-counter', '{"count": 42}')""")
    expect(a.locator("#count")).to_have_text("42")
    expect(b.locator("#count")).to_have_text("42")


def test_a_chat_message_crosses_both_ways(
    live_server: Callable[..., str],
    start_private_postgres: Callable[[], PrivatePostgres],
    new_page: Callable[[], Page],
) -> None:
    one, two = two_servers(live_server, start_private_postgres().dsn)
    ann = open_live(new_page(), one + "/chat")
    bob = open_live(new_page(), two + "/chat")
    chat_crosses_both_ways(ann, bob, "héllo from one 'quoted'")


@pytest.mark.parametrize("latency", [0, 300], ids=["prompt-tab", "late-tab"])
def test_pages_keep_working_while_postgres_restarts(
    live_server: Callable[..., str],
    start_private_postgres: Callable[[], PrivatePostgres],
    new_page: Callable[[], Page],
    latency: int,
) -> None:
    # A tab reading late gets the answer to its click after the other server's tabs show the
    # new count: comparing them must wait for that answer (it failed 2 runs in 6 when the
    # steps compared what the tab showed right after the click).
    postgres = start_private_postgres()
    one, two = two_servers(live_server, postgres.dsn)
    pages_keep_working_while_away(
        one, two, new_page, postgres.stop, postgres.start, back="the restart", latency=latency
    )
