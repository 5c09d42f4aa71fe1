"""Sign-in that holds, in a real Chromium with the official client (liveview/gallery/accounts.py): a
plain HTTP form signs in, `on_mount` hooks assign the user and guard two live sessions, a flash
crosses `push_navigate` and `redirect`, connect params reach `mount`, and signing out in one
tab ends the user's live view in another, on one server and across two sharing Redis."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.apps.short_tokens import MAX_AGE
from tests.e2e.conftest import LiveServer
from tests.services import PrivateRedis

APP = "liveview.gallery.accounts:app"
MAIN = "[data-phx-main]"
ENV = {"LIVEVIEW_SECRET": "e2e-accounts-secret"}


def connected(page: Page) -> None:
    expect(page.locator(MAIN)).to_contain_class("phx-connected")


def mark(page: Page) -> None:
    """Mark the window and keep its websocket: a page load loses both, a live navigation not."""
    page.evaluate("window.marked = true; window.firstSocket = window.liveSocket.socket.conn")


def same_page_and_socket(page: Page) -> bool:
    return bool(
        page.evaluate(
            "window.marked === true && window.liveSocket.socket.conn === window.firstSocket"
            " && window.firstSocket.readyState === WebSocket.OPEN"
        )
    )


def sign_in(page: Page, base: str, name: str, password: str) -> None:
    page.goto(base + "/sign-in")
    connected(page)
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("#submit")
    expect(page).to_have_url(base + "/")
    expect(page.locator("#who")).to_have_text(name)
    connected(page)


def test_a_visitor_is_sent_to_sign_in_with_a_flash(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(APP, env=ENV)
    page.goto(base + "/profile")
    expect(page).to_have_url(base + "/sign-in")
    expect(page.locator("#flash-error")).to_contain_text("Please sign in.")
    connected(page)
    page.reload()  # shown once
    connected(page)
    expect(page.locator("#flash-error")).to_have_count(0)


def test_sign_in_then_live_within_a_session_and_a_page_load_across(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(APP, env=ENV)
    sign_in(page, base, "root", "toor")
    # the plain HTTP route's flash, shown by the LiveView it redirected to
    expect(page.locator("#flash-info")).to_contain_text("Welcome, root!")
    mark(page)
    page.click("#to-profile")  # same live session: over the open websocket
    expect(page.locator("#title")).to_have_text("Profile")
    expect(page.locator("#who")).to_have_text("root")  # the app's on_mount assigned it
    connected(page)
    assert same_page_and_socket(page)
    page.click("#to-admin")  # another live session: refused live, loaded over HTTP
    expect(page.locator("#title")).to_have_text("Admin")
    expect(page).to_have_url(base + "/admin")
    connected(page)
    assert not page.evaluate("window.marked === true")


def test_the_admin_session_sends_a_non_admin_home(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(APP, env=ENV)
    sign_in(page, base, "alice", "wonderland")
    page.click("#to-admin")
    expect(page).to_have_url(base + "/")
    expect(page.locator("#flash-error")).to_contain_text("Admins only.")


def test_a_wrong_password_is_told_and_signs_nobody_in(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(APP, env=ENV)
    page.goto(base + "/sign-in")
    connected(page)
    page.fill("#name", "alice")
    page.fill("#password", "nope")
    page.click("#submit")
    expect(page.locator("#flash-error")).to_contain_text("Wrong name or password.")
    page.goto(base + "/")
    expect(page).to_have_url(base + "/sign-in")


def test_connect_params_reach_the_connected_mount(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(APP, env=ENV)
    sign_in(page, base, "alice", "wonderland")
    zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    expect(page.locator("#timezone")).to_have_text(zone)
    expect(page.locator("#theme")).to_have_text("dark")  # window.LiveViewParams
    expect(page.locator("#mounts")).to_have_text("0")


def test_a_flash_crosses_push_navigate_and_redirect_once(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(APP, env=ENV)
    sign_in(page, base, "alice", "wonderland")
    mark(page)
    page.click("#flash-navigate")
    expect(page.locator("#title")).to_have_text("Profile")
    expect(page.locator("#flash-info")).to_contain_text("Saved; navigated live.")
    assert same_page_and_socket(page)
    page.click("#to-home")
    expect(page.locator("#title")).to_have_text("Home")
    expect(page.locator("#flash-info")).to_have_count(0)
    page.click("#to-profile")  # the same page again: the flash was for once
    expect(page.locator("#title")).to_have_text("Profile")
    expect(page.locator("#flash-info")).to_have_count(0)

    page.click("#to-home")
    expect(page.locator("#title")).to_have_text("Home")
    page.click("#flash-redirect")
    expect(page.locator("#flash-info")).to_contain_text("Saved; loaded the page.")
    expect(page.locator("#title")).to_have_text("Profile")
    connected(page)
    assert not page.evaluate("window.marked === true")  # a page load
    page.reload()
    connected(page)
    expect(page.locator("#title")).to_have_text("Profile")
    expect(page.locator("#flash-info")).to_have_count(0)


def test_a_flash_crosses_a_push_navigate_into_another_live_session(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(APP, env=ENV)
    sign_in(page, base, "root", "toor")
    mark(page)
    page.click("#flash-admin")  # refused live (another session): the client loads the page
    expect(page.locator("#title")).to_have_text("Admin")
    expect(page.locator("#flash-info")).to_contain_text("Saved; on to admin.")
    connected(page)
    assert not page.evaluate("window.marked === true")
    page.reload()
    connected(page)
    expect(page.locator("#flash-info")).to_have_count(0)


def sign_out_ends_the_other_tab(a: Page, b: Page, a_base: str, b_base: str) -> None:
    """`a` signs out; `b`, open on another route (maybe of another server), lands on the
    sign-in page within 2 s."""
    b.goto(b_base + "/profile")
    expect(b.locator("#who")).to_have_text("alice")
    connected(b)
    clicked = time.monotonic()
    a.click("#sign-out button")
    expect(a).to_have_url(a_base + "/sign-in")  # the sign-out has answered: it was published
    expect(a.locator("#flash-info")).to_contain_text("Signed out.")
    expect(b).to_have_url(b_base + "/sign-in", timeout=2_000)
    elapsed = time.monotonic() - clicked
    expect(b.locator("#flash-error")).to_contain_text("Please sign in.")
    connected(b)
    print(f"the other tab was on the sign-in page {elapsed:.2f} s after the sign-out click")


def test_signing_out_in_one_tab_ends_the_live_view_of_another(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(APP, env=ENV)
    sign_in(page, base, "alice", "wonderland")
    other = page.context.new_page()  # a second tab: the same cookies
    sign_out_ends_the_other_tab(page, other, base, base)


def test_signing_out_on_one_server_ends_the_tab_of_another_on_redis(
    live_server: Callable[..., str],
    start_private_redis: Callable[[], PrivateRedis],
    page: Page,
) -> None:
    env = {**ENV, "LIVEVIEW_PUBSUB_URL": start_private_redis().url}
    one, two = live_server(APP, env=env), live_server(APP, env=env)
    sign_in(page, one, "alice", "wonderland")
    other = page.context.new_page()  # cookies do not depend on the port: signed in on both
    sign_out_ends_the_other_tab(page, other, one, two)


def test_an_expired_token_is_refused_and_the_tab_loads_the_page_again(
    live_server: Callable[..., str], started_servers: list[LiveServer], page: Page
) -> None:
    base = live_server("tests.e2e.apps.short_tokens:app")
    page.goto(base + "/")
    connected(page)
    expect(page.locator("#mounted")).to_have_text("connected")
    mark(page)
    page.wait_for_timeout((MAX_AGE + 1.5) * 1000)  # the page's tokens expire
    page.evaluate("window.liveSocket.disconnect(() => window.liveSocket.connect())")
    # refused as stale: the official client loads the page over HTTP, with fresh tokens
    page.wait_for_function("window.marked !== true")
    connected(page)
    expect(page.locator("#mounted")).to_have_text("connected")
    expect(page.locator("#lv-crashed")).to_be_hidden()
    assert "Traceback" not in started_servers[0].output(settle=0.2)  # no crash on the server
