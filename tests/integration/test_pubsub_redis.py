"""RedisPubSub against a real redis-server: the backend contract, the wire format, connections,
and what happens when Redis goes away and comes back.

Tests on the shared Redis (`redis_url`) use a fresh channel prefix each, so they neither see nor
disturb anyone else's messages; tests that stop Redis or count its clients start their own.
What PostgresPubSub does alike is written once in `broker_cases`; `RedisBroker` runs it here.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import orjson
import pytest
import redis.asyncio as redis

from liveview import PubSubUnavailable, RedisPubSub
from liveview.pubsub import PubSub, SingleProcessPubSub, from_url
from tests.integration.broker_cases import (
    TIMEOUT,
    Broker,
    BrokerCases,
    Payload,
    inbox,
    survive_an_outage,
)
from tests.pubsub_contract import PubSubContract
from tests.services import PrivateRedis


class RedisBroker(Broker[RedisPubSub]):
    """How the shared cases in `broker_cases` reach Redis."""

    name, ping = "Redis", "PING"

    @staticmethod
    def fresh_prefix() -> str:
        return f"test-{uuid.uuid4().hex[:12]}:"

    def make(self, url: str, **options: Any) -> RedisPubSub:
        return RedisPubSub(url, **options)

    @asynccontextmanager
    async def outside(self, url: str | None = None) -> AsyncIterator[RedisOutside]:
        async with redis.Redis.from_url(url or self.shared_url) as connection:
            yield RedisOutside(connection)

    @asynccontextmanager
    async def publisher_hangs(self, url: str) -> AsyncIterator[None]:
        async with redis.Redis.from_url(url) as admin:
            await admin.execute_command("CLIENT", "PAUSE", "3000", "ALL")
            try:
                yield
            finally:
                await admin.execute_command("CLIENT", "UNPAUSE")

    async def silence_listener(self, url: str, until: Callable[[], Awaitable[object]]) -> None:
        """Redis is one process: it is frozen whole, then thawed for liveview to reconnect."""
        async with redis.Redis.from_url(url) as admin:
            pid = int((await admin.info("server"))["process_id"])
        # A frozen server: connections stay open, nothing closes them, nobody answers.
        os.kill(pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(1.0)
        finally:
            os.kill(pid, signal.SIGCONT)
        await until()


class RedisOutside:
    """An outside program on a Redis, as the shared cases drive one."""

    def __init__(self, connection: redis.Redis) -> None:
        self.connection = connection

    async def send(self, channel: str, payload: Payload) -> None:
        await self.connection.publish(channel, payload)

    async def cut_listener(self) -> None:
        await self.connection.client_kill_filter(_type="pubsub")


@pytest.fixture
async def broker(
    redis_url: str, start_private_redis: Callable[[], PrivateRedis]
) -> AsyncIterator[RedisBroker]:
    broker = RedisBroker(redis_url, lambda: start_private_redis().url)
    yield broker
    await broker.close()


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.Redis]:
    """A plain redis-py client: an outside program on the same Redis."""
    connection = redis.Redis.from_url(redis_url)
    yield connection
    await connection.aclose()


async def clients(url: str) -> list[dict[str, Any]]:
    """CLIENT LIST of a Redis, without the connection asking."""
    async with redis.Redis.from_url(url) as admin:
        me = await admin.client_id()
        listed = await admin.client_list()
    return [c for c in listed if int(c["id"]) != me]


# -- the contract -----------------------------------------------------------------------------


class TestRedisPubSubContract(PubSubContract):
    @pytest.fixture
    def make_pubsub(self, redis_url: str) -> Callable[[], PubSub]:
        prefix = RedisBroker.fresh_prefix()
        return lambda: RedisPubSub(redis_url, prefix=prefix)


# -- what PostgreSQL does alike ---------------------------------------------------------------


class TestRedisBroker(BrokerCases):
    outside_payloads = (
        (b'{"type": "inc", "by": 2}', {"type": "inc", "by": 2}),  # a bare message
        (b'{"topic": "t", "message": {"type": "inc"}}', {"type": "inc"}),  # an envelope
        (b'{"topic": "t", "message": 1, "origin": null, "exclude": "x"}', 1),
        (b'"just text"', "just text"),
        (b"[1, 2.5, null]", [1, 2.5, None]),
        (b"[1e30, -9.3e18]", [1e30, -9.3e18]),  # large floats stay floats
        (b"42", 42),
        (b"null", None),
        # envelope-looking, but not an envelope of this channel's topic: the message itself
        (b'{"topic": "other", "message": "hi"}', {"topic": "other", "message": "hi"}),
        # an envelope's keys plus another: the message itself
        (
            b'{"topic": "t", "message": "hi", "user": "ann"}',
            {"topic": "t", "message": "hi", "user": "ann"},
        ),
        (b'{"topic": "t"}', {"topic": "t"}),
        # a message that looks like an envelope travels wrapped in one
        (
            b'{"topic": "t", "message": {"topic": "t", "message": "inner"}}',
            {"topic": "t", "message": "inner"},
        ),
    )
    unreadable_payloads = (
        (b"not json", "not JSON"),
        (b"", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b'{"a": 1', "not JSON"),
        (b"18446744073709551615", "outside the signed 64-bit range"),
        # orjson reads these as floats; they are refused, not delivered with digits lost
        (b'{"n": 123456789012345678901234567890}', "message['n'] is an int outside"),
        (b'{"topic": "t", "message": [-9223372036854775809]}', "message[0] is an int"),
        (b'{"topic": "t", "message": 1, "origin": 7}', "'origin' is neither a string nor null"),
    )


# -- the wire format --------------------------------------------------------------------------


async def test_publish_sends_an_envelope_on_the_prefixed_channel(
    broker: RedisBroker, client: redis.Redis
) -> None:
    pubsub = await broker.open()
    raw = client.pubsub()
    await raw.subscribe(f"{broker.prefix}room:1")
    await raw.get_message(timeout=TIMEOUT)  # the subscribe confirmation
    await pubsub.publish("room:1", {"a": (1, 2)}, exclude="x.1")
    received = await raw.get_message(timeout=TIMEOUT)
    await raw.aclose()
    assert received is not None and received["channel"] == f"{broker.prefix}room:1".encode()
    assert orjson.loads(received["data"]) == {
        "topic": "room:1",
        "message": {"a": [1, 2]},
        "origin": pubsub.node_id,
        "exclude": "x.1",
    }


# -- connections --------------------------------------------------------------------------------


async def test_one_listening_and_one_publishing_connection_for_all_subscriptions(
    broker: RedisBroker, start_private_redis: Callable[[], PrivateRedis]
) -> None:
    server = start_private_redis()
    pubsub = await broker.open(server.url)
    received = inbox()
    for n in range(300):
        await pubsub.subscribe(f"topic-{n % 30}", received)
    await pubsub.publish("topic-7", "x")
    await received.wait_for(10)
    listed = await clients(server.url)
    assert sorted(c["name"] for c in listed) == ["liveview-listen", "liveview-publish"]
    (listener,) = [c for c in listed if c["name"] == "liveview-listen"]
    assert int(listener["sub"]) == 30  # one SUBSCRIBE per topic, not per subscription


async def test_topics_are_subscribed_at_redis_on_first_and_dropped_on_last(
    broker: RedisBroker, client: redis.Redis
) -> None:
    pubsub = await broker.open()
    channel = f"{broker.prefix}t"

    async def subscribers() -> int:
        ((_, count),) = await client.pubsub_numsub(channel)
        return int(count)

    assert await subscribers() == 0
    first = await pubsub.subscribe("t", inbox())
    assert await subscribers() == 1  # confirmed by the time subscribe returned
    second = await pubsub.subscribe("t", inbox())
    assert await subscribers() == 1
    await pubsub.unsubscribe("t", first)
    assert await subscribers() == 1
    await pubsub.unsubscribe("t", second)
    assert await subscribers() == 0
    await pubsub.subscribe("t", inbox())
    assert await subscribers() == 1


async def test_concurrent_first_subscribers_all_wait_for_the_confirmation(
    broker: RedisBroker,
) -> None:
    pubsub = await broker.open()
    other = await broker.open()
    inboxes = [inbox() for _ in range(20)]
    await asyncio.gather(*(pubsub.subscribe("t", i) for i in inboxes))
    await other.publish("t", "all")
    for received in inboxes:
        assert await received.wait_for(1) == ["all"]


async def test_start_fails_fast_when_redis_is_not_there(
    start_private_redis: Callable[[], PrivateRedis],
) -> None:
    server = start_private_redis()
    server.stop()
    pubsub = RedisPubSub(f"redis://:secret@127.0.0.1:{server.port}/0")
    began = time.monotonic()
    with pytest.raises(PubSubUnavailable, match=f"cannot reach Redis at .*:{server.port}") as error:
        await pubsub.start()
    assert time.monotonic() - began < 2.0
    assert "secret" not in str(error.value)
    assert "***" in str(error.value)
    await pubsub.close()  # nothing to close, and no error


def test_a_bad_url_is_refused_when_made() -> None:
    with pytest.raises(ValueError, match="redis://"):
        RedisPubSub("http://127.0.0.1:6379")


def test_without_the_redis_package_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [m for m in sys.modules if m == "redis" or m.startswith("redis.")]:
        monkeypatch.setitem(sys.modules, name, None)  # makes `import redis...` fail
    with pytest.raises(ImportError, match=r"pip install liveview\[redis\]"):
        RedisPubSub()


# -- from_url -----------------------------------------------------------------------------------


def test_from_url_picks_the_backend() -> None:
    assert isinstance(from_url(None), SingleProcessPubSub)
    assert isinstance(from_url(""), SingleProcessPubSub)
    chosen = from_url("redis://127.0.0.1:6380/2")
    assert isinstance(chosen, RedisPubSub)
    assert chosen.url == "redis://127.0.0.1:6380/2"
    assert isinstance(from_url("rediss://example.com"), RedisPubSub)
    with pytest.raises(ValueError, match="no pub/sub backend for amqp://"):
        from_url("amqp://localhost")


def test_from_url_passes_the_prefix_and_can_insist_on_redis() -> None:
    chosen = from_url("redis://127.0.0.1:6380/2", prefix="app:")
    assert isinstance(chosen, RedisPubSub) and chosen.prefix == "app:"
    assert isinstance(from_url(None, prefix="app:"), SingleProcessPubSub)
    assert isinstance(from_url("unix:///tmp/r.sock", backend="redis"), RedisPubSub)
    for url in ("postgresql://127.0.0.1/app", "http://x", "host=db"):
        with pytest.raises(ValueError, match="not a Redis URL"):
            from_url(url, backend="redis")


# -- broker loss --------------------------------------------------------------------------------


@pytest.mark.parametrize("crash", [False, True], ids=["shutdown", "crash"])
async def test_redis_going_away_and_coming_back(
    broker: RedisBroker,
    start_private_redis: Callable[[], PrivateRedis],
    crash: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = start_private_redis()
    await survive_an_outage(
        broker, lambda: server.stop(kill=crash), server.start, server.url, caplog
    )
