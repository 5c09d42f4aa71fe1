"""A `handle_params` that always patches fails its own LiveView after 20 patches, in a real
server, while another client on the same server keeps getting its replies."""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import websockets

from liveview.channel.live import MAX_PATCH_REDIRECTS
from liveview.static import CONTAINER
from tests.e2e.conftest import AsyncRunner

APP = "tests.e2e.apps.patch_loop:app"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


class Tab:
    """One page joined over its own websocket, as the official client does it."""

    def __init__(self, base: str, path: str) -> None:
        self.base, self.path = base, path
        self.ref = 0

    async def open(self) -> None:
        async with httpx.AsyncClient(base_url=self.base) as http:
            page = await http.get(self.path)
            cookies = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        container = CONTAINER.search(page.text)
        csrf = CSRF.search(page.text)
        assert container is not None and csrf is not None
        self.topic = f"lv:{container['id']}"
        ws_url = self.base.replace("http", "ws") + "/live/websocket"
        self.ws = await websockets.connect(
            f"{ws_url}?_csrf_token={html.unescape(csrf[1])}&vsn=2.0.0",
            origin=websockets.Origin(self.base),
            additional_headers={"cookie": cookies},
        )
        payload = {
            "url": self.base + self.path,
            "params": {"_mounts": 0},
            "session": html.unescape(container["session"]),
            "static": html.unescape(container["static"]),
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


def test_a_patch_loop_fails_its_view_and_the_server_keeps_serving(
    live_server: Callable[..., str], run_async: AsyncRunner
) -> None:
    run_async(patch_loop_beside_a_busy_tab(live_server(APP)))


async def patch_loop_beside_a_busy_tab(base: str) -> None:
    looping, other = Tab(base, "/patching"), Tab(base, "/counter")
    await looping.open()
    await other.open()

    async def other_tab_clicks() -> None:  # on the same server, answered as before
        for count in range(1, 11):
            reply = await asyncio.wait_for(other.click({}), 2)
            assert reply[4]["status"] == "ok"
            assert reply[4]["response"]["diff"] == {"0": str(count)}

    clicking = asyncio.create_task(other_tab_clicks())
    await looping.send("event", {"type": "click", "event": "go", "value": {"hops": -1}})
    patches, event = 0, ""
    while event != "phx_error" and patches <= MAX_PATCH_REDIRECTS:
        frame = json.loads(await asyncio.wait_for(looping.ws.recv(), 5))
        event = frame[3]
        patches += event == "live_patch"
    assert (event, patches) == ("phx_error", MAX_PATCH_REDIRECTS)
    await clicking
    await looping.ws.close()
    await other.ws.close()
