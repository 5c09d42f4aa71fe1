"""A soak: N LiveViews on a real server, one publish a second for a while; does anything grow?

Starts the server as the README serves apps (uvicorn with `liveview.server:WebSocketProtocol`,
the feed page of `tests/e2e/apps/feed.py`), joins N tabs that speak the protocol as the official
client does (each on its own websocket, a heartbeat every 30 s), publishes one update a second
through the app's `/publish` route, and samples the server's RSS (`/stats`) along the way. Every
tab must receive every update (checked by its `n`); the RSS slope after the joins is the figure.

    .venv/bin/python bench/soak.py [--views 1000] [--minutes 10] [--sample 30]

`tests/e2e/test_soak.py` runs a short sample of it in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.tabs import Tab  # noqa: E402
from tests.services import free_port  # noqa: E402


async def soak(base: str, views: int, seconds: float, sample: float) -> dict[str, Any]:
    tabs = [Tab(base, "/feed") for _ in range(views)]
    began = time.monotonic()
    for start in range(0, views, 32):
        await asyncio.gather(*(tab.open() for tab in tabs[start : start + 32]))
    joined_s = time.monotonic() - began
    seen: list[list[int]] = [[] for _ in tabs]

    async def read(index: int, tab: Tab) -> None:
        async for text in tab.ws:
            frame = json.loads(text)
            if frame[3] == "diff" and "0" in frame[4]:
                seen[index].append(int(frame[4]["0"]))

    async def heartbeat(tab: Tab) -> None:  # every 30 s, as the official client does
        while True:
            await asyncio.sleep(30)
            tab.ref += 1
            await tab.ws.send(json.dumps([None, str(tab.ref), "phoenix", "heartbeat", {}]))

    readers = [asyncio.create_task(read(i, tab)) for i, tab in enumerate(tabs)]
    readers += [asyncio.create_task(heartbeat(tab)) for tab in tabs]
    samples: list[tuple[float, int]] = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        samples.append((0.0, (await http.get("/stats")).json()["rss_kb"]))
        start = time.monotonic()
        n = 0
        next_sample = sample
        while (elapsed := time.monotonic() - start) < seconds:
            await http.post("/publish", params={"count": 1, "first": n, "size": 100})
            n += 1
            if elapsed >= next_sample:
                samples.append((round(elapsed), (await http.get("/stats")).json()["rss_kb"]))
                next_sample += sample
            await asyncio.sleep(max(0.0, start + n - time.monotonic()))
        await asyncio.sleep(2)
        rss = (await http.get("/stats")).json()["rss_kb"]
        samples.append((round(time.monotonic() - start), rss))
        subscriptions = (await http.get("/stats")).json()["subscriptions"]
    for task in readers:
        task.cancel()
    for tab in tabs:
        await tab.ws.close()
    missed = sum(n - len(set(got) & set(range(n))) for got in seen)
    duplicated = sum(len(got) - len(set(got)) for got in seen)
    first_kb, last_kb = samples[0][1], samples[-1][1]
    return {
        "views": views,
        "seconds": round(seconds),
        "publishes": n,
        "joined_s": round(joined_s, 1),
        "subscriptions": subscriptions,
        "missed": missed,
        "duplicated": duplicated,
        "rss_kb": samples,
        "rss_growth_kb": last_kb - first_kb,
        "rss_kb_per_minute": round((last_kb - first_kb) / (samples[-1][0] / 60), 1),
    }


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "tests.e2e.apps.feed:app", "--host", "127.0.0.1",
        "--port", str(port), "--log-level", "warning", "--ws", "liveview.server:WebSocketProtocol",
        "--ws-per-message-deflate", "false", "--ws-ping-interval", "0",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(base + "/stats", timeout=1)
            return server, base
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--views", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--sample", type=float, default=30)
    options = parser.parse_args()
    server, base = start_server()
    try:
        result = asyncio.run(soak(base, options.views, options.minutes * 60, options.sample))
    finally:
        server.terminate()
        server.wait(10)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
