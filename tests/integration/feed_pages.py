"""LiveView pages fed by a pub/sub broker, and what they do alike on Redis and PostgreSQL.

`test_redis_pages.py` and `test_postgres_pages.py` drive the same `Feed` page through their own
broker and outside tools; the steps that read the same for both are written once here.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket, PubSubUnavailable
from liveview.pubsub import PubSub
from liveview.testing import LiveViewTestClient
from tests.integration.broker_cases import TIMEOUT, publish_soon

ROOT = Path(__file__).resolve().parents[2]


class Feed(LiveView):
    """Shows what arrives on the topic named in the URL, and the gap notices it gets."""

    template = """
    <p id="status">{{ status }}</p>
    <ul>{% for text in lines %}<li>{{ text }}</li>{% endfor %}</ul>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(params["topic"])
        socket.assign(lines=[], status="live")

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(lines=[*socket.assigns.lines, info["text"]])

    async def handle_gap(self, topic: str | None, socket: LiveViewSocket) -> None:
        socket.assign(status=f"gap on {topic}: reloaded")


def feed_app(pubsub: PubSub, more: dict[str, type[LiveView]] | None = None) -> LiveViewApp:
    """`Feed` at /feed/{topic}, and the `more` routes a backend's tests add."""
    return LiveViewApp(routes={"/feed/{topic}": Feed, **(more or {})}, secret="s", pubsub=pubsub)


def topic() -> str:
    return f"news-{uuid.uuid4().hex[:8]}"


async def run(*command: str, env: dict[str, str] | None = None) -> str:
    """Run a program to completion; its stdout, or a failure showing its output."""
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=None if env is None else {**os.environ, **env},
    )
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    text = output.decode(errors="replace")
    assert process.returncode == 0, f"{command} exited with {process.returncode}:\n{text}"
    return text


async def the_publish_command(*arguments: str, env: dict[str, str] | None = None) -> str:
    """`liveview publish ...` as a user runs it; fails the test if it fails."""
    return await run(sys.executable, "-m", "liveview.cli", "publish", *arguments, env=env)


async def a_script_reaches_a_page(
    app: LiveViewApp, kind: type[PubSub], url: str, prefix: str
) -> None:
    """A Python script of its own, publishing with `kind`, reaches a page of `app`."""
    name = kind.__name__
    script = (
        "import asyncio, sys\n"
        f"from liveview import {name}\n"
        "async def main():\n"
        f"    async with {name}(sys.argv[1], prefix=sys.argv[2]) as pubsub:\n"
        "        await pubsub.publish(sys.argv[3], {'text': 'from a script'})\n"
        "asyncio.run(main())\n"
    )
    feed = topic()
    async with LiveViewTestClient(app) as client:
        view = await client.live(f"/feed/{feed}")
        await run(sys.executable, "-c", script, url, prefix, feed)
        await view.wait_for(lambda html: "<li>from a script</li>" in html)


async def the_publish_command_fails(arguments: list[str], code: int, says: str) -> None:
    """`liveview publish` exits with `code` and says `says`, without a traceback."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "liveview.cli", "publish", *arguments,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, errors = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == code, errors.decode()
    assert says in errors.decode()
    assert "Traceback" not in errors.decode()


async def pages_survive_an_outage(
    app: LiveViewApp,
    outside: PubSub,
    stop: Callable[[], object],
    start: Callable[[], object],
    back_within: float,
) -> None:
    """The broker goes away (`stop`) and comes back (`start`): pages are served and joined
    meanwhile, publishing fails fast, every page hears of the gap within `back_within` seconds,
    and messages reach the pages again. `outside` is another process on the same broker."""
    async with LiveViewTestClient(app) as client, outside:
        view = await client.live("/feed/news")
        await outside.publish("news", {"text": "one"})
        await view.wait_for(lambda html: "<li>one</li>" in html)

        stop()
        await asyncio.sleep(0.1)  # the event loop sees the connections close
        for publisher in (outside, app.pubsub):
            began = time.monotonic()
            with pytest.raises(PubSubUnavailable):
                await publisher.publish("news", {"text": "lost"})
            assert time.monotonic() - began < 2.0
        # pages are still served and joined meanwhile; their subscriptions wait for the broker
        assert (await client.get("/feed/news")).status_code == 200
        later = await client.live("/feed/news")
        assert 'id="status">live<' in later.html.replace("\n", "")

        await asyncio.sleep(1.5)  # long enough for the reconnection to back off fully
        start()
        back = time.monotonic()
        for page in (view, later):
            await page.wait_for(lambda html: "gap on news: reloaded" in html, timeout=back_within)
        assert time.monotonic() - back < back_within

        # the publisher's connection comes back on its next publish
        await publish_soon(outside, "news", {"text": "two"})
        for page in (view, later):
            await page.wait_for(lambda html: "<li>two</li>" in html)
        assert "lost" not in view.html


Connections = Callable[[], Awaitable[list[tuple[Any, str]]]]
"""The broker's other client connections, as (id, name) pairs."""


async def no_connection_leak_after_200_liveviews(
    pubsub: PubSub,
    connections: Connections,
    channels: Callable[[], Awaitable[int]] | None = None,
    shutdown_grace: float = 0.0,
) -> None:
    """200 LiveViews on 50 topics share the app's two connections (and `channels()` counts the
    50 topics at the broker, where it can); after they leave, the same two connections remain,
    and none `shutdown_grace` seconds after the app has shut down."""
    async with LiveViewTestClient(feed_app(pubsub)) as client:
        before = await connections()
        assert sorted(name for _, name in before) == ["liveview-listen", "liveview-publish"]
        views = [await client.live(f"/feed/topic-{n % 50}") for n in range(200)]
        assert pubsub.subscription_count == 200
        if channels is not None:
            assert await channels() == 50
        await pubsub.publish("topic-7", {"text": "to four"})
        for n in (7, 57, 107, 157):
            await views[n].wait_for(lambda html: "<li>to four</li>" in html)
        assert await connections() == before

        for view in views:
            await view.leave()
        deadline = time.monotonic() + TIMEOUT
        while pubsub.subscription_count or (channels is not None and await channels()):
            assert time.monotonic() < deadline, "subscriptions left behind"
            await asyncio.sleep(0.02)
        assert await connections() == before  # the same two connections
    deadline = time.monotonic() + shutdown_grace
    while left := await connections():  # and none once the app has shut down
        assert time.monotonic() < deadline, f"connections left behind: {left}"
        await asyncio.sleep(0.02)
