"""The frame limit on real servers: `liveview run` (uvicorn refuses the frame), plain uvicorn (the
app refuses it), and what the official client does when its websocket is closed with 1009."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from liveview.testing.page import find_csrf_token
from tests.e2e.apps.limits import MAX_FRAME_SIZE
from tests.e2e.conftest import (
    ROOT,
    SERVER_START_TIMEOUT,
    LiveServer,
    _answers_http,
)
from tests.services import LOOPBACK, free_port

APP = "tests.e2e.apps.limits:app"
HEARTBEAT = '[null,"{ref}","phoenix","heartbeat",{{"pad":"{pad}"}}]'


@pytest.fixture
def liveview_run(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """`liveview_run(app, *options)` -> base URL: the app served by `liveview run`."""
    servers: list[LiveServer] = []

    def start(app: str, *options: str) -> str:
        port = free_port()
        log = tmp_path / f"liveview-run-{port}.log"
        cmd = [sys.executable, "-m", "liveview.cli", "run", app, "--host", LOOPBACK]
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [*cmd, "--port", str(port), *options],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        server = LiveServer(app=app, port=port, log=log, proc=proc)
        servers.append(server)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _answers_http(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"liveview run did not start; its output:\n{server.output()}")
            time.sleep(0.05)
        return server.url

    yield start
    for server in servers:
        server.stop()


def socket_to(base_url: str) -> ClientConnection:
    """A websocket as a page's client opens it: the CSRF token of a dead render, its cookie."""
    import http.client

    host = base_url.removeprefix("http://")
    conn = http.client.HTTPConnection(host, timeout=5)
    conn.request("GET", "/notes")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = (response.getheader("set-cookie") or "").split(";")[0]
    csrf = find_csrf_token(page)
    assert csrf is not None
    url = f"ws://{host}/live/websocket?_csrf_token={csrf}&vsn=2.0.0"
    return connect(url, additional_headers={"Cookie": cookie, "Origin": base_url})


def heartbeat(ws: ClientConnection, ref: str, size: int = 0) -> None:
    """Send a heartbeat of `size` bytes (at least its own), and expect its reply."""
    frame = HEARTBEAT.format(ref=ref, pad="")
    ws.send(HEARTBEAT.format(ref=ref, pad=" " * max(0, size - len(frame))))
    reply = ws.recv(timeout=5)
    assert f'"{ref}","phoenix","phx_reply"' in str(reply)


def closed_with(ws: ClientConnection, size: int) -> tuple[int, str]:
    """Send a heartbeat of `size` bytes; the code and reason the server closed with."""
    ws.send(HEARTBEAT.format(ref="big", pad=" " * size))
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=5)
    received = closed.value.rcvd
    assert received is not None
    return received.code, received.reason


def test_liveview_run_refuses_a_frame_over_its_limit_with_1009(
    liveview_run: Callable[..., str],
) -> None:
    url = liveview_run(APP, "--max-frame-size", "4096")  # below the app's own 64 KiB
    with socket_to(url) as other, socket_to(url) as sender:
        heartbeat(sender, "1", size=4096)
        code, reason = closed_with(sender, 5000)
        assert code == 1009
        assert "exceeds limit of 4096 bytes" in reason  # uvicorn's, from the frame's header
        heartbeat(other, "2")  # the other websocket is served
    with socket_to(url) as later:
        heartbeat(later, "3")


def test_plain_uvicorn_with_16_mib_still_gets_the_apps_limit(
    live_server: Callable[..., str],
) -> None:
    url = live_server(APP)  # `uvicorn module:app`: 16 MiB frames get through to the app
    with socket_to(url) as other, socket_to(url) as sender:
        heartbeat(sender, "1", size=MAX_FRAME_SIZE)
        assert closed_with(sender, MAX_FRAME_SIZE) == (1009, "message too big")
        heartbeat(other, "2")


WATCH_SOCKET = """() => {
    window.notReloaded = true;
    window.opens = 0;
    window.closes = [];
    liveSocket.socket.onOpen(() => window.opens++);
    liveSocket.socket.onClose((event) => window.closes.push(event.code));
}"""


def test_the_client_reconnects_after_1009_without_reloading_or_looping(
    live_server: Callable[..., str], page: Page
) -> None:
    page.goto(live_server(APP) + "/notes")
    main = page.locator("[data-phx-main]")
    expect(main).to_contain_class("phx-connected")
    page.evaluate(WATCH_SOCKET)  # the official client's own socket callbacks
    page.fill("#text", "hello")
    expect(page.locator("#size")).to_have_text("5")

    # One input event carries the whole textarea: over the limit, the app closes the websocket.
    page.fill("#text", "x" * MAX_FRAME_SIZE)
    expect(page.locator("#mounts")).not_to_have_text("1")  # reconnected and joined again
    expect(main).to_contain_class("phx-connected")
    time.sleep(3)  # the phoenix socket retries after 10 ms, 50 ms, ...: a loop would show here
    closes = page.evaluate("window.closes")
    # The rejoin's form recovery sends the textarea again and is closed once more; the client
    # abandons a recovery that failed, so it stops there.
    assert closes in ([1009], [1009, 1009])
    assert page.evaluate("window.opens") == len(closes)  # each close: one reconnect
    assert page.evaluate("window.notReloaded") is True  # the client reloads only on code 1000
    page.fill("#text", "short again")
    expect(page.locator("#size")).to_have_text("11")
    assert page.evaluate("window.closes") == closes


@pytest.mark.allow_console_errors
def test_a_form_over_a_cap_is_refused_and_the_page_carries_on(
    live_server: Callable[..., str], page: Page
) -> None:
    page.goto(live_server(APP) + "/notes")
    expect(page.locator("[data-phx-main]")).to_contain_class("phx-connected")
    page.evaluate(WATCH_SOCKET)
    deep = page.locator("#deep-input")  # its name has 101 levels of brackets
    with page.expect_console_message(lambda message: message.type == "error") as logged:
        page.fill("#deep-input", "x")
    assert "Failed to push input event" in logged.value.text
    assert "form too deep: more than 100 levels of brackets" in logged.value.text
    expect(deep).to_have_class(re.compile("phx-change-loading"))  # an error reply: not undone
    page.fill("#text", "hello")  # the next event answered ok clears the view's older refs
    expect(page.locator("#size")).to_have_text("5")
    expect(deep).not_to_have_class(re.compile("phx-change-loading"))
    assert page.evaluate("window.closes") == []
    assert page.evaluate("window.notReloaded") is True
