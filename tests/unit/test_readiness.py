"""The readiness check of `LiveViewApp` (`liveview.readiness`) with the in-process backend;
tests/integration/test_readiness_redis.py cuts a real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from liveview import LiveView, LiveViewApp


class Page(LiveView):
    template = "<p>hi</p>"


@asynccontextmanager
async def served(app: Any, *, start: LiveViewApp | None = None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        if start is not None:
            await start.start()
        try:
            yield http
        finally:
            if start is not None:
                await start.close()


async def test_ready_when_started_and_not_draining() -> None:
    app = LiveViewApp(routes={"/": Page}, secret="s")
    async with served(app, start=app) as http:
        response = await http.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {
            "ready": True,
            "started": True,
            "draining": False,
            "pubsub": {"backend": "SingleProcessPubSub", "connected": True},
        }
        assert (await http.head("/healthz")).status_code == 200
        # the hook point a draining worker sets
        app.draining = True  # type: ignore[attr-defined]
        response = await http.get("/healthz")
        assert response.status_code == 503
        assert response.json()["reason"] == "draining" and response.json()["draining"] is True
        assert app.readiness.check()[0] is False


async def test_a_probe_does_not_start_the_app_but_a_page_request_does() -> None:
    app = LiveViewApp(routes={"/": Page}, secret="s")
    async with served(app) as http:
        response = await http.get("/healthz")
        assert response.status_code == 503 and response.json()["reason"] == "not started"
        assert not app.pubsub.started
        assert (await http.get("/")).status_code == 200
        assert (await http.get("/healthz")).status_code == 200
        await app.close()


async def test_the_path_is_configurable_and_can_be_turned_off() -> None:
    custom = LiveViewApp(routes={"/": Page}, secret="s", health_path="/ready")
    async with served(custom, start=custom) as http:
        assert (await http.get("/ready")).status_code == 200
        assert (await http.get("/healthz")).status_code == 404
    off = LiveViewApp(routes={"/": Page}, secret="s", health_path=None)
    async with served(off, start=off) as http:
        assert (await http.get("/healthz")).status_code == 404
    assert off.readiness.check()[0] is False  # closed; the check itself is still there


async def test_it_follows_the_mount_point() -> None:
    app = LiveViewApp(routes={"/": Page}, secret="s")
    outer = Starlette(routes=[Mount("/app", app=app)])
    async with served(outer, start=app) as http:
        assert (await http.get("/app/healthz")).status_code == 200


def test_bad_health_paths_are_refused() -> None:
    with pytest.raises(ValueError, match="also a LiveView route"):
        LiveViewApp(routes={"/healthz": Page}, secret="s")
    with pytest.raises(ValueError, match="starting with '/'"):
        LiveViewApp(routes={"/": Page}, secret="s", health_path="healthz")
    with pytest.raises(ValueError, match="starting with '/'"):
        LiveViewApp(routes={"/": Page}, secret="s", health_path=b"/healthz")  # type: ignore[arg-type]
    LiveViewApp(routes={"/healthz": Page}, secret="s", health_path=None)  # fine: turned off
