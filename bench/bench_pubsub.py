"""Pub/sub figures, side by side in one run: publish -> handle_info latency, and throughput, for
the in-process backend, Redis and PostgreSQL.

    .venv/bin/python bench/bench_pubsub.py     # starts its own redis-server and PostgreSQL
    .venv/bin/python bench/bench_pubsub.py --redis redis://127.0.0.1:6379/0 \
        --postgres postgresql://postgres@127.0.0.1/test

Latency: a LiveView (joined in-process through `liveview.testing`, so its mailbox, handle_info
and render all run) records `now - t` for messages carrying their publish time `t`
(CLOCK_MONOTONIC, which every process on the host shares). Messages are paced (one every
`--interval` seconds), so this is latency at light load, not under a queue:

- memory, one process: SingleProcessPubSub.
- Redis, one process: RedisPubSub's local fast path (the LiveView and publisher share a process).
- Redis, two processes: a child process publishes with its own RedisPubSub.
- baseline: the two-process path with redis-py alone (PUBLISH, a plain SUBSCRIBE reader), to
  show what Redis and the machine cost before liveview adds anything.
- the same three for PostgreSQL (PostgresPubSub; the baseline is psycopg alone: pg_notify, a
  plain LISTEN reader with `notifies()`).

Throughput: a child process publishes `--throughput-count` messages through the broker as fast as
`--concurrency` concurrent publishers can; a plain handler in this process counts them; messages
per second is counted from the first to the last received. Everything stays on loopback; every
loop is bounded.
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

from liveview import (  # noqa: E402
    LiveView,
    LiveViewApp,
    LiveViewSocket,
    PostgresPubSub,
    RedisPubSub,
)
from liveview.pubsub import PubSub, SingleProcessPubSub  # noqa: E402
from liveview.testing import LiveViewTestClient, WebSocketClosed  # noqa: E402

TOPIC = "bench"
PREFIX = f"bench-{os.getpid()}:"  # this run's channels, even on a shared broker
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


def make(backend: str, url: str, prefix: str = PREFIX) -> PubSub:
    if backend == "postgres":
        return PostgresPubSub(url, prefix=prefix)
    return RedisPubSub(url, prefix=prefix)


# -- the child process ----------------------------------------------------------------------------


async def child(
    mode: str,
    backend: str,
    url: str,
    prefix: str,
    count: int,
    interval: float,
    concurrency: int,
) -> None:
    """Publish `count` messages: paced (latency), raw (paced, the client library alone) or flat
    out."""
    if mode == "raw" and backend == "postgres":
        import psycopg

        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
            for _ in range(count):
                await connection.execute(
                    "SELECT pg_notify(%s, %s)", (prefix + TOPIC, str(time.monotonic_ns()))
                )
                await asyncio.sleep(interval)
        return
    if mode == "raw":
        import redis.asyncio as redis

        async with redis.Redis.from_url(url) as client:
            for _ in range(count):
                await client.publish(prefix + TOPIC, str(time.monotonic_ns()))
                await asyncio.sleep(interval)
        return
    async with make(backend, url, prefix) as pubsub:
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


def start_child(
    mode: str, backend: str, url: str, count: int, interval: float, concurrency: int
) -> Any:
    command = [
        sys.executable, __file__, "--child", mode, f"--{backend}", url, "--prefix", PREFIX,
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


async def throughput(backend: str, url: str, count: int, concurrency: int) -> tuple[float, str]:
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

    async with make(backend, url) as pubsub:
        await pubsub.subscribe(TOPIC, count_it)
        process = start_child("flat", backend, url, count, 0, concurrency)
        try:
            await asyncio.wait_for(done.wait(), 120)
        finally:
            output, _ = await asyncio.to_thread(process.communicate, timeout=60)
    return (count - 1) / (last - first), f"{count} messages, {output.strip()}"


async def baseline_postgres(url: str, count: int, interval: float) -> list[int]:
    """The same two-process path with psycopg alone: what PostgreSQL and the machine cost."""
    import psycopg

    received: list[int] = []
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        await connection.execute(f'LISTEN "{PREFIX}{TOPIC}"')
        process = start_child("raw", "postgres", url, WARMUP + count, interval, 1)
        deadline = time.monotonic() + 120
        while len(received) < WARMUP + count and time.monotonic() < deadline:
            async for notification in connection.notifies(timeout=1):
                received.append(time.monotonic_ns() - int(notification.payload))
                if len(received) == WARMUP + count:
                    break
        await asyncio.to_thread(process.communicate, timeout=60)
    return received[WARMUP:]


async def baseline(url: str, count: int, interval: float) -> list[int]:
    """The same two-process path with redis-py alone: what Redis and the machine cost."""
    import redis.asyncio as redis

    received: list[int] = []
    async with redis.Redis.from_url(url) as client, client.pubsub() as channel:
        await channel.subscribe(PREFIX + TOPIC)
        process = start_child("raw", "redis", url, WARMUP + count, interval, 1)
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


async def broker_rows(
    backend: str, name: str, url: str, args: argparse.Namespace
) -> tuple[list[str], float, str]:
    """Latency rows (one process, two processes, the client library alone) and throughput."""
    rows = []
    here = make(backend, url)
    rows.append(
        summary(
            f"{name}, one process (local fast path)",
            await latency(here, args.count, paced(here, args.count, args.interval)),
        )
    )
    children: list[Any] = []

    async def from_child() -> None:
        children.append(start_child("paced", backend, url, WARMUP + args.count, args.interval, 1))

    rows.append(
        summary(f"{name}, two processes", await latency(make(backend, url), args.count, from_child))
    )
    for process in children:
        await asyncio.to_thread(process.communicate, timeout=60)
    if backend == "postgres":
        alone = "baseline: psycopg alone, two processes, no LiveView"
        rows.append(summary(alone, await baseline_postgres(url, args.count, args.interval)))
    else:
        alone = "baseline: redis-py alone, two processes, no LiveView"
        rows.append(summary(alone, await baseline(url, args.count, args.interval)))
    rate, child_says = await throughput(backend, url, args.throughput_count, args.concurrency)
    return rows, rate, child_says


def server_version(command: list[str], field: int) -> str:
    output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    return output.split()[field]


async def main(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    private: list[Any] = []
    redis_url, postgres_dsn = args.redis, args.postgres
    try:
        if redis_url is None:
            from tests.services import PrivateRedis

            private.append(PrivateRedis().start())
            redis_url = private[-1].url
        if postgres_dsn is None:
            from tests.services import PrivatePostgres

            private.append(PrivatePostgres().start())
            postgres_dsn = private[-1].dsn
        memory = SingleProcessPubSub()
        rows = [
            summary(
                "memory, one process",
                await latency(memory, args.count, paced(memory, args.count, args.interval)),
            )
        ]
        redis_rows, redis_rate, redis_says = await broker_rows("redis", "Redis", redis_url, args)
        postgres_rows, postgres_rate, postgres_says = await broker_rows(
            "postgres", "PostgreSQL", postgres_dsn, args
        )
        rows += redis_rows + postgres_rows
    finally:
        for service in private:
            service.close()

    from tests.services import find_postgres_binary

    redis_version = server_version(["redis-server", "--version"], 2).removeprefix("v=")
    postgres_version = server_version([find_postgres_binary("postgres"), "--version"], 2)
    print(f"# pub/sub bench, {time.strftime('%Y-%m-%d')}")
    print()
    print(
        f"Python {platform.python_version()}, Redis {redis_version}, "
        f"PostgreSQL {postgres_version}, {os.cpu_count()} CPUs, {platform.machine()}, loopback; "
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
    print("Throughput, process to process, messages/s received:")
    print()
    print(f"- Redis: {redis_rate:,.0f} ({args.concurrency} concurrent publishers; {redis_says})")
    print(
        f"- PostgreSQL: {postgres_rate:,.0f} ({args.concurrency} concurrent publishers; "
        f"{postgres_says})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis", help="use this Redis instead of starting one")
    parser.add_argument("--postgres", help="use this PostgreSQL (a DSN) instead of starting one")
    parser.add_argument("--count", type=int, default=2000, help="latency samples per path")
    parser.add_argument("--interval", type=float, default=0.001, help="seconds between messages")
    parser.add_argument("--throughput-count", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--child", choices=["paced", "raw", "flat"], help=argparse.SUPPRESS)
    parser.add_argument("--prefix", default=PREFIX, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        backend = "postgres" if arguments.postgres else "redis"
        asyncio.run(
            child(
                arguments.child,
                backend,
                arguments.postgres or arguments.redis,
                arguments.prefix,
                arguments.count,
                arguments.interval,
                arguments.concurrency,
            )
        )
    else:
        asyncio.run(main(arguments))
