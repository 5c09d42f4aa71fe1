"""A client that stops reading is dropped within a bounded time, on a real server, and costs
bounded memory meanwhile; a client reading beside it gets every update."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import httpx

from tests.e2e.conftest import AsyncRunner
from tests.e2e.tabs import Tab

APP = "tests.e2e.apps.feed:app"
SEND_TIMEOUT = 1.0
MESSAGES, SIZE = 2_000, 10_000  # 20 MB for each subscriber: more than loopback buffers hold


async def last_n(tab: Tab, want: int, timeout: float) -> int:
    """Read diffs until one carries `n == want`; the last n seen."""
    n = -1
    deadline = time.monotonic() + timeout
    while n != want:
        frame = json.loads(await asyncio.wait_for(tab.ws.recv(), deadline - time.monotonic()))
        diff = frame[4]
        if frame[3] == "diff" and "0" in diff:
            n = int(diff["0"])
    return n


async def stall_beside_a_reader(base: str) -> dict[str, float]:
    reader, stalled = Tab(base, "/feed"), Tab(base, "/feed")
    await reader.open()
    await stalled.open()
    stalled.ws.transport.pause_reading()  # the stalled tab reads nothing from now on

    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        began = time.monotonic()
        reading = asyncio.create_task(last_n(reader, MESSAGES - 1, 60))
        # the loop let in after every publish: each is a diff of its own (infos that wait
        # together are rendered once), so the stalled tab is owed all 20 MB
        await http.post("/publish", params={"count": MESSAGES, "size": SIZE, "every": 1})
        assert await reading == MESSAGES - 1  # the reader got the last update
        published = time.monotonic() - began

        while (stats := (await http.get("/stats")).json())["subscriptions"] > 1:
            assert time.monotonic() - began < published + SEND_TIMEOUT + 10, stats
            await asyncio.sleep(0.1)
        dropped_after = time.monotonic() - began

        await http.post("/publish", params={"count": 1, "first": MESSAGES, "size": 10})
        assert await last_n(reader, MESSAGES, 10) == MESSAGES  # the reader carries on
    await reader.ws.close()
    return {"published_s": published, "dropped_s": dropped_after, "hwm_kb": stats["hwm_kb"]}


def test_a_client_that_stops_reading_is_dropped_and_the_reader_carries_on(
    live_server: Callable[..., str], run_async: AsyncRunner
) -> None:
    base = live_server(APP, env={"LIVEVIEW_SEND_TIMEOUT": str(SEND_TIMEOUT)})
    figures = run_async(stall_beside_a_reader(base), timeout=90)
    print(f"slow consumer: {figures}")
