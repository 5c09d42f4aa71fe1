"""`LiveViewTestClient`: runs the app in-process (with its lifespan) and opens LiveViews on it.

While it is open it listens to the app's `liveview` logger (`CrashLog`), so that a LiveView's
crash surfaces in the test as `LiveViewCrashed` from the LiveView's own exception.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import httpx
from starlette.types import ASGIApp, Message

from liveview.channel.protocol import LIVEVIEW_TOPIC_PREFIX
from liveview.testing import page
from liveview.testing.crashes import CrashLog
from liveview.testing.exceptions import Redirected
from liveview.testing.navigation import Navigation
from liveview.testing.view import LiveViewTest
from liveview.testing.websocket import DEFAULT_TIMEOUT, TestWebSocket


class LiveViewTestClient:
    """Runs the app in-process (with its lifespan) and opens LiveViews on it."""

    __test__ = False

    def __init__(self, app: ASGIApp, *, host: str = "testserver", lifespan: bool = True) -> None:
        self.app = app
        self.lifespan = lifespan
        """Whether to run the app's lifespan (False: the app is already running, or never
        needs it; `live_isolated` shares a running app's pub/sub this way)."""
        self.host = host
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{host}"
        )
        self.csrf_token: str | None = None
        self.socket_path = "/live"
        self._sockets: list[TestWebSocket] = []
        self._lifespan_in: asyncio.Queue[Message] = asyncio.Queue()
        self._lifespan_out: asyncio.Queue[Message] = asyncio.Queue()
        self._lifespan_task: asyncio.Task[None] | None = None
        self._crashes = CrashLog()

    async def __aenter__(self) -> LiveViewTestClient:
        self._crashes.listen()
        if not self.lifespan:
            return self
        self._lifespan_task = asyncio.create_task(self._run_lifespan())
        await self._lifespan_in.put({"type": "lifespan.startup"})
        message = await asyncio.wait_for(self._lifespan_out.get(), DEFAULT_TIMEOUT)
        if message["type"] != "lifespan.startup.complete":
            raise RuntimeError(f"app startup failed: {message}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            for socket in self._sockets:
                await socket.close()
            await self.http.aclose()
            if self._lifespan_task is not None:
                await self._lifespan_in.put({"type": "lifespan.shutdown"})
                await asyncio.wait_for(self._lifespan_out.get(), DEFAULT_TIMEOUT)
                await self._lifespan_task
        finally:
            self._crashes.close()

    async def _run_lifespan(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        await self.app(scope, self._lifespan_in.get, self._lifespan_out.put)

    async def get(self, path: str) -> httpx.Response:
        response = await self.http.get(path)
        csrf_token = page.find_csrf_token(response.text)
        if csrf_token is not None:
            self.csrf_token = csrf_token
        socket_path = page.find_socket_path(response.text)
        if socket_path is not None:
            self.socket_path = socket_path
        return response

    async def connect(
        self,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        path: str | None = None,
    ) -> TestWebSocket:
        """Open the websocket as the page's client would (CSRF param, cookie, same origin)."""
        path = path or self.socket_path + "/websocket"
        query = dict(params) if params is not None else {"_csrf_token": self.csrf_token or ""}
        query["vsn"] = "2.0.0"
        header_map = {"host": self.host, "origin": f"http://{self.host}"}
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        if cookie:
            header_map["cookie"] = cookie
        header_map.update(headers or {})
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": urlencode(query).encode(),
            "headers": [(k.lower().encode(), v.encode()) for k, v in header_map.items()],
            "client": ("127.0.0.1", 50000),
            "server": (self.host, 80),
            "subprotocols": [],
            "state": {},
        }
        socket = TestWebSocket(self.app, scope)
        await socket._open()
        # keep the open ones, to close at exit (a long test opens thousands)
        self._sockets = [open_ for open_ in self._sockets if not open_._task.done()]
        self._sockets.append(socket)
        return socket

    async def live(self, path: str, *, socket: TestWebSocket | None = None) -> LiveViewTest:
        """GET the page and join its LiveView (on a new websocket unless one is given).

        A page that redirects instead (its `mount` or an `on_mount` hook did) raises
        `Redirected`, which `follow_redirect` follows."""
        response = await self.get(path)
        if response.is_redirect:
            where = response.headers["location"]
            raise Redirected(Navigation("redirect", where), {"redirect": {"to": where}})
        response.raise_for_status()
        container = page.find_container(response.text)
        if container is None:
            raise AssertionError(f"no LiveView container in the page at {path}")
        socket = socket or await self.connect()
        topic = LIVEVIEW_TOPIC_PREFIX + container.id
        url = f"http://{self.host}{path}"
        payload: dict[str, Any] = {
            "url": url,
            "params": {"_csrf_token": self.csrf_token, "_mounts": 0, "_mount_attempts": 0},
            "session": container.session,
            "static": container.static or None,
            "sticky": False,
        }
        view = LiveViewTest(socket, topic, url, payload, crashes=self._crashes, client=self)
        view.pushes.extend(await view.join())
        return view
