"""LiveViews fed through RedisPubSub: outside publishers reach pages, Redis outages are survived,
and connections do not leak.

Pages are driven in-process by `liveview.testing.LiveViewTestClient`; Redis is real. Tests that
stop Redis or count its clients use a redis-server of their own (`start_private_redis`).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as redis

from liveview import (
    LiveView,
    LiveViewApp,
    LiveViewSocket,
    PubSubGap,
    PubSubUnavailable,
    RedisPubSub,
)
from liveview.testing import LiveViewTestClient
from tests.services import PrivateRedis

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 5.0


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
        if isinstance(info, PubSubGap):
            socket.assign(status=f"gap on {info.topic}: reloaded")
        else:
            socket.assign(lines=[*socket.assigns.lines, info["text"]])


def feed_app(pubsub: RedisPubSub) -> LiveViewApp:
    return LiveViewApp(routes={"/feed/{topic}": Feed}, secret="s", pubsub=pubsub)


def topic() -> str:
    return f"news-{uuid.uuid4().hex[:8]}"


async def run(*command: str) -> str:
    """Run a program to completion; its stdout, or a failure showing its output."""
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    text = output.decode(errors="replace")
    assert process.returncode == 0, f"{command} exited with {process.returncode}:\n{text}"
    return text


def redis_cli() -> str:
    found = shutil.which("redis-cli")
    if found is None:
        pytest.fail(
            "redis-cli not found: install it (Debian/Ubuntu: `apt-get install redis-tools`, "
            "which the redis-server package that `scripts/setup --services` installs depends on)"
        )
    return found


# -- outside publishers --------------------------------------------------------------------------


async def test_redis_cli_publish_in_the_documented_format_reaches_a_page(
    start_private_redis: Callable[[], PrivateRedis],
) -> None:
    cli = redis_cli()
    server = start_private_redis()
    async with LiveViewTestClient(feed_app(RedisPubSub(server.url))) as client:
        view = await client.live("/feed/counter")
        address = ["-h", "127.0.0.1", "-p", str(server.port)]
        # As in the README: the bare message ...
        receivers = await run(cli, *address, "PUBLISH", "liveview:counter", '{"text": "bare"}')
        assert receivers.strip() == "1"
        await view.wait_for(lambda html: "<li>bare</li>" in html)
        # ... or the envelope
        envelope = '{"topic": "counter", "message": {"text": "wrapped"}}'
        await run(cli, *address, "PUBLISH", "liveview:counter", envelope)
        await view.wait_for(lambda html: "<li>wrapped</li>" in html)
        # ... and what is not JSON is dropped, the page lives on
        await run(cli, *address, "PUBLISH", "liveview:counter", "not json")
        await run(cli, *address, "PUBLISH", "liveview:counter", '{"text": "still here"}')
        html = await view.wait_for(lambda html: "<li>still here</li>" in html)
        assert html.count("<li>") == 3


async def test_a_python_script_publishing_with_redis_pubsub_reaches_a_page(
    redis_url: str,
) -> None:
    prefix, name = f"test-{uuid.uuid4().hex[:8]}:", topic()
    script = (
        "import asyncio, sys\n"
        "from liveview import RedisPubSub\n"
        "async def main():\n"
        "    async with RedisPubSub(sys.argv[1], prefix=sys.argv[2]) as pubsub:\n"
        "        await pubsub.publish(sys.argv[3], {'text': 'from a script'})\n"
        "asyncio.run(main())\n"
    )
    async with LiveViewTestClient(feed_app(RedisPubSub(redis_url, prefix=prefix))) as client:
        view = await client.live(f"/feed/{name}")
        await run(sys.executable, "-c", script, redis_url, prefix, name)
        await view.wait_for(lambda html: "<li>from a script</li>" in html)


async def test_the_liveview_publish_command_reaches_a_page(redis_url: str) -> None:
    prefix, name = f"test-{uuid.uuid4().hex[:8]}:", topic()
    async with LiveViewTestClient(feed_app(RedisPubSub(redis_url, prefix=prefix))) as client:
        view = await client.live(f"/feed/{name}")
        await run(
            sys.executable, "-m", "liveview.cli", "publish", name, '{"text": "from the CLI"}',
            "--redis", redis_url, "--prefix", prefix,
        )  # fmt: skip
        await view.wait_for(lambda html: "<li>from the CLI</li>" in html)


@pytest.mark.parametrize(
    ("arguments", "code", "says"),
    [
        (["t", "{not json", "--redis", "redis://127.0.0.1:1"], 2, "the message is not JSON"),
        (["t", "1", "--redis", "postgresql://x/y"], 2, "not a Redis URL"),
        (["t", "1"], 2, "--redis URL"),
        (["t", "1", "--redis", "http://x"], 2, "not a Redis URL"),
        (["", "1", "--redis", "redis://127.0.0.1:1"], 2, "TOPIC must not be empty"),
        (["t", "1", "--redis", "redis://127.0.0.1:1/0"], 1, "cannot reach Redis at"),
    ],
)
async def test_the_liveview_publish_command_explains_failures(
    arguments: list[str], code: int, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LIVEVIEW_PUBSUB_URL", raising=False)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "liveview.cli", "publish", *arguments,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, errors = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == code
    assert says in errors.decode()
    assert "Traceback" not in errors.decode()


# -- Redis going away ----------------------------------------------------------------------------


async def test_pages_survive_redis_going_away_and_hear_of_the_gap(
    start_private_redis: Callable[[], PrivateRedis],
) -> None:
    server = start_private_redis()
    app = feed_app(RedisPubSub(server.url))
    outside = RedisPubSub(server.url)  # another process, as far as Redis can tell
    async with LiveViewTestClient(app) as client, outside:
        view = await client.live("/feed/news")
        await outside.publish("news", {"text": "one"})
        await view.wait_for(lambda html: "<li>one</li>" in html)

        server.stop()
        await asyncio.sleep(0.1)  # a server's event loop sees the connections close
        for publisher in (outside, app.pubsub):
            began = time.monotonic()
            with pytest.raises(PubSubUnavailable):
                await publisher.publish("news", {"text": "lost"})
            assert time.monotonic() - began < 2.0
        # pages are still served and joined meanwhile; their subscriptions wait for Redis
        assert (await client.get("/feed/news")).status_code == 200
        later = await client.live("/feed/news")
        assert 'id="status">live<' in later.html.replace("\n", "")

        await asyncio.sleep(1.5)  # long enough for the reconnection to back off fully
        server.start()
        back = time.monotonic()
        for page in (view, later):
            await page.wait_for(lambda html: "gap on news: reloaded" in html, timeout=2.0)
        assert time.monotonic() - back < 2.0

        deadline = time.monotonic() + TIMEOUT
        while True:  # the publisher's connection comes back on its next publish
            try:
                await outside.publish("news", {"text": "two"})
                break
            except PubSubUnavailable:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
        for page in (view, later):
            await page.wait_for(lambda html: "<li>two</li>" in html)
        assert "lost" not in view.html


# -- no leaks ------------------------------------------------------------------------------------


async def test_no_connection_leak_after_200_liveviews_subscribe_and_leave(
    start_private_redis: Callable[[], PrivateRedis],
) -> None:
    server = start_private_redis()
    pubsub = RedisPubSub(server.url)
    async with redis.Redis.from_url(server.url) as admin:

        async def others() -> list[dict[str, Any]]:
            me = await admin.client_id()
            return [c for c in await admin.client_list() if int(c["id"]) != me]

        async with LiveViewTestClient(feed_app(pubsub)) as client:
            before = await others()
            assert sorted(c["name"] for c in before) == ["liveview-listen", "liveview-publish"]
            views = [await client.live(f"/feed/topic-{n % 50}") for n in range(200)]
            assert pubsub.subscription_count == 200
            assert len(await admin.pubsub_channels("liveview:*")) == 50
            await pubsub.publish("topic-7", {"text": "to four"})
            for n in (7, 57, 107, 157):
                await views[n].wait_for(lambda html: "<li>to four</li>" in html)
            assert len(await others()) == 2

            for view in views:
                await view.leave()
            deadline = time.monotonic() + TIMEOUT
            while pubsub.subscription_count or await admin.pubsub_channels("liveview:*"):
                assert time.monotonic() < deadline, "subscriptions left behind"
                await asyncio.sleep(0.02)
            after = await others()
            assert [c["id"] for c in after] == [c["id"] for c in before]  # the same two
        assert await others() == []  # and none once the app has shut down
