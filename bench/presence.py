"""Presence under a crowd: USERS join one topic within SPREAD seconds while PAGES LiveViews,
subscribed to it, show how many are online.

The pages are real LiveViews joined over the in-process test client (`liveview.testing`: the
app's real websocket endpoint, no network), split over NODES apps, each with a pub/sub of its
own on the broker: NODES presence nodes in one process, talking through Redis or PostgreSQL as
separate processes would. Users are tracked with `app.presence.track`, one every SPREAD/USERS
seconds, alternating between nodes. Each page mounts with `list` and applies every
`presence_diff` with `sync_diff`, rendering the count of users online.

Printed (and with --json, one JSON object):
- presence frames and bytes delivered to the pages (websocket frames after the join);
- seconds from the first join until every page shows USERS;
- renders per page, and their ratio to joins (joins coalesced per `broadcast_period`);
- replication messages on the broker during the joins, and per node per second at idle (an
  outside subscriber counts them on the presence topic, for IDLE seconds after settling).

    .venv/bin/python bench/presence.py [--backend redis|postgres|memory] [--url URL]
        [--users 1000] [--pages 1000] [--nodes 2] [--spread 1.0] [--idle 5] [--json]

`memory` is one node (SingleProcessPubSub). Loopback only; bounded loops.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from liveview import (
    LiveView,
    LiveViewApp,
    LiveViewSocket,
    PostgresPubSub,
    RedisPubSub,
    SingleProcessPubSub,
    sync_diff,
)
from liveview.presence import wire
from liveview.pubsub import PubSub
from liveview.testing import LiveViewTest, LiveViewTestClient

TOPIC = "presence-bench"
SECRET = "presence-bench"


class Who(LiveView):
    template = '<p id="online">{{ online }} online</p>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        self.listing = await socket.presence.list(TOPIC)
        socket.assign(online=len(self.listing))

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if isinstance(info, dict) and info.get("event") == "presence_diff":
            self.listing = sync_diff(self.listing, info)
            socket.assign(online=len(self.listing))


class PageCounter:
    """Drains one page's websocket: frames, bytes, and when it first showed `target`."""

    def __init__(self, view: LiveViewTest, target: int) -> None:
        self.view = view
        self.target = target
        self.frames = 0
        self.bytes = 0
        self.done = asyncio.Event()
        self.task = asyncio.create_task(self.run())

    async def run(self) -> None:
        want = f"{self.target} online"
        while True:
            message = await self.view.socket.receive_message(timeout=3600)
            self.frames += 1
            self.bytes += len(message)
            frame = orjson.loads(message)
            if frame[3] == "diff":
                self.view.apply(frame[4])
            if want in self.view.html:
                self.done.set()


def make_pubsub(backend: str, url: str | None, prefix: str) -> PubSub:
    if backend == "redis":
        return RedisPubSub(url or "redis://127.0.0.1:6379/0", prefix=prefix)
    if backend == "postgres":
        return PostgresPubSub(url or "postgresql://postgres@127.0.0.1/test", prefix=prefix)
    return SingleProcessPubSub()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    nodes = 1 if args.backend == "memory" else args.nodes
    prefix = f"bench-{uuid.uuid4().hex[:8]}:"
    apps = [
        LiveViewApp(
            routes={"/who": Who}, secret=SECRET, pubsub=make_pubsub(args.backend, args.url, prefix)
        )
        for _ in range(nodes)
    ]
    for app in apps:
        app.idle_sweeper.timeout = 3600  # the test client sends no heartbeats
    counted: dict[str, int] = {}
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(LiveViewTestClient(app)) for app in apps]
        for app in apps:
            await app.presence.start()
        outside: PubSub | None = None
        if args.backend != "memory":
            outside = make_pubsub(args.backend, args.url, prefix)
            await outside.start()
            stack.push_async_callback(outside.close)

            def count(message: Any) -> None:
                if isinstance(message, dict) and isinstance(message.get("node"), str):
                    counted[message["node"]] = counted.get(message["node"], 0) + 1

            await outside.subscribe(wire.control_topic(apps[0].presence.namespace), count)

        views = []
        for n in range(args.pages):
            views.append(await clients[n % nodes].live("/who"))
        pages = [PageCounter(view, args.users) for view in views]
        await asyncio.sleep(1.0)  # joins settled; their frames are not presence frames
        for page in pages:
            page.frames = page.bytes = 0
        counted.clear()

        started = time.monotonic()
        for user in range(args.users):
            due = started + user * args.spread / args.users
            if (delay := due - time.monotonic()) > 0:
                await asyncio.sleep(delay)
            presence = apps[user % nodes].presence
            await presence.track(TOPIC, f"user-{user}", {"name": f"User {user}"}, owner=f"u{user}")
        joined = time.monotonic() - started
        await asyncio.wait_for(asyncio.gather(*(p.done.wait() for p in pages)), timeout=300)
        settled = time.monotonic() - started
        await asyncio.sleep(1.0)  # late frames, if any, are counted too
        join_messages = sum(counted.values())

        counted.clear()
        idle_start = time.monotonic()
        await asyncio.sleep(args.idle)
        idle = time.monotonic() - idle_start
        per_node = {node: count / idle for node, count in counted.items()}
        for page in pages:
            page.task.cancel()
        frames = sum(p.frames for p in pages)
        total_bytes = sum(p.bytes for p in pages)
        renders = frames / len(pages)
    return {
        "backend": args.backend,
        "nodes": nodes,
        "users": args.users,
        "pages": args.pages,
        "spread_s": args.spread,
        "joins_took_s": round(joined, 3),
        "every_page_lists_all_after_s": round(settled, 3),
        "presence_frames": frames,
        "presence_bytes": total_bytes,
        "renders_per_page": round(renders, 2),
        "renders_per_join": round(renders / args.users, 4),
        "broker_messages_during_joins": join_messages,
        "idle_messages_per_node_per_s": sorted(round(v, 2) for v in per_node.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["redis", "postgres", "memory"], default="redis")
    parser.add_argument("--url")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--spread", type=float, default=1.0)
    parser.add_argument("--idle", type=float, default=5.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
