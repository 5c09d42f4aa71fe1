"""A long-poll client speaking what the official client's `LongPoll` does, over httpx: for the
unit tests (in process, `httpx.ASGITransport`) and the integration tests (two real servers)."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx

from liveview.testing import page

Frame = list[Any]


class LongPollClient:
    """One tab's long-poll transport. `http` carries the page's cookies (CSRF)."""

    def __init__(
        self,
        http: httpx.AsyncClient | list[httpx.AsyncClient],
        *,
        csrf: str | None,
        path: str = "/live/longpoll",
        origin: str | None = None,
    ) -> None:
        # several clients: each request goes to the next one (a round-robin load balancer)
        self._https = http if isinstance(http, list) else [http]
        self._turn = 0
        self.csrf = csrf
        self.path = path
        self.origin = origin
        self.token: str | None = None
        self._ref = 0
        self.received: list[Frame] = []
        """Every frame polls returned, in order."""

    def _next(self) -> httpx.AsyncClient:
        http = self._https[self._turn % len(self._https)]
        self._turn += 1
        return http

    def _params(self) -> dict[str, str]:
        params = {"_csrf_token": self.csrf or "", "vsn": "2.0.0"}
        if self.token is not None:
            params["token"] = self.token
        return params

    def _headers(self) -> dict[str, str]:
        headers = {"accept": "application/json"}
        if self.origin is not None:
            headers["origin"] = self.origin
        return headers

    async def open(self) -> dict[str, Any]:
        """The first GET: a new session; keeps its token."""
        self.token = None
        body = await self.get()
        assert body["status"] == 410, body
        self.token = body["token"]
        return body

    async def get(self, timeout: float = 30.0) -> dict[str, Any]:
        response = await self._next().get(
            self.path, params=self._params(), headers=self._headers(), timeout=timeout
        )
        body: dict[str, Any] = response.json()
        if body.get("status") == 200:
            self.received += [json.loads(message) for message in body["messages"]]
        return body

    async def post_body(self, body: bytes | str, content_type: str = "application/x-ndjson") -> Any:
        response = await self._next().post(
            self.path,
            params=self._params(),
            content=body,
            headers={**self._headers(), "content-type": content_type},
            timeout=30.0,
        )
        return response

    async def post(self, *frames: Frame | bytes) -> dict[str, Any]:
        lines = [
            base64.b64encode(frame).decode() if isinstance(frame, bytes) else json.dumps(frame)
            for frame in frames
        ]
        response = await self.post_body("\n".join(lines))
        body: dict[str, Any] = response.json()
        return body

    def ref(self) -> str:
        self._ref += 1
        return str(self._ref)

    async def until(self, predicate: Any, polls: int = 10) -> Frame:
        """Poll until a received frame satisfies `predicate`; that frame (each frame is
        matched once: later calls look only at frames received after it)."""
        seen = 0
        for _ in range(polls):
            for index in range(seen, len(self.received)):
                frame = self.received[index]
                if predicate(frame):
                    del self.received[: index + 1]
                    return frame
            seen = len(self.received)
            body = await self.get()
            assert body["status"] in (200, 204), body
        raise AssertionError(f"no such frame after {polls} polls; got {self.received}")

    async def reply_to(self, ref: str, polls: int = 10) -> dict[str, Any]:
        frame = await self.until(lambda f: f[1] == ref and f[3] == "phx_reply", polls)
        payload: dict[str, Any] = frame[4]
        return payload

    async def join(self, html: str, url: str) -> tuple[str, str, dict[str, Any]]:
        """Join the page's main LiveView: (topic, join ref, the join reply's payload)."""
        container = page.find_container(html)
        assert container is not None
        topic, ref = f"lv:{container.id}", self.ref()
        payload = {
            "url": url,
            "params": {"_csrf_token": self.csrf, "_mounts": 0, "_mount_attempts": 0},
            "session": container.session,
            "static": container.static or None,
            "sticky": False,
        }
        assert (await self.post([ref, ref, topic, "phx_join", payload]))["status"] == 200
        return topic, ref, await self.reply_to(ref)
