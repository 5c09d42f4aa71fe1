"""An in-process client for testing LiveViews: no browser, no server, the real app.

It does what the official client does — GET the page, read the tokens, open the websocket with
the CSRF token and cookie, join, send events, merge the diffs it gets back — by calling the ASGI
app directly::

    async with LiveViewTestClient(app) as client:
        view = await client.live("/counter")
        await view.click("inc")
        assert '<h1 id="count">1</h1>' in view.html

`client.connect()` gives the raw websocket for protocol-level tests.
"""

from __future__ import annotations

import asyncio
import copy
import html as html_lib
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson
from starlette.types import ASGIApp, Message

from liveview.template import to_html

DEFAULT_TIMEOUT = 5.0


class WebSocketRejected(Exception):
    """The app refused the websocket handshake (a browser would see HTTP 403)."""


class WebSocketClosed(Exception):
    """The app closed the websocket."""

    def __init__(self, code: int) -> None:
        super().__init__(f"websocket closed with code {code}")
        self.code = code


class ReplyError(Exception):
    """The server answered a message with status "error"."""

    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__(f"error reply: {response!r}")
        self.response = response


# --- the client's merge rules --------------------------------------------------------------------


def merge_diff(tree: dict[str, Any] | None, diff: dict[str, Any]) -> dict[str, Any]:
    """Merge a diff into a rendered tree the way the official client does (top-level keys
    "e", "t" and "r" must have been removed by the caller)."""
    if tree is None or "s" in diff:
        return copy.deepcopy(diff)
    _merge(tree, copy.deepcopy(diff))
    return tree


def _merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    if "k" in source:
        _merge_keyed(target, source)
        return
    for key, value in source.items():
        old = target.get(key)
        if isinstance(value, dict) and "s" not in value and isinstance(old, dict):
            _merge(old, value)
        else:
            target[key] = value


def _merge_keyed(target: dict[str, Any], source: dict[str, Any]) -> None:
    entries = source["k"]
    current = target.setdefault("k", {"kc": 0})
    before = copy.deepcopy(current) if entries.get("km") else {}
    for index, entry in entries.items():
        if index in ("kc", "km"):
            continue
        if isinstance(entry, list):
            moved = copy.deepcopy(before[str(entry[0])])
            _merge(moved, entry[1])
            current[index] = moved
        elif isinstance(entry, int):
            current[index] = copy.deepcopy(before[str(entry)])
        else:
            _merge(current.setdefault(index, {}), entry)
    count = entries["kc"]
    for index in range(count, current.get("kc", 0)):
        current.pop(str(index), None)
    current["kc"] = count


# --- an ASGI websocket, driven in-process --------------------------------------------------------


class TestWebSocket:
    """A websocket to the app, speaking raw V2 frames."""

    __test__ = False  # not a pytest test class

    def __init__(self, app: ASGIApp, scope: dict[str, Any]) -> None:
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task = asyncio.create_task(self._serve(app, scope))
        self._ref = 0
        self.closed_code: int | None = None

    async def _serve(self, app: ASGIApp, scope: dict[str, Any]) -> None:
        async def send(message: Message) -> None:
            if message["type"] == "websocket.close":  # as servers do: the app's receive ends
                await self._to_app.put({"type": "websocket.disconnect", "code": 1000})
            await self._from_app.put(message)

        try:
            await app(scope, self._to_app.get, send)
        finally:
            await self._from_app.put({"type": "websocket.close", "code": 1006})

    async def _open(self) -> None:
        await self._to_app.put({"type": "websocket.connect"})
        message = await asyncio.wait_for(self._from_app.get(), DEFAULT_TIMEOUT)
        if message["type"] != "websocket.accept":
            await self._finish()
            raise WebSocketRejected(message.get("code"))

    def next_ref(self) -> str:
        self._ref += 1
        return str(self._ref)

    async def send_text(self, text: str) -> None:
        await self._to_app.put({"type": "websocket.receive", "text": text})

    async def send_bytes(self, data: bytes) -> None:
        await self._to_app.put({"type": "websocket.receive", "bytes": data})

    async def send_frame(self, frame: list[Any]) -> None:
        await self.send_text(orjson.dumps(frame).decode())

    async def receive_frame(self, timeout: float = DEFAULT_TIMEOUT) -> list[Any]:
        message = await asyncio.wait_for(self._from_app.get(), timeout)
        if message["type"] == "websocket.close":
            self.closed_code = message.get("code", 1000)
            raise WebSocketClosed(self.closed_code or 1000)
        data = message.get("text")
        frame: list[Any] = orjson.loads(data if data is not None else message["bytes"])
        return frame

    async def request(
        self,
        topic: str,
        event: str,
        payload: dict[str, Any],
        *,
        join_ref: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> tuple[list[Any], list[list[Any]]]:
        """Send a message and wait for its reply; returns (reply, frames pushed meanwhile)."""
        ref = self.next_ref()
        await self.send_frame([join_ref, ref, topic, event, payload])
        pushed: list[list[Any]] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.receive_frame(max(0.0, deadline - loop.time()))
            if frame[1] == ref and frame[3] == "phx_reply":
                return frame, pushed
            pushed.append(frame)

    async def close(self) -> None:
        await self._to_app.put({"type": "websocket.disconnect", "code": 1000})
        await self._finish()

    async def _finish(self) -> None:
        try:
            await asyncio.wait_for(self._task, DEFAULT_TIMEOUT)
        except (TimeoutError, asyncio.CancelledError):
            self._task.cancel()


# --- a joined LiveView ---------------------------------------------------------------------------


_CONTAINER = re.compile(
    r'<div id="(?P<id>[^"]+)" data-phx-main data-phx-session="(?P<session>[^"]*)" '
    r'data-phx-static="(?P<static>[^"]*)">'
)
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
_SOCKET_PATH = re.compile(r'<meta name="liveview-socket" content="([^"]*)">')


class LiveViewTest:
    """One LiveView joined over a TestWebSocket; `html` is what a browser would show in it."""

    __test__ = False

    def __init__(
        self, socket: TestWebSocket, topic: str, url: str, join_payload: dict[str, Any]
    ) -> None:
        self.socket = socket
        self.topic = topic
        self.join_ref = ""
        self.url = url
        self.join_payload = join_payload
        self.tree: dict[str, Any] | None = None
        self.title: str | None = None
        self.events: list[list[Any]] = []
        self.pushes: list[list[Any]] = []

    async def join(self) -> list[list[Any]]:
        """Send phx_join (again, on a rejoin) and apply the rendered tree; returns frames that
        arrived before the reply."""
        self.join_ref = self.socket.next_ref()
        self.tree = None
        await self.socket.send_frame(
            [self.join_ref, self.join_ref, self.topic, "phx_join", self.join_payload]
        )
        pushed: list[list[Any]] = []
        while True:
            frame = await self.socket.receive_frame()
            if frame[1] == self.join_ref and frame[3] == "phx_reply":
                break
            pushed.append(frame)
        if frame[4]["status"] != "ok":
            raise ReplyError(frame[4]["response"])
        self.apply(frame[4]["response"]["rendered"])
        return pushed

    async def rejoin(self) -> list[list[Any]]:
        """What the client does after a crash or reconnect: join the same topic anew."""
        self.join_payload["params"]["_mounts"] = 1
        return await self.join()

    @property
    def html(self) -> str:
        return to_html(self.tree) if self.tree is not None else ""

    def apply(self, diff: dict[str, Any]) -> Any:
        """Merge a diff as the client does; returns the hook reply ("r"), if any."""
        diff = dict(diff)
        reply = diff.pop("r", None)
        self.events.extend(diff.pop("e", []))
        title = diff.pop("t", None)
        if isinstance(title, str):
            self.title = title
        self.tree = merge_diff(self.tree, diff)
        return reply

    async def push(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a message on this view's topic; apply pushes and the reply's diff. Returns the
        reply's response; raises ReplyError on an error reply."""
        reply, pushed = await self.socket.request(
            self.topic, event, payload, join_ref=self.join_ref
        )
        for frame in pushed:
            self._on_push(frame)
        response: dict[str, Any] = reply[4]["response"]
        if reply[4]["status"] != "ok":
            raise ReplyError(response)
        if "diff" in response:
            response = {**response, "reply": self.apply(response["diff"])}
        return response

    def _on_push(self, frame: list[Any]) -> None:
        self.pushes.append(frame)
        if frame[2] == self.topic and frame[3] == "diff":
            self.apply(frame[4])

    async def click(self, event: str, value: Mapping[str, Any] | None = None) -> str:
        await self.push("event", {"type": "click", "event": event, "value": dict(value or {})})
        return self.html

    async def hook_event(self, event: str, value: Any = None) -> Any:
        """A hook's pushEvent; returns the handler's reply."""
        response = await self.push("event", {"type": "hook", "event": event, "value": value or {}})
        return response.get("reply")

    async def change(
        self, event: str, form: Mapping[str, Any] | str, *, target: str | None = None
    ) -> str:
        meta = {"_target": target} if target else {}
        await self._form(event, form, meta)
        return self.html

    async def submit(self, event: str, form: Mapping[str, Any] | str) -> str:
        await self._form(event, form, {})
        return self.html

    async def _form(self, event: str, form: Mapping[str, Any] | str, meta: dict[str, Any]) -> None:
        value = form if isinstance(form, str) else urlencode(_flatten(form))
        await self.push("event", {"type": "form", "event": event, "value": value, "meta": meta})

    async def receive_push(self, timeout: float = DEFAULT_TIMEOUT) -> list[Any]:
        """Wait for the next server push on the websocket and apply it."""
        frame = await self.socket.receive_frame(timeout)
        self._on_push(frame)
        return frame

    async def wait_for(
        self, predicate: Callable[[str], bool], timeout: float = DEFAULT_TIMEOUT
    ) -> str:
        """Apply pushes until `predicate(html)` holds; TimeoutError if it does not in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate(self.html):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met; html is {self.html!r}")
            await self.receive_push(remaining)
        return self.html

    async def leave(self) -> None:
        await self.socket.request(self.topic, "phx_leave", {}, join_ref=self.join_ref)


def _flatten(form: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in form.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            pairs.extend(_flatten(value, name))
        elif isinstance(value, list | tuple):
            pairs.extend((f"{name}[]", str(item)) for item in value)
        else:
            pairs.append((name, str(value)))
    return pairs


# --- the client ----------------------------------------------------------------------------------


class LiveViewTestClient:
    """Runs the app in-process (with its lifespan) and opens LiveViews on it."""

    __test__ = False

    def __init__(self, app: ASGIApp, *, host: str = "testserver") -> None:
        self.app = app
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

    async def __aenter__(self) -> LiveViewTestClient:
        self._lifespan_task = asyncio.create_task(self._run_lifespan())
        await self._lifespan_in.put({"type": "lifespan.startup"})
        message = await asyncio.wait_for(self._lifespan_out.get(), DEFAULT_TIMEOUT)
        if message["type"] != "lifespan.startup.complete":
            raise RuntimeError(f"app startup failed: {message}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        for socket in self._sockets:
            await socket.close()
        await self.http.aclose()
        await self._lifespan_in.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(self._lifespan_out.get(), DEFAULT_TIMEOUT)
        if self._lifespan_task is not None:
            await self._lifespan_task

    async def _run_lifespan(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        await self.app(scope, self._lifespan_in.get, self._lifespan_out.put)

    async def get(self, path: str) -> httpx.Response:
        response = await self.http.get(path)
        match = _CSRF.search(response.text)
        if match:
            self.csrf_token = html_lib.unescape(match.group(1))
        socket_path = _SOCKET_PATH.search(response.text)
        if socket_path:
            self.socket_path = html_lib.unescape(socket_path.group(1))
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
        self._sockets.append(socket)
        return socket

    async def live(self, path: str, *, socket: TestWebSocket | None = None) -> LiveViewTest:
        """GET the page and join its LiveView (on a new websocket unless one is given)."""
        response = await self.get(path)
        response.raise_for_status()
        container = _CONTAINER.search(response.text)
        if container is None:
            raise AssertionError(f"no LiveView container in the page at {path}")
        socket = socket or await self.connect()
        topic = f"lv:{container.group('id')}"
        url = f"http://{self.host}{path}"
        payload = {
            "url": url,
            "params": {"_csrf_token": self.csrf_token, "_mounts": 0, "_mount_attempts": 0},
            "session": html_lib.unescape(container.group("session")),
            "static": html_lib.unescape(container.group("static")) or None,
            "sticky": False,
        }
        view = LiveViewTest(socket, topic, url, payload)
        view.pushes.extend(await view.join())
        return view
