"""LiveViews fed through RedisPubSub: outside publishers reach pages, Redis outages are survived,
and connections do not leak.

Pages are driven in-process by `liveview.testing.LiveViewTestClient`; Redis is real. Tests that
stop Redis or count its clients use a redis-server of their own (`start_private_redis`).
The page and the steps PostgreSQL shares are in `feed_pages`.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis.asyncio as redis

from liveview import RedisPubSub
from liveview.testing import LiveViewTestClient
from tests.integration.feed_pages import (
    a_script_reaches_a_page,
    feed_app,
    no_connection_leak_after_200_liveviews,
    pages_survive_an_outage,
    run,
    the_publish_command,
    the_publish_command_fails,
    topic,
)
from tests.services import PrivateRedis


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
        # As in docs/pubsub.md: the bare message ...
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
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    app = feed_app(RedisPubSub(redis_url, prefix=prefix))
    await a_script_reaches_a_page(app, RedisPubSub, redis_url, prefix)


async def test_the_liveview_publish_command_reaches_a_page(redis_url: str) -> None:
    prefix, name = f"test-{uuid.uuid4().hex[:8]}:", topic()
    async with LiveViewTestClient(feed_app(RedisPubSub(redis_url, prefix=prefix))) as client:
        view = await client.live(f"/feed/{name}")
        message = '{"text": "from the CLI"}'
        await the_publish_command(name, message, "--redis", redis_url, "--prefix", prefix)
        await view.wait_for(lambda html: "<li>from the CLI</li>" in html)


@pytest.mark.parametrize(
    ("arguments", "code", "says"),
    [
        (["t", "{not json", "--redis", "redis://127.0.0.1:1"], 2, "the message is not JSON"),
        # not a float with digits lost: refused like publish() refuses the int
        (
            ["t", '{"n": 123456789012345678901234567890}', "--redis", "redis://127.0.0.1:1"],
            2,
            "message['n'] is an int outside the signed 64-bit range",
        ),
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
    await the_publish_command_fails(arguments, code, says)


# -- Redis going away ----------------------------------------------------------------------------


async def test_pages_survive_redis_going_away_and_hear_of_the_gap(
    start_private_redis: Callable[[], PrivateRedis],
) -> None:
    server = start_private_redis()
    app = feed_app(RedisPubSub(server.url))
    outside = RedisPubSub(server.url)  # another process, as far as Redis can tell
    await pages_survive_an_outage(app, outside, server.stop, server.start, back_within=2.0)


# -- no leaks ------------------------------------------------------------------------------------


async def test_no_connection_leak_after_200_liveviews_subscribe_and_leave(
    start_private_redis: Callable[[], PrivateRedis],
) -> None:
    server = start_private_redis()
    async with redis.Redis.from_url(server.url) as admin:

        async def connections() -> list[tuple[Any, str]]:
            me = await admin.client_id()
            return [(c["id"], c["name"]) for c in await admin.client_list() if int(c["id"]) != me]

        async def channels() -> int:
            return len(await admin.pubsub_channels("liveview:*"))

        await no_connection_leak_after_200_liveviews(RedisPubSub(server.url), connections, channels)
