"""Two gallery servers (two uvicorn processes, two ports) sharing one PostgreSQL through
LISTEN/NOTIFY, in a real Chromium: what happens on a page served by one shows on a page served by
the other, and a database trigger's notification reaches pages too."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.services import PrivatePostgres, find_postgres_binary

GALLERY = "examples.gallery:app"
MAIN = "[data-phx-main]"


def open_live(page: Page, url: str) -> Page:
    page.goto(url)
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    return page


def two_servers(live_server: Callable[..., str], postgres: PrivatePostgres) -> tuple[str, str]:
    env = {"LIVEVIEW_PUBSUB_URL": postgres.dsn}
    first, second = live_server(GALLERY, env=env), live_server(GALLERY, env=env)
    assert first != second
    return first, second


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
    one, two = two_servers(live_server, postgres)
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
    # an outside program (here psql) publishes in the documented format; both pages follow
    psql(postgres.dsn, """SELECT pg_notify('liveview:shared-counter', '{"count": 42}')""")
    expect(a.locator("#count")).to_have_text("42")
    expect(b.locator("#count")).to_have_text("42")


def test_a_chat_message_crosses_both_ways(
    live_server: Callable[..., str],
    start_private_postgres: Callable[[], PrivatePostgres],
    new_page: Callable[[], Page],
) -> None:
    one, two = two_servers(live_server, start_private_postgres())
    ann = open_live(new_page(), one + "/chat")
    bob = open_live(new_page(), two + "/chat")
    ann.fill("#name", "Ann")
    ann.fill("#text", "héllo from one 'quoted'")
    ann.click("#send")
    expect(bob.locator("#messages li")).to_have_text(["Ann: héllo from one 'quoted'"])
    bob.fill("#name", "Bob")
    bob.fill("#text", "hello from two")
    bob.press("#text", "Enter")
    expected = ["Ann: héllo from one 'quoted'", "Bob: hello from two"]
    expect(ann.locator("#messages li")).to_have_text(expected)
    expect(bob.locator("#messages li")).to_have_text(expected)  # each message once


def test_pages_keep_working_while_postgres_restarts(
    live_server: Callable[..., str],
    start_private_postgres: Callable[[], PrivatePostgres],
    new_page: Callable[[], Page],
) -> None:
    postgres = start_private_postgres()
    one, two = two_servers(live_server, postgres)
    a = open_live(new_page(), one + "/shared-counter")
    b = open_live(new_page(), two + "/shared-counter")
    a.click("#inc")
    expect(b.locator("#count")).to_have_text("1")

    postgres.stop()
    late = open_live(new_page(), two + "/shared-counter")  # served and joined meanwhile
    expect(late.locator("#count")).to_have_text("1")
    a.click("#inc")  # the click is answered, with a notice instead of a crash
    expect(a.locator("#notice")).to_contain_text("cannot be reached")
    expect(a.locator("#count")).to_have_text("1")

    postgres.start()
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
        raise AssertionError("the servers did not hear each other again after the restart")
    expect(late.locator("#count")).to_have_text(a.locator("#count").inner_text())
    expect(a.locator("#notice")).to_have_count(0)
