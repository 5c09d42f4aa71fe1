"""The long-poll fallback in a real Chromium with the official client: a page whose websocket
is blocked works over `/live/longpoll` (clicks, form changes, broadcasts to and from a page on
a websocket)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, Request, WebSocketRoute, expect

from tests.e2e.conftest import _start_server
from tests.e2e.gallery_pair import MAIN, open_live

APP = "tests.e2e.apps.longpoll:app"


@pytest.fixture(scope="module")
def room_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the module's tests."""
    server = _start_server(APP, None, tmp_path_factory.mktemp("longpoll"))
    yield server.url + "/room"
    server.stop()


@pytest.fixture(scope="module")
def upload_url(room_url: str) -> str:
    return room_url.replace("/room", "/upload")


def blocked_websocket(page: Page) -> list[str]:
    """Block the page's websocket as a proxy that does not pass it on does: it opens, and
    nothing comes back (not even the first heartbeat's reply). The long-poll requests the page
    then makes."""

    def swallow(ws: WebSocketRoute) -> None:
        pass  # not connected to the server: Playwright keeps it open, and nothing answers

    page.route_web_socket(re.compile(r".*/live/websocket.*"), swallow)
    requests: list[str] = []

    def on_request(request: Request) -> None:
        if "/live/longpoll" in request.url:
            requests.append(f"{request.method} {request.url}")

    page.on("request", on_request)
    return requests


def test_a_page_whose_websocket_is_blocked_works_over_long_poll(
    room_url: str, new_page: Callable[[], Page]
) -> None:
    ws_page = open_live(new_page(), room_url)
    lp_page = new_page()
    requests = blocked_websocket(lp_page)
    lp_page.goto(room_url)
    # the client gives the websocket 2.5 s to answer its first heartbeat, then falls back
    expect(lp_page.locator(MAIN)).to_contain_class("phx-connected", timeout=15_000)
    assert any(r.startswith("GET ") for r in requests)
    # a click on the long-poll page reaches the websocket page, and back
    lp_page.click("#inc")
    expect(lp_page.locator("#count")).to_have_text("1")
    expect(ws_page.locator("#count")).to_have_text("1")
    ws_page.click("#inc")
    expect(lp_page.locator("#count")).to_have_text("2")
    # form changes and submits
    lp_page.fill("#text", "typed over long poll")
    expect(lp_page.locator("#draft")).to_have_text("typed over long poll")
    lp_page.press("#text", "Enter")
    expect(ws_page.locator("#lines li")).to_have_text(["typed over long poll"])
    ws_page.fill("#text", "from the websocket page")
    ws_page.press("#text", "Enter")
    expect(lp_page.locator("#lines li")).to_have_text(
        ["typed over long poll", "from the websocket page"]
    )
    # it really was long poll: events went as POSTs; the tab remembers the fallback
    assert any(r.startswith("POST ") for r in requests)
    assert lp_page.evaluate("sessionStorage.getItem('phx:fallback:LongPoll')") == "true"


def test_an_upload_goes_through_long_poll(upload_url: str, new_page: Callable[[], Page]) -> None:
    page = new_page()
    requests = blocked_websocket(page)
    page.goto(upload_url)
    expect(page.locator(MAIN)).to_contain_class("phx-connected", timeout=15_000)
    data = bytes(range(256)) * 800  # 200 KB: several 64 KB chunks, each a base64 line
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "blob.bin", "mimeType": "application/octet-stream", "buffer": data}],
    )
    page.click("#save")
    digest = hashlib.sha256(data).hexdigest()[:16]
    expect(page.locator("#stored li")).to_have_text([f"blob.bin {len(data)} {digest}"])
    assert sum(r.startswith("POST ") for r in requests) > 4  # join, events, chunks
