"""A browser tab as the official client speaks for it, over a real websocket: GET the page,
keep its cookie, open the websocket with the CSRF token and a same-origin `Origin`, join."""

from __future__ import annotations

import json
from typing import Any

import httpx
import websockets

from liveview.testing.page import find_container, find_csrf_token


class Tab:
    """One page joined over its own websocket, as the official client does it."""

    def __init__(self, base: str, path: str) -> None:
        self.base, self.path = base, path
        self.ref = 0

    async def open(self) -> None:
        async with httpx.AsyncClient(base_url=self.base) as http:
            page = await http.get(self.path)
            cookies = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        container = find_container(page.text)
        csrf = find_csrf_token(page.text)
        assert container is not None and csrf is not None
        self.topic = f"lv:{container.id}"
        ws_url = self.base.replace("http", "ws") + "/live/websocket"
        self.ws = await websockets.connect(
            f"{ws_url}?_csrf_token={csrf}&vsn=2.0.0",
            origin=websockets.Origin(self.base),
            additional_headers={"cookie": cookies},
        )
        payload = {
            "url": self.base + self.path,
            "params": {"_mounts": 0},
            "session": container.session,
            "static": container.static,
        }
        reply = await self.request("phx_join", payload, join=True)
        assert reply[4]["status"] == "ok", reply

    async def send(self, event: str, payload: dict[str, Any], *, join: bool = False) -> str:
        self.ref += 1
        ref = str(self.ref)
        if join:
            self.join_ref = ref
        await self.ws.send(json.dumps([self.join_ref, ref, self.topic, event, payload]))
        return ref

    async def request(
        self, event: str, payload: dict[str, Any], *, join: bool = False
    ) -> list[Any]:
        ref = await self.send(event, payload, join=join)
        while True:
            frame = json.loads(await self.ws.recv())
            if frame[1] == ref and frame[3] == "phx_reply":
                return list(frame)

    async def click(self, value: dict[str, Any]) -> list[Any]:
        return await self.request("event", {"type": "click", "event": "go", "value": value})
