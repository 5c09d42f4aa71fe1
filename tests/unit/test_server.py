"""liveview.server: uvicorn's websocket protocol with less kept per connection, same behaviour."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
import uvicorn
import websockets
from websockets.frames import Frame, Opcode

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.server import WebSocketProtocol, _Inbox, _Writable, text_frame_header
from liveview.testing import LiveViewTestClient


class Echo(LiveView):
    template = "<p>{{ said }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(said="")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        socket.assign(said=payload["value"] * 1000)  # big diffs: many frames in flight


async def test_inbox_is_a_fifo_with_one_waiter() -> None:
    inbox = _Inbox()
    waiting = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait(1)
    inbox.put_nowait(2)
    assert await waiting == 1
    assert inbox.qsize() == 1 and not inbox.empty()
    assert await inbox.get() == 2
    assert inbox.empty()


async def test_writable_wakes_every_waiter_when_set_again() -> None:
    writable = _Writable()
    assert writable.is_set() and await writable.wait()
    writable.clear()
    waiters = [asyncio.ensure_future(writable.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(waiter.done() for waiter in waiters)
    writable.set()
    assert await asyncio.gather(*waiters) == [True, True, True]


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_the_text_frame_header_is_websockets_own(length: int) -> None:
    data = b"x" * length
    framed = Frame(Opcode.TEXT, data).serialize(mask=False, extensions=[])
    assert text_frame_header(length) + data == framed


@contextlib.asynccontextmanager
async def serving(
    app: LiveViewApp, ws: str = "liveview.server:WebSocketProtocol", deflate: bool = False
) -> AsyncIterator[int]:
    """`app` served by a real uvicorn on a free loopback port (yielded)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ws=ws,
        ws_per_message_deflate=deflate,
        log_level="warning",
        lifespan="on",
    )
    instance = uvicorn.Server(config)
    running = asyncio.ensure_future(instance.serve())
    while not instance.started:
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        instance.should_exit = True
        await running


@pytest.fixture(params=[False], ids=["plain"])
async def server(request: pytest.FixtureRequest) -> AsyncIterator[int]:
    app = LiveViewApp(routes={"/echo": Echo}, secret="s", check_origin=False)
    async with serving(app, deflate=request.param) as port:
        yield port


async def join_echo(port: int) -> tuple[Any, str]:
    """A websocket joined to the echo page of the server on `port`, and its topic."""
    async with LiveViewTestClient(LiveViewApp(routes={"/echo": Echo}, secret="s")) as client:
        page = await client.get("/echo")  # tokens are signed with the same secret
    csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    view_id = page.text.split('<div id="')[1].split('"')[0]
    session = page.text.split('data-phx-session="')[1].split('"')[0]
    static = page.text.split('data-phx-static="')[1].split('"')[0]
    cookie = page.headers["set-cookie"].split(";")[0]
    url = f"ws://127.0.0.1:{port}/live/websocket?_csrf_token={csrf}&vsn=2.0.0"
    ws = await websockets.connect(url, additional_headers={"Cookie": cookie})  # offers deflate
    topic = f"lv:{view_id}"
    join = {"url": f"http://127.0.0.1:{port}/echo", "session": session, "static": static}
    await ws.send(orjson.dumps(["1", "1", topic, "phx_join", join]).decode())
    reply = orjson.loads(await ws.recv())
    assert reply[4]["status"] == "ok"
    return ws, topic


@pytest.mark.parametrize("server", [False, True], ids=["plain", "deflate"], indirect=True)
async def test_frames_of_every_length_and_text_arrive_whole_written_at_once_or_not(
    server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[bool] = []
    send_text = WebSocketProtocol.send_text

    def spy(self: WebSocketProtocol, text: str) -> bool:
        written.append(send_text(self, text))
        return written[-1]

    monkeypatch.setattr(WebSocketProtocol, "send_text", spy)
    ws, topic = await join_echo(server)
    async with ws:
        # echoed 1,000 times: frames under 126 bytes, under 64 KiB and over, in UTF-8 bytes
        values = ["", "a", "€" * 21, "x" * 65, "é" * 40, "😀" * 20]
        for ref, value in enumerate(values, start=2):
            click = {"type": "click", "event": "say", "value": {"value": value}}
            await ws.send(orjson.dumps(["1", str(ref), topic, "event", click]).decode())
            reply = orjson.loads(await ws.recv())
            assert reply[1] == str(ref)
            assert reply[4]["response"].get("diff", {}) == ({"0": value * 1000} if value else {})
    # written at once unless compression was negotiated (then through uvicorn's own path)
    deflate = ws.protocol.extensions != []
    assert written and set(written) == {not deflate}


@pytest.mark.parametrize(
    ("ws", "warned"),
    [("websockets-sansio", True), ("liveview.server:WebSocketProtocol", False)],
)
async def test_served_without_our_protocol_the_app_says_what_to_add_once(
    ws: str, warned: bool, caplog: pytest.LogCaptureFixture
) -> None:
    app = LiveViewApp(routes={"/echo": Echo}, secret="s", check_origin=False)
    async with serving(app, ws=ws, deflate=True) as port:  # uvicorn's defaults
        for _ in range(2):
            ws_, _topic = await join_echo(port)
            await ws_.close()
    said = [r.getMessage() for r in caplog.records if "WebSocketProtocol" in r.getMessage()]
    assert len(said) == (1 if warned else 0)
    if warned:
        assert "liveview run module:app" in said[0]
        assert "--ws liveview.server:WebSocketProtocol --ws-per-message-deflate false" in said[0]


async def test_a_liveview_over_a_real_socket(server: int) -> None:
    async with LiveViewTestClient(LiveViewApp(routes={"/echo": Echo}, secret="s")) as client:
        page = await client.get("/echo")  # tokens are signed with the same secret
    csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    view_id = page.text.split('<div id="')[1].split('"')[0]
    session = page.text.split('data-phx-session="')[1].split('"')[0]
    static = page.text.split('data-phx-static="')[1].split('"')[0]
    cookie = page.headers["set-cookie"].split(";")[0]
    url = f"ws://127.0.0.1:{server}/live/websocket?_csrf_token={csrf}&vsn=2.0.0"
    async with websockets.connect(url, additional_headers={"Cookie": cookie}) as ws:
        topic = f"lv:{view_id}"
        join = {"url": f"http://127.0.0.1:{server}/echo", "session": session, "static": static}
        await ws.send(orjson.dumps(["1", "1", topic, "phx_join", join]).decode())
        reply = orjson.loads(await ws.recv())
        assert reply[4]["status"] == "ok"
        for ref in range(2, 40):  # sent back to back: replies arrive in order, none lost
            click = {"type": "click", "event": "say", "value": {"value": str(ref)}}
            await ws.send(orjson.dumps(["1", str(ref), topic, "event", click]).decode())
        for ref in range(2, 40):
            reply = orjson.loads(await ws.recv())
            assert reply[1] == str(ref)
            assert reply[4]["response"]["diff"] == {"0": str(ref) * 1000}


async def test_the_uvicorn_attributes_it_relies_on_are_there_in_the_pinned_version() -> None:
    from liveview.server import UVICORN_ATTRIBUTES, UVICORN_VERSION

    assert uvicorn.__version__ == UVICORN_VERSION
    config = uvicorn.Config(LiveViewApp(routes={}, secret="s"), ws=WebSocketProtocol)
    config.load()
    protocol = WebSocketProtocol(config, uvicorn.server.ServerState(), {})
    assert all(hasattr(protocol, name) for name in UVICORN_ATTRIBUTES)
    assert protocol.queue.empty() and protocol.writable.is_set()


async def test_a_uvicorn_without_those_attributes_is_refused_with_the_fallback_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import liveview.server

    monkeypatch.setattr(liveview.server, "UVICORN_ATTRIBUTES", ("queue", "no_such_attribute"))
    config = uvicorn.Config(LiveViewApp(routes={}, secret="s"), ws=WebSocketProtocol)
    config.load()
    with pytest.raises(RuntimeError, match="--ws websockets-sansio"):
        WebSocketProtocol(config, uvicorn.server.ServerState(), {})
