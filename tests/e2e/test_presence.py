"""Presence in a real Chromium: two gallery servers (two processes) sharing one Redis, a chat
page on each. Who's online and who's typing show on both; a closed tab leaves the other page;
`kill -9` of one server takes its users off the other page within the bound, and its browser,
reconnected to the restarted server, shows up once."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, _answers_http
from tests.e2e.gallery_pair import GALLERY, open_live
from tests.services import PrivateRedis

BOUND = 6.0  # the default node_timeout (5 s) plus one heartbeat (1 s)
SLACK = 15.0  # a loaded machine: browser, two servers and Redis on two shared cores


def restart(server: LiveServer) -> None:
    """`server.restart()` with room for a loaded machine (importing the gallery takes long)."""
    assert server.restart_with is not None
    server.proc = server.restart_with()
    deadline = time.monotonic() + 60
    while not _answers_http(server.port):
        assert server.proc.poll() is None, server.output()
        assert time.monotonic() < deadline, "the server did not come back"
        time.sleep(0.1)


def online(page: Page) -> list[str]:
    return sorted(page.locator("#online .who").all_inner_texts())


def named(page: Page, name: str) -> Page:
    page.fill("#name", name)  # phx-change: the presence meta takes the name
    return page


@pytest.mark.allow_console_errors  # the killed server's page fails to reconnect until restarted
def test_whos_online_typing_a_closed_tab_and_a_killed_server(
    live_server: Callable[..., str],
    started_servers: list[LiveServer],
    start_private_redis: Callable[[], PrivateRedis],
    new_page: Callable[[], Page],
) -> None:
    env = {"LIVEVIEW_PUBSUB_URL": start_private_redis().url, "LIVEVIEW_SECRET": "e2e-presence"}
    one, two = live_server(GALLERY, env=env), live_server(GALLERY, env=env)
    ann = named(open_live(new_page(), one + "/chat"), "Ann")
    bob = named(open_live(new_page(), two + "/chat"), "Bob")
    for page in (ann, bob):
        expect(page.locator("#online .who")).to_have_text(["Ann", "Bob"])

    bob.fill("#text", "hel")  # typing, on the other server
    expect(ann.locator("#typing")).to_have_text("Bob typing…")
    bob.press("#text", "Enter")  # sent: no longer typing
    expect(ann.locator("#messages li")).to_have_text(["Bob: hel"])
    expect(ann.locator("#typing")).to_have_text("")

    bob.close()  # a closed tab leaves at once (its LiveView ends on its own server)
    expect(ann.locator("#online .who")).to_have_text(["Ann"])

    cy = named(open_live(new_page(), two + "/chat"), "Cy")
    expect(ann.locator("#online .who")).to_have_text(["Ann", "Cy"])
    server = started_servers[1]
    os.kill(server.proc.pid, signal.SIGKILL)
    killed = time.monotonic()
    expect(ann.locator("#online .who")).to_have_text(["Ann"], timeout=(BOUND + SLACK) * 1000)
    took = time.monotonic() - killed
    print(f"kill -9: gone from the other page after {took:.1f} s (bound {BOUND} s)")

    restart(server)  # Cy's browser reconnects to it and joins again, with its form recovered
    expect(ann.locator("#online .who")).to_have_text(["Ann", "Cy"], timeout=SLACK * 1000)
    expect(cy.locator("#online .who")).to_have_text(["Ann", "Cy"], timeout=SLACK * 1000)
    assert online(ann) == ["Ann", "Cy"]  # once, not twice


def test_the_cursors_board_shows_the_other_pointer_until_its_tab_closes(
    live_server: Callable[..., str], new_page: Callable[[], Page]
) -> None:
    url = live_server(GALLERY)
    ann = open_live(new_page(), url + "/cursors?name=Ann")
    bob = open_live(new_page(), url + "/cursors?name=Bob")
    expect(ann.locator("#count")).to_have_text("2")
    box = bob.locator("#board").bounding_box()
    assert box is not None
    for step in range(10):  # the hook sends moves; the server passes at most 10 a second on
        bob.mouse.move(box["x"] + 100 + step * 10, box["y"] + 50)
    cursor = ann.locator(".cursor[data-name='Bob']")
    at = re.compile(r"left: (189|190|191)px; top: (49|50|51)px")  # rounding of the box
    expect(cursor).to_have_attribute("style", at)
    expect(bob.locator(".cursor")).to_have_count(0)  # your own pointer is the real one
    bob.close()
    expect(ann.locator(".cursor")).to_have_count(0)
    expect(ann.locator("#count")).to_have_text("1")
