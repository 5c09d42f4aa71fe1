"""liveview.forwarded: X-Forwarded-* trusted from the configured proxy only; the websocket origin
check uses the host and scheme the browser used. Over a real uvicorn on a loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import websockets
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from websockets.exceptions import InvalidStatus

from liveview import LiveView, LiveViewApp
from liveview.server import LiveViewConfig, LiveViewServer
from tests.services import free_port


class Page(LiveView):
    template = "<p>hi</p>"


async def seen(request: Request) -> JSONResponse:
    return JSONResponse(
        {
            "client": request.client.host if request.client else None,
            "scheme": request.url.scheme,
            "host": request.headers.get("host"),
        }
    )


@contextlib.asynccontextmanager
async def serving(forwarded: bool, trusted: str = "127.0.0.1") -> AsyncIterator[int]:
    app = LiveViewApp({"/": Page}, secret="s", extra_routes=[Route("/seen", seen)])
    port = free_port()
    config = LiveViewConfig(
        app,
        host="127.0.0.1",
        port=port,
        ws="liveview.server:WebSocketProtocol",
        log_level="warning",
        forwarded=forwarded,
        forwarded_allow_ips=trusted,
    )
    server = LiveViewServer(config)
    running = asyncio.ensure_future(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        await running


async def accepted(port: int, origin: str, **forwarded: str) -> bool:
    """Whether a websocket from a page at `origin`, through a proxy sending `forwarded`
    (X-Forwarded-<name>), is accepted (refused: HTTP 403 before the upgrade)."""
    headers = {f"X-Forwarded-{name.title()}": value for name, value in forwarded.items()}
    try:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/live/websocket?vsn=2.0.0",
            origin=origin,  # type: ignore[arg-type]
            additional_headers=headers,
        ):
            return True
    except InvalidStatus as refused:
        assert refused.response.status_code == 403
        return False


async def test_behind_a_trusted_proxy_the_origin_is_checked_against_the_forwarded_host() -> None:
    async with serving(forwarded=True) as port:
        public = "https://shop.example"
        assert await accepted(port, public, host="shop.example", proto="https")
        # another site's page, through the same proxy
        assert not await accepted(port, "https://evil.example", host="shop.example", proto="https")
        # the right host, but a plain-http page for a site the proxy serves over https
        assert not await accepted(port, "http://shop.example", host="shop.example", proto="https")
        assert await accepted(
            port, "http://shop.example:8080", host="shop.example:8080", proto="http"
        )
        # without X-Forwarded-Host the Host header still counts (a proxy passing Host through)
        assert await accepted(port, f"http://127.0.0.1:{port}")


@pytest.mark.parametrize(
    ("forwarded", "trusted"), [(False, "127.0.0.1"), (True, "10.1.2.3")], ids=["off", "untrusted"]
)
async def test_forwarded_headers_from_anyone_else_are_ignored(
    forwarded: bool, trusted: str
) -> None:
    async with serving(forwarded=forwarded, trusted=trusted) as port:
        # a client forging the headers to pass another site's page off as ours
        assert not await accepted(port, "https://evil.example", host="evil.example", proto="https")
        assert await accepted(port, f"http://127.0.0.1:{port}", host="evil.example")
        async with httpx.AsyncClient() as client:
            response = await client.get(
                f"http://127.0.0.1:{port}/seen",
                headers={
                    "X-Forwarded-For": "203.0.113.9",
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-Host": "evil.example",
                },
            )
        assert json.loads(response.text) == {
            "client": "127.0.0.1",
            "scheme": "http",
            "host": f"127.0.0.1:{port}",
        }


async def test_a_trusted_proxy_gives_the_client_scheme_and_host_to_http_requests() -> None:
    async with serving(forwarded=True) as port:
        async with httpx.AsyncClient() as client:
            response = await client.get(
                f"http://127.0.0.1:{port}/seen",
                headers={
                    "X-Forwarded-For": "203.0.113.9",
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-Host": "shop.example",
                },
            )
        assert json.loads(response.text) == {
            "client": "203.0.113.9",
            "scheme": "https",
            "host": "shop.example",
        }
