"""Deliveries to count instructions of, under callgrind: a deterministic figure on a noisy machine.

N LiveViews of a page are joined in process (`fanout_inprocess.join_channels`), then K rounds
of what a publish does to each: `handle_info`, then the channel's render and send. Run it with
K = 0 and K > 0 under callgrind; the difference of the instruction counts over N * K is the
instructions per diff, the same from run to run (fix the hash seed), which CPU time on a shared
machine is not:

    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.0 \\
        .venv/bin/python bench/instructions.py per-user 50 0
    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.10 \\
        .venv/bin/python bench/instructions.py per-user 50 10

Each round goes through the channel's info path (`handle_info`, then render and send), as a
delivery from pub/sub does. `BENCH_TELEMETRY=1` attaches a handler that does nothing to every
telemetry event (see `fanout_inprocess.attach_probe`). `--cache-sim=yes` adds simulated cache
misses (where a page that runs as many instructions as another is still slower). Pages: those
of `fanout_inprocess.py`.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.apps.ours import SHAPES, Bench, message
from bench.apps.rows import PAGES as ROWS_PAGES
from bench.fanout_inprocess import PerUser, attach_probe, join_channels
from liveview import LiveView, LiveViewApp


async def main(page: str, n: int, rounds: int) -> None:
    pages: dict[str, type[LiveView]] = {"shared": Bench, "per-user": PerUser}
    pages.update({f"rows-{name}": view for name, view in ROWS_PAGES.items()})
    pages.update({name: SHAPES[name] for name in ("built", "user", "chat")})
    app = LiveViewApp(routes={"/": pages[page]}, secret="bench")
    attach_probe()
    await app.start()
    joined = 0
    done = asyncio.Event()

    async def send(text: str) -> None:
        nonlocal joined
        joined += 1
        if joined >= n:
            done.set()

    channels = await join_channels(app, n, lambda topic: send)
    await asyncio.wait_for(done.wait(), 60 + n)
    for count in range(1, rounds + 1):
        published = {"count": count, "message": message(count)}  # one object, as pub/sub gives
        for channel in channels:
            await channel._on_info(published)
    for channel in channels:
        await channel.stop()
    await app.close()


if __name__ == "__main__":
    page, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    asyncio.run(main(page, n, rounds))
