"""Live components in a real Chromium with the official client: the multi-player kanban of the
gallery, components leaving and coming back, targets by cid and by selector, and a crash."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.gallery_pair import GALLERY, MAIN, open_live


def diffs_of(frames: list[str]) -> list[dict[str, object]]:
    """The payloads of the `diff` pushes among received websocket frames."""
    out = []
    for frame in frames:
        message = json.loads(frame)
        if message[3] == "diff":
            out.append(message[4])
    return out


def test_kanban_rename_reaches_the_other_board_as_that_cards_cid_only(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    url = live_server(GALLERY) + "/kanban"
    ann = open_live(new_page(), url)
    frames: list[str] = []
    bob = new_page()
    bob.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    open_live(bob, url)
    card = bob.locator("#card-c2")
    cid = card.get_attribute("data-phx-component")  # the client marked the component's root
    assert cid is not None and cid.isdigit()

    ann.click("#card-c2 .title")
    ann.fill("#edit-c2 input[name=title]", "Renamed in Ann's tab")
    ann.click("#edit-c2 button:has-text('Save')")
    expect(ann.locator("#card-c2 .title")).to_have_text("Renamed in Ann's tab")
    expect(card.locator(".title")).to_have_text("Renamed in Ann's tab")
    (diff,) = [d for d in diffs_of(frames) if "Renamed" in json.dumps(d)]
    assert list(diff) == ["c"] and list(diff["c"]) == [cid]  # type: ignore[call-overload]

    # moved, then added: the boards re-arrange their columns; Bob's card state survives
    bob.click("#card-c1 .notes-toggle")
    expect(bob.locator("#card-c1 .notes")).to_be_visible()
    ann.click("#card-c2 .right")
    expect(bob.locator("#col-doing #card-c2")).to_be_visible()
    ann.fill("#col-todo form.add input[name=title]", "Fresh card")
    ann.press("#col-todo form.add input[name=title]", "Enter")
    expect(bob.locator("#col-todo .card .title").last).to_have_text("Fresh card")
    expect(bob.locator("#card-c1 .notes")).to_be_visible()  # its own state, kept
    expect(ann.locator("#card-c1 .notes")).to_have_count(0)  # per tab


def test_kanban_selector_target_reaches_every_card(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    board = open_live(new_page(), live_server(GALLERY) + "/kanban")
    for toggle in board.locator(".card .notes-toggle").all():
        toggle.click()
    expect(board.locator(".card .notes")).to_have_count(board.locator(".card").count())
    board.click("#collapse-all")  # phx-target=".card": one event per card component
    expect(board.locator(".card .notes")).to_have_count(0)


def test_kanban_cards_filtered_out_are_destroyed_and_come_back(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    board = new_page()
    sent: list[str] = []
    received: list[str] = []

    def watch(ws: object) -> None:
        ws.on("framesent", lambda f: sent.append(str(f)))  # type: ignore[attr-defined]
        ws.on("framereceived", lambda f: received.append(str(f)))  # type: ignore[attr-defined]

    board.on("websocket", watch)
    open_live(board, live_server(GALLERY) + "/kanban")
    old = board.locator("#card-c1").get_attribute("data-phx-component")
    board.click("#card-c1 .notes-toggle")
    board.fill("#filter input", "build")
    expect(board.locator(".card")).to_have_count(1)
    # the client's two steps: will destroy, then destroyed; the server confirms the cids
    for _ in range(100):
        if any('"cids_destroyed"' in frame for frame in sent) and any(
            '"cids":[' in frame and "phx_reply" in frame for frame in received
        ):
            break
        board.wait_for_timeout(50)
    destroyed = [json.loads(f) for f in sent if '"cids_destroyed"' in f]
    assert destroyed and int(old or 0) in destroyed[0][4]["cids"]
    board.fill("#filter input", "")
    expect(board.locator(".card")).to_have_count(4)
    new = board.locator("#card-c1").get_attribute("data-phx-component")
    assert new != old  # a new component: fresh state
    expect(board.locator("#card-c1 .notes")).to_have_count(0)
    board.click("#card-c1 .notes-toggle")
    expect(board.locator("#card-c1 .notes")).to_be_visible()


@pytest.mark.allow_console_errors
def test_a_crash_in_a_component_remounts_the_page_and_spares_others(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    base = live_server("tests.e2e.apps.components:app")
    page = open_live(new_page(), base + "/")
    bystander = open_live(new_page(), base + "/bystander")
    page.click("#fragile-first .inc")
    page.click("#inc-second")  # phx-target="#fragile-second", from outside the component
    expect(page.locator("#fragile-first .n")).to_have_text("1")
    expect(page.locator("#fragile-second .n")).to_have_text("1")
    page.click("#fragile-first .boom")
    expect(page.locator(MAIN)).to_contain_class("phx-error")
    expect(page.locator(MAIN)).to_contain_class("phx-connected", timeout=10_000)
    expect(page.locator("#fragile-first .n")).to_have_text("0")  # remounted
    page.click("#fragile-second .inc")
    expect(page.locator("#fragile-second .n")).to_have_text("1")
    bystander.click("#click")
    expect(bystander.locator("#clicks")).to_have_text("1")
