"""A presence node in a process of its own, for tests that kill it (SIGKILL) or run it apart.

    python -m tests.presence_node redis|postgres URL PREFIX TOPIC COUNT HEARTBEAT

Tracks COUNT users on TOPIC and then waits, heartbeating, until killed.
"""

from __future__ import annotations

import asyncio
import sys

from liveview import PostgresPubSub, Presence, RedisPubSub
from liveview.pubsub import PubSub


async def main(backend: str, url: str, prefix: str, topic: str, count: int, beat: float) -> None:
    pubsub: PubSub = (
        RedisPubSub(url, prefix=prefix)
        if backend == "redis"
        else PostgresPubSub(url, prefix=prefix)
    )
    await pubsub.start()
    presence = Presence(pubsub, heartbeat_interval=beat, node_timeout=beat * 5)
    await presence.start()
    for i in range(count):
        await presence.track(topic, f"child-{i}", {"i": i}, owner=f"page-{i}")
    await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    backend, url, prefix, topic, count, beat = sys.argv[1:7]
    asyncio.run(main(backend, url, prefix, topic, int(count), float(beat)))
