"""Publish bursts to 1,000 LiveViews in one process: up to what rate does every LiveView end on
the last update's state?

N `LiveChannel`s (joined with real tokens, as in `fanout_inprocess.py`) subscribe to one topic
and show the last `n` published; for each rate, `rate` messages a second are published for
`--seconds` (paced in 100 steps a second, each a burst), then the run waits until no channel has
written for half a second and checks the last diff each channel wrote: it must carry the last
`n`. A channel that was failed (`phx_error`) or shows an older `n` counts as behind.

    .venv/bin/python bench/burst.py [--views 1000] [--seconds 2] [--rates 250,500,1000,...]
    .venv/bin/python bench/burst.py --burst 20000   # unpaced, the loop let in every 50

Without sockets or a load client this measures the server's own limit, not the network's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fanout_inprocess import join_channels
from liveview import LiveView, LiveViewApp, LiveViewSocket

TOPIC = "burst"


class Last(LiveView):
    template = '<p id="n">{{ n }}</p><p>{{ note }}</p>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(n=-1, note="")
        await socket.subscribe(TOPIC)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if isinstance(info, dict):
            socket.assign(n=info["n"])
        else:  # a notice (messages dropped): the next publish brings the state back
            socket.assign(note=repr(info))


async def run(views: int, rate: int, seconds: float, burst: int = 0) -> dict[str, Any]:
    app = LiveViewApp(routes={"/": Last}, secret="bench")
    await app.start()
    last: dict[str, str] = {}
    stamp = [time.monotonic()]

    def sender(topic: str) -> Any:
        async def send(text: str) -> None:
            last[topic] = text
            stamp[0] = time.monotonic()

        return send

    channels = await join_channels(app, views, sender)
    while len(last) < views:
        await asyncio.sleep(0.01)

    began = time.monotonic()
    if burst:  # the probe's burst: as fast as it goes, the loop let in every 50 publishes
        total = burst
        for n in range(total):
            await app.pubsub.publish(TOPIC, {"n": n})
            if n % 50 == 49:
                await asyncio.sleep(0)
    else:
        total = int(rate * seconds)
        per_step = max(1, rate // 100)
        n = 0
        while n < total:
            for _ in range(min(per_step, total - n)):
                await app.pubsub.publish(TOPIC, {"n": n})
                n += 1
            # pace: the next step is due at began + n / rate
            await asyncio.sleep(max(0.0, began + n / rate - time.monotonic()))
    published = time.monotonic() - began
    rate = rate or round(total / published)
    while time.monotonic() - stamp[0] < 0.5:
        await asyncio.sleep(0.1)
    settled = stamp[0] - began

    behind = 0
    for text in last.values():
        frame = orjson.loads(text)
        diff = frame[4].get("response", {}).get("rendered", frame[4])
        if frame[3] not in ("diff", "phx_reply") or diff.get("0") != str(total - 1):
            behind += 1
    for channel in channels:
        await channel.stop()
    await app.close()
    return {
        "rate": rate if not burst else f"burst of {burst}",
        "published_per_s": round(total / published),
        "settled_s": round(settled, 2),
        "behind": behind,
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--views", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rates", default="100,250,500,1000,2000,4000")
    parser.add_argument("--burst", type=int, default=0, help="instead: N publishes, unpaced")
    options = parser.parse_args()
    if options.burst:
        print(await run(options.views, 0, 0, burst=options.burst), flush=True)
        return
    for rate in (int(r) for r in options.rates.split(",")):
        result = await run(options.views, rate, options.seconds)
        print(result, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
