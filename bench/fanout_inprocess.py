"""Fan-out in one process, without sockets: where the framework's own time goes.

N `LiveChannel`s are joined with real tokens from the dead render and write to a send that
only counts; each round publishes one message to their topic and waits until every channel has
sent its diff. Prints the CPU time (`time.process_time`) per delivered diff, best and median of
the repeats, the bytes of a diff frame and the memory per joined LiveView (the process's RSS
after the joins minus before, over N), for these pages:

- `shared`: the bench app (`apps/ours.py`), whose LiveViews all render the same state, so one
  render is shared by all;
- `per-user`: `handle_info` builds the rows in Python, a new list per LiveView (the common
  habit), so every LiveView renders and diffs its own;
- `built`, `user`, `chat` (not run unless named): issue 19's shapes of `apps/ours.py` — the
  rows built per LiveView, plus a per-LiveView user name, a chat of the last 50 messages;
- `rows-plain`, `rows-components`, `rows-send-update` (not run unless named): 1,000 rows per
  LiveView, one changed per publish, as a plain list, as live components the page re-renders,
  as live components sent the change with `send_update` (`apps/rows.py`).

Run it in two checkouts one after the other to compare a change (the noise is far lower than
the socket bench's, which measures the whole server):

    .venv/bin/python bench/fanout_inprocess.py [N=1000] [ROUNDS=20] [REPEATS=5] [PAGE ...] [--json]

The memory figure is only clean for the first page of a run (later pages reuse memory the
earlier ones freed): measure one page per process for it, as `bench/components.py` does.
`--json` prints one JSON object per page instead of a line of text. With
`BENCH_TELEMETRY=1` in the environment a handler that does nothing is attached to every
telemetry event (`liveview.telemetry`): the cost of the events themselves.
"""

from __future__ import annotations

import asyncio
import gc
import html
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.apps.ours import SHAPES, TOPIC, Bench, message
from bench.apps.rows import PAGES as ROWS_PAGES
from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.channel.frames import Frame
from liveview.channel.live import LiveChannel, Send
from liveview.static import CONTAINER


class PerUser(LiveView):
    template = (
        '<h1 id="count">{{ count }}</h1><ul>{% for row in rows %}'
        '<li class="{{ row.cls }}">{{ row.text }}</li>{% endfor %}</ul><p>{{ user }}</p>'
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0, rows=[], user=socket.id)
        await socket.subscribe(TOPIC)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        count = info["count"]
        rows = [
            {
                "cls": "even" if (count + i) % 2 == 0 else "odd",
                "text": f"Item {i + 1}: {count * 10 + i}",
            }
            for i in range(10)
        ]
        socket.assign(count=count, rows=rows)


async def join_channels(
    app: LiveViewApp, n: int, send_for: Callable[[str], Send]
) -> list[LiveChannel]:
    """`n` LiveViews of the app's "/" page, each rendered over HTTP and joined with its tokens
    on a channel of its own that writes with `send_for(topic)` (no websocket)."""
    channels = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        for _ in range(n):
            found = CONTAINER.search((await http.get("/")).text)
            assert found is not None
            topic = "lv:" + found["id"]
            payload = {
                "url": "http://bench/",
                "params": {},
                "session": html.unescape(found["session"]),
                "static": html.unescape(found["static"]),
            }
            join = Frame("1", "1", topic, "phx_join", payload)
            channels.append(
                LiveChannel(
                    topic=topic, join=join, config=app.channel_config, send=send_for(topic),
                    root_path="", on_end=lambda channel: None,
                )
            )  # fmt: skip
    return channels


def attach_probe() -> bool:
    """With `BENCH_TELEMETRY=1`, attach a handler that does nothing to every telemetry event;
    True if it did."""
    if os.environ.get("BENCH_TELEMETRY") != "1":
        return False
    from liveview import telemetry

    telemetry.attach(telemetry.EVENTS, lambda event, measurements, metadata: None)
    return True


def rss_kb() -> int:
    """This process's resident memory (VmRSS), in KB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Measured(NamedTuple):
    us_per_diff: list[float]
    """CPU µs per delivered diff, one figure per repeat."""
    bytes_per_diff: float
    """The mean length of the diff frames sent during the rounds."""
    kb_per_liveview: float
    """RSS after the joins minus before, over N."""


async def measure(view: type[LiveView], n: int, rounds: int, repeats: int) -> Measured:
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
    gc.collect()
    per_liveview = (rss_kb() - before) / n
    results, count = [], 0
    sent_bytes = 0
    for _ in range(repeats):
        gc.collect()
        began = time.process_time()
        for _ in range(rounds):
            count += 1
            sent = 0
            done.clear()
            # what a click publishes (the chat shape's message too; the others ignore it)
            await app.pubsub.publish(TOPIC, {"count": count, "message": message(count)})
            await asyncio.wait_for(done.wait(), 60)
        results.append((time.process_time() - began) / (n * rounds) * 1e6)
    for channel in channels:
        await channel.stop()
    await app.close()
    return Measured(results, sent_bytes / (n * rounds * repeats), per_liveview)


async def main() -> None:
    args = [arg for arg in sys.argv[1:] if arg != "--json"]
    as_json = "--json" in sys.argv[1:]
    if attach_probe():
        print("telemetry: a handler that does nothing is attached to every event", flush=True)
    n, rounds, repeats = (int(a) for a in (args + ["1000", "20", "5"][len(args) :])[:3])
    pages: dict[str, type[LiveView]] = {"shared": Bench, "per-user": PerUser}
    chosen = args[3:] or list(pages)
    pages.update({name: SHAPES[name] for name in ("built", "user", "chat")})
    pages.update({f"rows-{name}": page for name, page in ROWS_PAGES.items()})
    for name in chosen:
        measured = await measure(pages[name], n, rounds, repeats)
        results = measured.us_per_diff
        listed = ", ".join(f"{r:.2f}" for r in results)
        best, median = min(results), statistics.median(results)
        if as_json:
            record = {"page": name, "n": n, "rounds": rounds, **measured._asdict()}
            print(json.dumps(record), flush=True)
            continue
        print(
            f"{name}: best {best:.2f} µs/diff, median {median:.2f} ({listed}); "
            f"{measured.bytes_per_diff:.0f} bytes/diff; {measured.kb_per_liveview:.1f} KB/LiveView",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
