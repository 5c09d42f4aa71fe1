"""The gallery's pydantic forms in a real Chromium with the official client: errors once a field
is used, all of them on submit, a valid sign-up posted to its HTTP route (`phx-trigger-action`),
the multi-player volunteers list, nested rows added and removed, a checkbox's false and true,
and form recovery after the socket is dropped."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from playwright.sync_api import Page, expect

from tests.e2e.conftest import AsyncRunner
from tests.e2e.gallery_pair import GALLERY, MAIN, open_live

EMAIL_ERRORS = "#signup_email-errors"


def sent_events(frames: list[str]) -> list[dict[str, Any]]:
    """The payloads of the `event` messages the client sent."""
    out = []
    for frame in frames:
        message = json.loads(frame)
        if message[3] == "event":
            out.append(message[4])
    return out


def watch_sent(page: Page) -> list[str]:
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: frames.append(str(f))))
    return frames


def test_signup_errors_show_once_a_field_is_used_and_all_on_submit(
    live_server: Callable[..., str], page: Page
) -> None:
    open_live(page, live_server(GALLERY) + "/signup")
    page.locator("#signup_name").press_sequentially("A")
    page.locator("#signup_name").press("Backspace")  # used, and now empty
    expect(page.locator("#signup_name-errors")).to_have_text(
        "String should have at least 1 character"
    )
    page.locator("#signup_email").press_sequentially("ada@")
    page.wait_for_timeout(300)
    # phx-debounce="blur": nothing is sent while the e-mail is being typed
    expect(page.locator(EMAIL_ERRORS)).to_have_count(0)
    page.locator("#signup_email").press("Tab")
    expect(page.locator(EMAIL_ERRORS)).to_contain_text("There must be something after the @")
    expect(page.locator("#signup_password-errors")).to_have_count(0)  # focused, not left yet
    expect(page.locator(".lv-error")).to_have_count(2)

    page.click("#save")  # submit: every error shows, used or not
    expect(page.locator("#signup_password-errors")).to_have_text(
        "String should have at least 8 characters"
    )
    expect(page.locator("#signup_terms-errors")).to_have_text("please accept the terms to sign up")
    expect(page.locator(".lv-invalid")).to_have_count(4)
    page.fill("#signup_email", "taken@example.org")
    page.locator("#signup_email").press("Tab")
    expect(page.locator(EMAIL_ERRORS)).to_have_text("is already registered")


def test_a_valid_signup_is_posted_to_its_route_and_signs_in(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(GALLERY)
    open_live(page, base + "/signup")
    page.fill("#signup_name", "Ada")
    page.fill("#signup_email", "ada@example.org")
    page.fill("#signup_password", "s3cretpass")
    page.check("#signup_terms")
    with page.expect_navigation():
        page.click("#save")  # valid: the server sets phx-trigger-action, the client posts
    page.wait_for_url(base + "/signup/welcome")
    expect(page.locator("#welcome")).to_have_text("Welcome, Ada!")
    expect(page.locator("#who")).to_have_text("ada@example.org")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["signup_session"]["httpOnly"]


def test_volunteers_valid_submit_clears_the_form_and_reaches_the_other_tab(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    url = live_server(GALLERY) + "/volunteers"
    ann, bob = open_live(new_page(), url), open_live(new_page(), url)
    ann.fill("#volunteer_name", "Ann Lee")
    ann.fill("#volunteer_phone", "12")
    ann.press("#volunteer_phone", "Enter")
    expect(ann.locator("#volunteer_phone-errors")).to_have_text(
        "should be a phone number, like 555-123-4567"
    )
    expect(bob.locator("#volunteers .name")).to_have_count(0)  # invalid: nothing stored
    ann.fill("#volunteer_phone", "555-123-4567")
    ann.press("#volunteer_phone", "Enter")
    expect(bob.locator("#volunteers .name")).to_have_text(["Ann Lee"])
    expect(ann.locator("#volunteers .name")).to_have_text(["Ann Lee"])
    expect(ann.locator("#volunteer_name")).to_have_value("")  # saved: an empty form again
    expect(ann.locator("#volunteer_phone")).to_have_value("")
    expect(ann.locator(".lv-error")).to_have_count(0)

    bob.fill("#volunteer_name", "Bob")
    bob.fill("#volunteer_phone", "+44 20 7946 0958")
    bob.click("#add")
    expect(ann.locator("#volunteers .name")).to_have_text(["Ann Lee", "Bob"])
    ann.locator("#volunteers tr", has_text="Bob").locator(".toggle").click()
    expect(bob.locator("#volunteers tr", has_text="Bob").locator(".toggle")).to_have_text(
        "Checked in"
    )
    late = open_live(new_page(), url)  # a tab opened later starts in step
    expect(late.locator("#volunteers .name")).to_have_text(["Ann Lee", "Bob"])


def test_team_rows_are_added_and_removed_in_the_browser(
    live_server: Callable[..., str], page: Page
) -> None:
    open_live(page, live_server(GALLERY) + "/team")
    rows = page.locator("#members .lv-row")
    expect(rows).to_have_count(1)
    page.fill("#team_members_0_name", "Ann")
    page.click("#add-member")
    expect(rows).to_have_count(2)
    page.fill("#team_members_1_name", "Bob")
    page.click("#add-member")
    expect(rows).to_have_count(3)
    page.fill("#team_members_2_name", "Cy")
    page.locator("#member-1 .lv-remove").click()
    expect(rows).to_have_count(2)
    expect(page.locator("#team_members_0_name")).to_have_value("Ann")
    expect(page.locator("#team_members_1_name")).to_have_value("Cy")  # Bob's row is gone
    expect(page.locator(".lv-error")).to_have_count(0)  # new rows: nothing used in them yet
    page.fill("#team_members_1_email", "cy@")
    page.locator("#team_members_1_email").press("Tab")
    expect(page.locator("#team_members_1_email-errors")).to_contain_text("after the @")
    expect(page.locator("#team_members_0_email-errors")).to_have_count(0)


def fill_team(page: Page) -> None:
    page.fill("#team_name", "Core")
    page.fill("#team_size", "4")
    page.fill("#team_starts", "2027-01-04")
    page.select_option("#team_languages", ["Python", "Rust"])
    page.check("#team_plan_1")
    page.fill("#team_address_street", "1 Main St")
    page.fill("#team_address_city", "Paris")
    page.select_option("#team_address_country", "Kenya")
    page.fill("#team_members_0_name", "Ann")
    page.fill("#team_members_0_email", "ann@example.org")
    page.select_option("#team_members_0_role", "designer")


def test_every_input_kind_round_trips_and_a_checkbox_sends_false_and_true(
    live_server: Callable[..., str], page: Page
) -> None:
    sent = watch_sent(page)
    open_live(page, live_server(GALLERY) + "/team")
    fill_team(page)
    page.check("#team_public")
    page.click("#save")
    expect(page.locator("#saved")).to_be_visible()
    saved = json.loads(page.locator("#saved").inner_text())
    assert saved == {
        "name": "Core",
        "plan": "team",
        "size": 4,
        "starts": "2027-01-04",
        "languages": ["Python", "Rust"],
        "about": "",
        "public": True,
        "address": {"street": "1 Main St", "city": "Paris", "country": "Kenya"},
        "members": [{"name": "Ann", "email": "ann@example.org", "role": "designer"}],
    }
    page.uncheck("#team_public")
    expect(page.locator("#team_public")).not_to_be_checked()
    page.click("#save")
    expect(page.locator("#saved")).to_contain_text('"public": false')
    last = [e for e in sent_events(sent) if e["type"] == "form"][-1]
    assert ("team[public]", "false") in parse_qsl(last["value"])  # the hidden input's


def test_form_recovery_after_the_socket_is_dropped(
    live_server: Callable[..., str], page: Page
) -> None:
    sent = watch_sent(page)
    open_live(page, live_server(GALLERY) + "/signup")
    page.fill("#signup_name", "Ada")
    page.fill("#signup_email", "nope")
    page.locator("#signup_email").press("Tab")
    expect(page.locator(EMAIL_ERRORS)).to_be_visible()
    joins = sum('"phx_join"' in frame for frame in sent)

    page.evaluate("window.liveSocket.socket.conn.close()")  # the websocket drops
    for _ in range(100):  # the client reconnects within ~10 ms: watch its frames, not classes
        if sum('"phx_join"' in frame for frame in sent) > joins:
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the client did not join again after the socket dropped")
    # rejoined: a fresh mount renders an empty form, then the client's recovery sends the
    # form as it was to its phx-change (once the join is rendered: what shows after it is the
    # recovery's reply)
    last_join = max(i for i, frame in enumerate(sent) if '"phx_join"' in frame)
    for _ in range(100):
        after = [e for e in sent_events(sent[last_join:]) if e["type"] == "form"]
        if after:
            break
        page.wait_for_timeout(100)
    (recovery,) = after
    expect(page.locator(MAIN)).to_contain_class("phx-connected", timeout=10_000)
    expect(page.locator("#signup_name")).to_have_value("Ada")
    expect(page.locator("#signup_email")).to_have_value("nope")
    expect(page.locator(EMAIL_ERRORS)).to_contain_text("must have an @-sign")
    expect(page.locator("#signup_password-errors")).to_have_count(0)  # still unused
    assert recovery["event"] == "validate"  # the form's phx-change, after the join
    assert ("signup[email]", "nope") in parse_qsl(recovery["value"])
    assert ("signup[_unused_email]", "") not in parse_qsl(recovery["value"], True)
    # the view carries on from the recovered state
    page.fill("#signup_email", "ada@example.org")
    page.locator("#signup_email").press("Tab")
    expect(page.locator(EMAIL_ERRORS)).to_have_count(0)


def test_the_test_clients_form_events_are_the_official_clients(
    live_server: Callable[..., str], page: Page, run_async: AsyncRunner
) -> None:
    sent = watch_sent(page)
    open_live(page, live_server(GALLERY) + "/team")
    page.locator("#team_name").press_sequentially("Co")
    page.locator("#team_size").press_sequentially("4")
    expect(page.locator("#team_size")).to_have_value("4")
    page.wait_for_timeout(200)
    browser = [e for e in sent_events(sent) if e["type"] == "form"][-1]

    async def from_the_test_client() -> dict[str, Any]:
        from liveview.gallery.forms_app import app
        from liveview.testing import LiveViewTestClient

        captured: dict[str, Any] = {}
        async with LiveViewTestClient(app) as client:
            view = await client.live("/team")
            original = view.send_form

            async def capture(event: str, form: Any, meta: Any, target: Any = None) -> None:
                captured.update(event=event, value=form, meta=meta)
                await original(event, form, meta, target)

            view.send_form = capture  # type: ignore[method-assign]
            form = view.form("#team")
            await form.change({"team": {"name": "Co"}})
            await form.change({"team": {"size": "4"}})
        return captured

    ours = run_async(from_the_test_client())
    assert ours["event"] == browser["event"]
    assert ours["meta"]["_target"] == browser["meta"]["_target"] == "team[size]"
    assert parse_qsl(ours["value"], keep_blank_values=True) == parse_qsl(
        browser["value"], keep_blank_values=True
    )
