"""liveview.server.LiveViewServer on SIGTERM: stops accepting, closes websockets so that the
official client reconnects (1012, not 1000), answers held long polls at once, runs shutdown
callbacks, exits in bounded time. Over a real uvicorn on a loopback port; SIGTERM as uvicorn's
handler receives it."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.server import LiveViewConfig, LiveViewServer
from liveview.testing import LiveViewTestClient
from tests.longpoll_client import LongPollClient
from tests.services import free_port

EVENTS: list[str] = []


class Page(LiveView):
    template = "<p>{{ n }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(n=0)

    async def shutdown(self, socket: LiveViewSocket) -> None:
        EVENTS.append("view shutdown")


def make_app(lifespan_exit: Callable[[], Any]) -> LiveViewApp:
    @asynccontextmanager
    async def lifespan(app: LiveViewApp) -> AsyncIterator[None]:
        yield
        EVENTS.append(f"lifespan shutdown, draining={app.draining}")
        await lifespan_exit()

    return LiveViewApp({"/": Page}, secret="s", lifespan=lifespan)


async def joined(port: int) -> Any:
    """A websocket joined to the page, as the official client joins it."""
    async with LiveViewTestClient(LiveViewApp({"/": Page}, secret="s")) as client:
        page = await client.get("/")  # rendered by another instance: the same secret
    csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    view_id = page.text.split('<div id="')[1].split('"')[0]
    session = page.text.split('data-phx-session="')[1].split('"')[0]
    static = page.text.split('data-phx-static="')[1].split('"')[0]
    cookie = page.headers["set-cookie"].split(";")[0]
    url = f"ws://127.0.0.1:{port}/live/websocket?_csrf_token={csrf}&vsn=2.0.0"
    ws = await websockets.connect(url, additional_headers={"Cookie": cookie})
    join = {"url": f"http://127.0.0.1:{port}/", "session": session, "static": static}
    await ws.send(orjson.dumps(["1", "1", f"lv:{view_id}", "phx_join", join]).decode())
    assert orjson.loads(await ws.recv())[4]["status"] == "ok"
    return ws


async def started(app: LiveViewApp, drain_timeout: int) -> tuple[LiveViewServer, int, Any]:
    port = free_port()
    config = LiveViewConfig(
        app,
        host="127.0.0.1",
        port=port,
        ws="liveview.server:WebSocketProtocol",
        log_level="warning",
        drain_timeout=drain_timeout,
    )
    server = LiveViewServer(config)
    running = asyncio.ensure_future(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    return server, port, running


@pytest.fixture(autouse=True)
def fresh_events() -> Iterator[None]:
    """No events yet; and SIGTERM handled harmlessly here: uvicorn raises the signal it caught
    again once shut down (so that a process manager sees it), which would end pytest."""
    EVENTS.clear()
    previous = signal.signal(signal.SIGTERM, lambda number, frame: None)
    yield
    signal.signal(signal.SIGTERM, previous)


async def nothing() -> None:
    pass


async def test_sigterm_closes_websockets_for_a_reconnect_and_runs_shutdown() -> None:
    app = make_app(nothing)
    server, port, running = await started(app, drain_timeout=3)
    ws = await joined(port)
    assert not app.draining

    server.handle_exit(signal.SIGTERM, None)  # what uvicorn's SIGTERM handler does
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 3)
    # 1012 "service restart": the official client reconnects (on 1000 it reloads the page)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    await asyncio.wait_for(running, 10)
    assert app.draining
    assert EVENTS == ["view shutdown", "lifespan shutdown, draining=True"]
    with pytest.raises(OSError):  # no longer accepting: a load balancer goes elsewhere
        await websockets.connect(f"ws://127.0.0.1:{port}/live/websocket?vsn=2.0.0")


async def test_a_shutdown_that_hangs_is_given_up_after_the_drain_timeout() -> None:
    async def hang() -> None:
        await asyncio.Event().wait()

    app = make_app(hang)
    server, _, running = await started(app, drain_timeout=1)
    began = time.monotonic()
    server.handle_exit(signal.SIGTERM, None)
    await asyncio.wait_for(running, 10)
    assert 1 <= time.monotonic() - began < 8  # the drain's bound (1 s), not forever
    assert EVENTS == ["lifespan shutdown, draining=True"]


async def test_sigterm_answers_held_long_polls_at_once() -> None:
    """A poll is held up to 10 s; a draining worker answers it now with the session gone (410),
    so the client opens a new session, on another worker, without waiting out the poll."""
    app = make_app(nothing)
    server, port, running = await started(app, drain_timeout=3)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base) as http:
        page = await http.get("/")
        csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
        lp = LongPollClient(http, csrf=csrf, origin=base)
        await lp.open()
        held = asyncio.ensure_future(lp.get())
        await asyncio.sleep(0.3)  # the poll is held: nothing to send yet
        assert not held.done()
        began = time.monotonic()
        server.handle_exit(signal.SIGTERM, None)
        body = await asyncio.wait_for(held, 5)
    assert body["status"] == 410
    assert time.monotonic() - began < 3  # not the poll's 10 s window
    await asyncio.wait_for(running, 10)
