"""docs/pubsub.md's publish-from-a-script sample, run as a script runs it (`__name__` is
`"__main__"`) against a real Redis (only the URL is the test server's): a LiveView-side
subscriber on the same Redis receives it."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from liveview import RedisPubSub
from tests.docs.pages import python_blocks

SAMPLE_URL = "redis://127.0.0.1:6379/0"


def test_publishing_from_a_script_reaches_a_subscriber(redis_url: str) -> None:
    (block,) = [b for b in python_blocks("pubsub.md") if "async with RedisPubSub" in b.code]
    code = block.code
    assert SAMPLE_URL in code
    received: list[Any] = []
    subscribed, got = threading.Event(), threading.Event()

    async def subscriber() -> None:
        async with RedisPubSub(redis_url) as pubsub:

            def handle(message: Any) -> None:
                received.append(message)
                got.set()

            await pubsub.subscribe("shared-counter", handle)
            subscribed.set()
            for _ in range(100):  # at most 10 s
                if got.is_set():
                    return
                await asyncio.sleep(0.1)

    thread = threading.Thread(target=asyncio.run, args=(subscriber(),))
    thread.start()
    assert subscribed.wait(10)
    # the sample's own asyncio.run, in this thread, as a script runs it
    source = code.replace(SAMPLE_URL, redis_url)
    exec(compile(source, "docs/pubsub.md", "exec", dont_inherit=True), {"__name__": "__main__"})
    thread.join(15)
    assert received == [{"count": 5}]
