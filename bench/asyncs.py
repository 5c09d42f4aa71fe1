"""What async assigns cost, in one process without sockets (as `fanout_inprocess.py`).

N `LiveChannel`s are joined with real tokens from the dead render and write to a send that only
counts. Two pages:

- `async`: the connected mount calls `assign_async("data", fn)`, `fn` waiting for a gate; each
  round publishes one message, every LiveView's `handle_info` calls `assign_async` again (a
  reload: the value stays while loading), which sends a diff (the loading state); then the gate
  opens, the N tasks finish and each LiveView sends a second diff (the data);
- `plain`: the same page with the value assigned in `handle_info` at once (one diff a round).

Printed: CPU µs per LiveView per round (best and median of the repeats; `async` does two diffs
a round, a task started and ended), the mean bytes of a diff frame, and the memory per joined
LiveView (RSS after the joins minus before, over N: for `async` each holds a pending task).
Run one page per process for a clean memory figure; `--lambda` passes `lambda: load(value)`
instead of `load, value` (the lambda is called in a worker thread: what that hop costs):

    .venv/bin/python bench/asyncs.py [N=1000] [ROUNDS=20] [REPEATS=5] PAGE [--lambda]
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fanout_inprocess import join_channels, rss_kb
from liveview import LiveView, LiveViewApp, LiveViewSocket

TOPIC = "bench-async"
GATE: dict[str, asyncio.Event] = {}


async def load(value: int) -> dict[str, Any]:
    await GATE["open"].wait()
    return {"data": value}


LAMBDA = "--lambda" in sys.argv


def start(socket: LiveViewSocket, value: int) -> None:
    if LAMBDA:  # not a coroutine function: called in a worker thread, its coroutine awaited
        socket.assign_async("data", lambda: load(value))
    else:
        socket.assign_async("data", load, value)


TEMPLATE = (
    '<p id="data">{% if data.ok %}{{ data.result }}{% endif %}</p>'
    "{% if data.loading %}<i>loading</i>{% endif %}"
)


class AsyncPage(LiveView):
    template = TEMPLATE

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        start(socket, 0)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        start(socket, info["count"])


class PlainPage(LiveView):
    template = TEMPLATE

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.assign(data={"ok": True, "result": 0, "loading": None})

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(data={"ok": True, "result": info["count"], "loading": None})


PAGES: dict[str, type[LiveView]] = {"async": AsyncPage, "plain": PlainPage}


async def measure(page: str, n: int, rounds: int, repeats: int) -> None:
    view = PAGES[page]
    GATE["open"] = asyncio.Event()
    if page == "plain":
        GATE["open"].set()
    app = LiveViewApp(routes={"/": view}, secret="bench")
    await app.start()
    sent, target, sent_bytes = 0, n, 0
    done = asyncio.Event()

    async def send(text: str) -> None:
        nonlocal sent, sent_bytes
        sent += 1
        sent_bytes += len(text)
        if sent >= target:
            done.set()

    gc.collect()
    before = rss_kb()
    channels = await join_channels(app, n, lambda topic: send)
    await asyncio.wait_for(done.wait(), 60 + n * 0.1)  # every join replied
    await asyncio.sleep(0.1)  # the tasks have started and wait
    gc.collect()
    per_liveview = (rss_kb() - before) / n
    if page == "async":  # the first tasks finish: a diff each
        sent, done = 0, asyncio.Event()
        GATE["open"].set()
        await asyncio.wait_for(done.wait(), 60)
    results, count, sent_bytes, diffs = [], 0, 0, 0
    for _ in range(repeats):
        gc.collect()
        began = time.process_time()
        for _ in range(rounds):
            count += 1
            sent = 0
            done.clear()
            if page == "async":
                GATE["open"] = asyncio.Event()
            await app.pubsub.publish(TOPIC, {"count": count})
            await asyncio.wait_for(done.wait(), 60)  # plain: the data; async: the loading
            diffs += sent
            if page == "async":
                sent = 0
                done.clear()
                GATE["open"].set()
                await asyncio.wait_for(done.wait(), 60)  # the data
                diffs += sent
        results.append((time.process_time() - began) / (n * rounds) * 1e6)
    for channel in channels:
        await channel.stop()
    await app.close()
    listed = ", ".join(f"{r:.2f}" for r in results)
    label = f"{page} (lambda)" if LAMBDA and page == "async" else page
    print(
        f"{label}: N={n}, {rounds} rounds x {repeats}: best {min(results):.2f} µs per LiveView "
        f"per round, median {statistics.median(results):.2f} ({listed}); "
        f"{diffs / (n * rounds * repeats):.0f} diffs a round of {sent_bytes / diffs:.0f} bytes "
        f"each; {per_liveview:.1f} KB/LiveView after the joins",
        flush=True,
    )


async def main() -> None:
    args = [arg for arg in sys.argv[1:] if arg != "--lambda"]
    numbers = [int(a) for a in args if a.isdigit()]
    pages = [a for a in args if not a.isdigit()] or ["async"]
    n, rounds, repeats = (numbers + [1000, 20, 5][len(numbers) :])[:3]
    for page in pages:
        await measure(page, n, rounds, repeats)


if __name__ == "__main__":
    asyncio.run(main())
