"""Pub/sub figures, side by side in one run: publish -> handle_info latency and Redis throughput.

    .venv/bin/python bench/bench_pubsub.py            # starts its own redis-server (loopback)
    .venv/bin/python bench/bench_pubsub.py --redis redis://127.0.0.1:6379/0

Latency: a LiveView (joined in-process through `liveview.testing`, so its mailbox, handle_info
and render all run) records `now - t` for messages carrying their publish time `t`
(CLOCK_MONOTONIC, which every process on the host shares). Messages are paced (one every
`--interval` seconds), so this is latency at light load, not under a queue:

- memory, one process: SingleProcessPubSub.
- Redis, one process: RedisPubSub's local fast path (the LiveView and publisher share a process).
- Redis, two processes: a child process publishes with its own RedisPubSub.
- baseline: the two-process path with redis-py alone (PUBLISH, a plain SUBSCRIBE reader), to
  show what Redis and the machine cost before liveview adds anything.

Throughput: a child process publishes `--count` messages through Redis as fast as `--concurrency`
concurrent publishers can; a plain handler in this process counts them; messages per second is
counted from the first to the last received. Everything stays on loopback; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from liveview import LiveView, LiveViewApp, LiveViewSocket, RedisPubSub  # noqa: E402
from liveview.pubsub import PubSub, SingleProcessPubSub  # noqa: E402
from liveview.testing import LiveViewTestClient, WebSocketClosed  # noqa: E402

TOPIC = "bench"
PREFIX = f"bench-{os.getpid()}:"  # this run's channels, even on a shared Redis
WARMUP = 100
samples: list[int] = []  # nanoseconds, appended by Probe.handle_info
arrived = asyncio.Event()


class Probe(LiveView):
    template = "<p id='n'>{{ n }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.assign(n=0)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        samples.append(time.monotonic_ns() - info["t"])
        arrived.set()
        socket.assign(n=info["n"])


# -- the child process ----------------------------------------------------------------------------


async def child(
    mode: str, url: str, prefix: str, count: int, interval: float, concurrency: int
) -> None:
    """Publish `count` messages: paced (latency), raw (paced, redis-py alone) or flat out."""
    if mode == "raw":
        import redis.asyncio as redis

        async with redis.Redis.from_url(url) as client:
            for _ in range(count):
                await client.publish(prefix + TOPIC, str(time.monotonic_ns()))
                await asyncio.sleep(interval)
        return
    async with RedisPubSub(url, prefix=prefix) as pubsub:
        if mode == "paced":
            for n in range(count):
                await pubsub.publish(TOPIC, {"n": n, "t": time.monotonic_ns()})
                await asyncio.sleep(interval)
            return
        began = time.perf_counter()
        per_worker = count // concurrency

        async def worker(w: int) -> None:
            for n in range(per_worker):
                await pubsub.publish(TOPIC, {"w": w, "n": n})

        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        elapsed = time.perf_counter() - began
        print(f"published {per_worker * concurrency} in {elapsed:.3f}s", flush=True)


def start_child(mode: str, url: str, count: int, interval: float, concurrency: int) -> Any:
    command = [
        sys.executable, __file__, "--child", mode, "--redis", url, "--prefix", PREFIX,
        "--count", str(count),
        "--interval", str(interval), "--concurrency", str(concurrency),
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)


# -- measurements ---------------------------------------------------------------------------------


async def latency(
    pubsub: PubSub,
    count: int,
    publish: Callable[[], Awaitable[None]] | None,
) -> list[int]:
    """Join a Probe on an app using `pubsub`; collect `count` samples after the warm-up.

    `publish` drives the messages; None means it is done elsewhere (a child process).
    """
    samples.clear()
    app = LiveViewApp(routes={"/probe": Probe}, secret="bench", pubsub=pubsub)
    async with LiveViewTestClient(app) as client:
        view = await client.live("/probe")
        drain = asyncio.create_task(_drain(view))
        try:
            if publish is not None:
                await publish()
            deadline = time.monotonic() + 120
            while len(samples) < WARMUP + count:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"only {len(samples)} of {WARMUP + count} arrived")
                arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(arrived.wait(), 5)
        finally:
            drain.cancel()
    return samples[WARMUP : WARMUP + count]


async def _drain(view: Any) -> None:
    """Read the pushes the Probe sends, as a browser would, so its websocket never backs up."""
    with contextlib.suppress(WebSocketClosed):
        while True:
            await view.socket.receive_frame(timeout=3600)


def paced(pubsub: PubSub, count: int, interval: float) -> Callable[[], Awaitable[None]]:
    async def publish() -> None:
        for n in range(WARMUP + count):
            await pubsub.publish(TOPIC, {"n": n, "t": time.monotonic_ns()})
            await asyncio.sleep(interval)

    return publish


async def throughput(url: str, count: int, concurrency: int) -> tuple[float, str]:
    count -= count % concurrency  # each publisher sends as many
    received = 0
    first = last = 0.0
    done = asyncio.Event()

    def count_it(message: Any) -> None:
        nonlocal received, first, last
        received += 1
        last = time.perf_counter()
        if received == 1:
            first = last
        if received == count:
            done.set()

    async with RedisPubSub(url, prefix=PREFIX) as pubsub:
        await pubsub.subscribe(TOPIC, count_it)
        process = start_child("flat", url, count, 0, concurrency)
        try:
            await asyncio.wait_for(done.wait(), 120)
        finally:
            output, _ = await asyncio.to_thread(process.communicate, timeout=60)
    return (count - 1) / (last - first), f"{count} messages, {output.strip()}"


async def baseline(url: str, count: int, interval: float) -> list[int]:
    """The same two-process path with redis-py alone: what Redis and the machine cost."""
    import redis.asyncio as redis

    received: list[int] = []
    async with redis.Redis.from_url(url) as client, client.pubsub() as channel:
        await channel.subscribe(PREFIX + TOPIC)
        process = start_child("raw", url, WARMUP + count, interval, 1)
        deadline = time.monotonic() + 120
        while len(received) < WARMUP + count and time.monotonic() < deadline:
            message = await channel.get_message(ignore_subscribe_messages=True, timeout=1)
            if message is not None:
                received.append(time.monotonic_ns() - int(message["data"]))
        await asyncio.to_thread(process.communicate, timeout=60)
    return received[WARMUP:]


def summary(name: str, values: list[int]) -> str:
    micro = sorted(v / 1000 for v in values)
    p50 = statistics.median(micro)
    p99 = micro[min(len(micro) - 1, int(len(micro) * 0.99))]
    return f"| {name} | {len(micro)} | {p50:.0f} | {p99:.0f} | {micro[-1]:.0f} |"


async def main(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    private = None
    url = args.redis
    if url is None:
        from tests.services import PrivateRedis

        private = PrivateRedis().start()
        url = private.url
    try:
        rows = []
        memory = SingleProcessPubSub()
        rows.append(
            summary(
                "memory, one process",
                await latency(memory, args.count, paced(memory, args.count, args.interval)),
            )
        )
        redis_here = RedisPubSub(url, prefix=PREFIX)
        rows.append(
            summary(
                "Redis, one process (local fast path)",
                await latency(redis_here, args.count, paced(redis_here, args.count, args.interval)),
            )
        )

        children: list[Any] = []

        async def from_child() -> None:
            children.append(start_child("paced", url, WARMUP + args.count, args.interval, 1))

        rows.append(
            summary(
                "Redis, two processes",
                await latency(RedisPubSub(url, prefix=PREFIX), args.count, from_child),
            )
        )
        for process in children:
            await asyncio.to_thread(process.communicate, timeout=60)
        rows.append(
            summary(
                "baseline: redis-py alone, two processes, no LiveView",
                await baseline(url, args.count, args.interval),
            )
        )
        rate, child_says = await throughput(url, args.throughput_count, args.concurrency)
    finally:
        if private is not None:
            private.close()

    redis_version = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True, check=False
    ).stdout.split()[2]
    print(f"# pub/sub bench, {time.strftime('%Y-%m-%d')}")
    print()
    print(
        f"Python {platform.python_version()}, Redis {redis_version.removeprefix('v=')}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}, loopback; "
        f"paced every {args.interval * 1000:.1f} ms, {WARMUP} warm-up messages dropped; "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    print()
    print("publish -> handle_info latency (microseconds)")
    print()
    print("| path | messages | p50 | p99 | max |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print(row)
    print()
    print(
        f"Redis throughput, process to process: {rate:,.0f} messages/s received "
        f"({args.concurrency} concurrent publishers; {child_says})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis", help="use this Redis instead of starting one")
    parser.add_argument("--count", type=int, default=2000, help="latency samples per path")
    parser.add_argument("--interval", type=float, default=0.001, help="seconds between messages")
    parser.add_argument("--throughput-count", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--child", choices=["paced", "raw", "flat"], help=argparse.SUPPRESS)
    parser.add_argument("--prefix", default=PREFIX, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        asyncio.run(
            child(
                arguments.child,
                arguments.redis,
                arguments.prefix,
                arguments.count,
                arguments.interval,
                arguments.concurrency,
            )
        )
    else:
        asyncio.run(main(arguments))
