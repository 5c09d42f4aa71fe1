"""Where the frames go: the app in-process (`InProcess`, for the CI sample) or a real uvicorn
server on loopback (`RealServer`, for the long run), behind one small interface.

A target gives a page's tokens (`page`: the dead render, GET over HTTP), a websocket to send
raw text or bytes on and read raw messages from (`connect`), and what the server recorded
(`server_stats`: the app's `LogRecorder` summary and the server process's memory).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from liveview.channel.protocol import LIVEVIEW_TOPIC_PREFIX
from liveview.testing import LiveViewTestClient, TestWebSocket, WebSocketClosed
from liveview.testing.page import find_container, find_csrf_token
from tests.fuzz import app as fuzz_app
from tests.fuzz.mutator import Page
from tests.fuzz.oracles import memory
from tests.services import LOOPBACK, free_port

ROOT = Path(__file__).resolve().parents[2]


class Closed(Exception):
    """The server closed the websocket."""


class Socket(Protocol):
    async def send(self, data: str | bytes) -> None: ...

    async def receive(self) -> str | bytes:
        """The next message from the server; `Closed` once it has closed the websocket."""
        ...

    async def close(self) -> None: ...


class Target(Protocol):
    name: str

    async def page(self, path: str) -> Page: ...

    async def connect(self) -> Socket: ...

    async def server_stats(self) -> dict[str, Any]:
        """The server's `LogRecorder.summary()`, with its `rss_kb` and `hwm_kb`."""
        ...

    def traceback_count(self) -> int | None:
        """Unexpected tracebacks logged so far, if that is cheap to know (in-process), so that
        the driver can look right after each frame; None otherwise."""
        ...


def _page(path: str, url: str, html: str) -> Page:
    container = find_container(html)
    if container is None:
        raise AssertionError(f"no LiveView container in the page at {path}")
    return Page(
        path, url, LIVEVIEW_TOPIC_PREFIX + container.id, container.session, container.static
    )


# in-process ----------------------------------------------------------------------------------


class _InProcessSocket:
    def __init__(self, socket: TestWebSocket) -> None:
        self._socket = socket

    async def send(self, data: str | bytes) -> None:
        if isinstance(data, str):
            await self._socket.send_text(data)
        else:
            await self._socket.send_bytes(data)

    async def receive(self) -> str | bytes:
        try:
            return await self._socket.receive_message(timeout=3600)
        except WebSocketClosed as closed:
            raise Closed(closed) from None

    async def close(self) -> None:
        await self._socket.close()


class InProcess:
    """The fuzz app through `LiveViewTestClient`: no sockets, the server's code in this
    process (so its RSS is this process's, and its log is recorded right here)."""

    name = "in-process (LiveViewTestClient)"

    def __init__(self) -> None:
        self.app = fuzz_app.make_app()
        self.client = LiveViewTestClient(self.app)

    async def __aenter__(self) -> InProcess:
        await self.client.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.__aexit__(*exc)

    async def page(self, path: str) -> Page:
        response = await self.client.get(path)
        response.raise_for_status()
        return _page(path, f"http://{self.client.host}{path}", response.text)

    async def connect(self) -> Socket:
        socket = await self.client.connect()
        return _InProcessSocket(socket)

    async def server_stats(self) -> dict[str, Any]:
        return {**fuzz_app.RECORDER.summary(), **memory()}

    def traceback_count(self) -> int | None:
        return fuzz_app.RECORDER.unexpected_count


# a real server -------------------------------------------------------------------------------


class _ServerSocket:
    def __init__(self, connection: ClientConnection) -> None:
        self._connection = connection

    async def send(self, data: str | bytes) -> None:
        try:
            await self._connection.send(data)
        except ConnectionClosed as closed:
            raise Closed(closed) from None

    async def receive(self) -> str | bytes:
        try:
            return await self._connection.recv()
        except ConnectionClosed as closed:
            raise Closed(closed) from None

    async def close(self) -> None:
        await self._connection.close()


class RealServer:
    """`uvicorn tests.fuzz.app:app` as the README serves apps (our websocket protocol, no
    compression, no pings), on a free loopback port, its output in `log`; stopped on exit."""

    name = "uvicorn (liveview.server:WebSocketProtocol) on loopback"

    def __init__(self, log: Path) -> None:
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.http: httpx.AsyncClient | None = None
        self.csrf_token = ""

    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    async def __aenter__(self) -> RealServer:
        self.port = free_port()
        cmd = [
            sys.executable, "-m", "uvicorn", "tests.fuzz.app:app",
            "--host", LOOPBACK, "--port", str(self.port), "--log-level", "warning",
            "--ws", "liveview.server:WebSocketProtocol", "--ws-per-message-deflate", "false",
            "--ws-ping-interval", "0",
        ]  # fmt: skip
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.http = httpx.AsyncClient(base_url=self.base, timeout=30)
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited; its output:\n{self.output()}")
            with contextlib.suppress(httpx.HTTPError):
                await self.http.get("/fuzz/stats")
                return self
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer; its output:\n{self.output()}")
            await asyncio.sleep(0.1)

    async def __aexit__(self, *exc: object) -> None:
        if self.http is not None:
            await self.http.aclose()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    async def page(self, path: str) -> Page:
        assert self.http is not None
        response = await self.http.get(path)
        response.raise_for_status()
        token = find_csrf_token(response.text)
        if token is not None:
            self.csrf_token = token
        return _page(path, f"{self.base}{path}", response.text)

    async def connect(self) -> Socket:
        assert self.http is not None
        query = urlencode({"_csrf_token": self.csrf_token, "vsn": "2.0.0"})
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        connection = await connect(
            f"ws://{LOOPBACK}:{self.port}/live/websocket?{query}",
            origin=self.base,  # type: ignore[arg-type]
            additional_headers={"cookie": cookie},
            compression=None,
            max_size=None,
            ping_interval=None,
            close_timeout=2,
        )
        return _ServerSocket(connection)

    async def server_stats(self) -> dict[str, Any]:
        assert self.http is not None and self.proc is not None
        stats: dict[str, Any] = (await self.http.get("/fuzz/stats")).json()
        tracebacks = self.output().count("Traceback (most recent call last)")
        stats["log_tracebacks"] = tracebacks  # in the server's output, a second opinion
        return stats

    def traceback_count(self) -> int | None:
        return None
