"""The readiness check and the pub/sub telemetry events against a real Redis and PostgreSQL
whose connections are cut (a loopback proxy that drops every connection through it) and
restored."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from liveview import LiveView, LiveViewApp, PostgresPubSub, RedisPubSub, telemetry
from tests.presence_proxy import CutProxy


class Page(LiveView):
    template = "<p>hi</p>"


async def until(check: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
    """Poll `check` (an async callable returning truthy) every 20 ms, at most `timeout` s."""
    for _ in range(int(timeout / 0.02)):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {timeout}s: {what}")


async def test_readiness_follows_the_redis_connection(redis_url: str) -> None:
    parts = urlsplit(redis_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    prefix = f"readiness-{uuid.uuid4().hex[:8]}:"
    events: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    async with CutProxy(host, port) as proxy:
        pubsub = RedisPubSub(
            f"redis://{host}:{proxy.port}/0",
            prefix=prefix,
            reconnect_delay=0.05,
            max_reconnect_delay=0.2,
        )
        app = LiveViewApp(routes={"/": Page}, pubsub=pubsub, secret="test-secret")
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")

        async def status() -> tuple[int, dict[str, Any]]:
            response = await http.get("/healthz")
            assert response.headers["cache-control"] == "no-store"
            return response.status_code, response.json()

        # Not started: 503, and the probe did not start it.
        code, body = await status()
        assert (code, body["reason"], body["started"]) == (503, "not started", False)
        assert not pubsub.started

        outsider = RedisPubSub(redis_url, prefix=prefix)  # straight to Redis, not cut
        with telemetry.attached(
            telemetry.PUBSUB_EVENTS, lambda e, m, md: events.append((e, m, md))
        ):
            await app.start()
            await outsider.start()
            try:
                got: list[Any] = []
                await pubsub.subscribe("room", got.append)
                code, body = await status()
                assert code == 200, body
                assert body == {
                    "ready": True,
                    "started": True,
                    "draining": False,
                    "pubsub": {"backend": "RedisPubSub", "connected": True},
                }

                proxy.cut()

                async def unready() -> bool:
                    code, body = await status()
                    return code == 503 and body["reason"] == "the pub/sub broker is not connected"

                await until(unready, "503 once the connection to Redis is cut")
                assert (await status())[1]["pubsub"]["connected"] is False

                proxy.restore()

                async def ready() -> bool:
                    return (await status())[0] == 200

                await until(ready, "200 once Redis is reachable again")
                gaps = [e for e in events if e[0] == "liveview.pubsub.gap"]
                assert len(gaps) == 1
                assert gaps[0][2] == {"topic": "room", "backend": "RedisPubSub"}
                assert gaps[0][1] == {"subscribers": 1}

                # A message from another process: delivered here, "remote", with its size.
                await outsider.publish("room", {"hello": "there"})

                async def delivered() -> bool:
                    return any(
                        e[0] == "liveview.pubsub.deliver" and e[2]["origin"] == "remote"
                        for e in events
                    )

                await until(delivered, "the remote message delivered")
                deliver = next(
                    e for e in events
                    if e[0] == "liveview.pubsub.deliver" and e[2]["origin"] == "remote"
                )  # fmt: skip
                assert deliver[2]["topic"] == "room" and deliver[1]["subscribers"] == 1
                assert deliver[1]["bytes"] > len(b'{"hello":"there"}')  # the envelope's
                publishes = [e for e in events if e[0] == "liveview.pubsub.publish"]
                assert publishes and publishes[-1][2]["backend"] == "RedisPubSub"
                assert publishes[-1][1]["duration"] > 0
            finally:
                await outsider.close()
                await app.close()
        code, body = await status()
        assert (code, body["reason"]) == (503, "not started")  # closed: not ready
        await http.aclose()


async def test_readiness_follows_the_postgres_connection(postgres_dsn: str) -> None:
    """The same for PostgresPubSub (LISTEN/NOTIFY): cut, 503; restored, 200."""
    parts = urlsplit(postgres_dsn)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    async with CutProxy(host, port) as proxy:
        netloc = parts.netloc.replace(f"{host}:{port}", f"{host}:{proxy.port}")
        pubsub = PostgresPubSub(
            parts._replace(netloc=netloc).geturl(),
            prefix=f"ready{uuid.uuid4().hex[:6]}_",
            reconnect_delay=0.05,
            max_reconnect_delay=0.2,
        )
        app = LiveViewApp(routes={"/": Page}, pubsub=pubsub, secret="test-secret")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            await app.start()
            try:
                await pubsub.subscribe("room", lambda message: None)
                assert (await http.get("/healthz")).json()["ready"] is True
                proxy.cut()

                async def unready() -> bool:
                    response = await http.get("/healthz")
                    return response.status_code == 503 and response.json()["pubsub"] == {
                        "backend": "PostgresPubSub",
                        "connected": False,
                    }

                await until(unready, "503 once the connection to PostgreSQL is cut")
                proxy.restore()

                async def ready() -> bool:
                    return (await http.get("/healthz")).status_code == 200

                await until(ready, "200 once PostgreSQL is reachable again")
            finally:
                await app.close()
