"""RedisPubSub against a real redis-server: the backend contract, the wire format, connections,
and what happens when Redis goes away and comes back.

Tests on the shared Redis (`redis_url`) use a fresh channel prefix each, so they neither see nor
disturb anyone else's messages; tests that stop Redis or count its clients start their own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import pytest
import redis.asyncio as redis

from liveview import PubSubGap, PubSubUnavailable, RedisPubSub
from liveview.pubsub import PubSub, SingleProcessPubSub, from_url
from tests.pubsub_contract import Inbox, PubSubContract, marker
from tests.services import PrivateRedis

TIMEOUT = 5.0


def fresh_prefix() -> str:
    return f"test-{uuid.uuid4().hex[:12]}:"


@pytest.fixture
def prefix() -> str:
    return fresh_prefix()


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.Redis]:
    """A plain redis-py client: an outside program on the same Redis."""
    connection = redis.Redis.from_url(redis_url)
    yield connection
    await connection.aclose()


@pytest.fixture
async def open_redis_pubsub() -> AsyncIterator[Callable[..., Any]]:
    opened: list[RedisPubSub] = []

    async def open_(url: str, **options: Any) -> RedisPubSub:
        pubsub = RedisPubSub(url, **options)
        opened.append(pubsub)
        await pubsub.start()
        return pubsub

    yield open_
    for pubsub in opened:
        await pubsub.close()


def inbox() -> Inbox:
    return Inbox(TIMEOUT)


async def eventually(check: Callable[[], Any], timeout: float = TIMEOUT) -> None:
    """Wait until check() (sync or async) is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        await asyncio.sleep(0.02)


async def publish_soon(pubsub: PubSub, topic: str, message: Any) -> None:
    """Publish, retrying while the broker is still unavailable (bounded)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            await pubsub.publish(topic, message)
            return
        except PubSubUnavailable:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


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
        prefix = fresh_prefix()
        return lambda: RedisPubSub(redis_url, prefix=prefix)


# -- the wire format --------------------------------------------------------------------------


async def test_publish_sends_an_envelope_on_the_prefixed_channel(
    open_redis_pubsub: Any, redis_url: str, client: redis.Redis, prefix: str
) -> None:
    pubsub = await open_redis_pubsub(redis_url, prefix=prefix)
    raw = client.pubsub()
    await raw.subscribe(f"{prefix}room:1")
    await raw.get_message(timeout=TIMEOUT)  # the subscribe confirmation
    await pubsub.publish("room:1", {"a": (1, 2)}, exclude="x.1")
    received = await raw.get_message(timeout=TIMEOUT)
    await raw.aclose()
    assert received is not None and received["channel"] == f"{prefix}room:1".encode()
    assert orjson.loads(received["data"]) == {
        "topic": "room:1",
        "message": {"a": [1, 2]},
        "origin": pubsub.node_id,
        "exclude": "x.1",
    }


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b'{"type": "inc", "by": 2}', {"type": "inc", "by": 2}),  # a bare message
        (b'{"topic": "t", "message": {"type": "inc"}}', {"type": "inc"}),  # an envelope
        (b'{"topic": "t", "message": 1, "origin": null, "exclude": "x"}', 1),
        (b'"just text"', "just text"),
        (b"[1, 2.5, null]", [1, 2.5, None]),
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
    ],
)
async def test_outside_publishers_send_bare_messages_or_envelopes(
    open_redis_pubsub: Any,
    redis_url: str,
    client: redis.Redis,
    prefix: str,
    payload: bytes,
    expected: Any,
) -> None:
    pubsub = await open_redis_pubsub(redis_url, prefix=prefix)
    received = inbox()
    await pubsub.subscribe("t", received)
    await client.publish(f"{prefix}t", payload)
    assert await received.wait_for(1) == [expected]


@pytest.mark.parametrize(
    ("payload", "logged"),
    [
        (b"not json", "not JSON"),
        (b"", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b'{"a": 1', "not JSON"),
        (b"18446744073709551615", "outside the signed 64-bit range"),
        (b'{"topic": "t", "message": 1, "origin": 7}', "'origin' is neither a string nor null"),
    ],
)
async def test_unreadable_payloads_are_logged_and_dropped(
    open_redis_pubsub: Any,
    redis_url: str,
    client: redis.Redis,
    prefix: str,
    payload: bytes,
    logged: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pubsub = await open_redis_pubsub(redis_url, prefix=prefix)
    received = inbox()
    await pubsub.subscribe("t", received)
    with caplog.at_level(logging.WARNING, logger="liveview.pubsub"):
        await client.publish(f"{prefix}t", payload)
        last = marker()
        await client.publish(f"{prefix}t", b'{"marker": "%s"}' % last["marker"].encode())
        assert await received.wait_until(last) == []  # dropped; the connection carries on
    (record,) = [r for r in caplog.records if r.name == "liveview.pubsub"]
    assert logged in record.getMessage()
    assert f"Redis channel '{prefix}t'" in record.getMessage()


async def test_the_prefix_keeps_apps_apart(
    open_redis_pubsub: Any, redis_url: str, prefix: str
) -> None:
    ours = await open_redis_pubsub(redis_url, prefix=prefix)
    theirs = await open_redis_pubsub(redis_url, prefix=fresh_prefix())
    here, there = inbox(), inbox()
    await ours.subscribe("t", here)
    await theirs.subscribe("t", there)
    await theirs.publish("t", "theirs")
    last = marker()
    await ours.publish("t", last)
    assert await here.wait_until(last) == []
    assert await there.wait_for(1) == ["theirs"]


# -- the local fast path ------------------------------------------------------------------------


async def test_local_subscribers_get_it_during_publish_and_only_once(
    open_redis_pubsub: Any, redis_url: str, client: redis.Redis, prefix: str
) -> None:
    pubsub = await open_redis_pubsub(redis_url, prefix=prefix)
    other = await open_redis_pubsub(redis_url, prefix=prefix)
    seen: list[Any] = []
    await pubsub.subscribe("t", seen.append)
    there = inbox()
    await other.subscribe("t", there)
    publishing = asyncio.create_task(pubsub.publish("t", "fast"))
    await asyncio.sleep(0)  # publish ran up to its first wait for Redis
    assert seen == ["fast"]
    await publishing
    # our own copy comes back from Redis and is skipped: another instance's later message
    # arrives, and "fast" is still there once
    await other.publish("t", "later")
    await eventually(lambda: "later" in seen)
    assert seen == ["fast", "later"]
    # `other` got "later" locally at once and "fast" through Redis: both, once, in either order
    assert sorted(await there.wait_for(2)) == ["fast", "later"]


# -- connections --------------------------------------------------------------------------------


async def test_one_listening_and_one_publishing_connection_for_all_subscriptions(
    open_redis_pubsub: Any, start_private_redis: Callable[[], PrivateRedis]
) -> None:
    server = start_private_redis()
    pubsub = await open_redis_pubsub(server.url)
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
    open_redis_pubsub: Any, redis_url: str, client: redis.Redis, prefix: str
) -> None:
    pubsub = await open_redis_pubsub(redis_url, prefix=prefix)
    channel = f"{prefix}t"

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


async def test_resubscribing_a_topic_right_after_leaving_it_keeps_it(
    open_redis_pubsub: Any, redis_url: str, prefix: str
) -> None:
    pubsub = await open_redis_pubsub(redis_url, prefix=prefix)
    other = await open_redis_pubsub(redis_url, prefix=prefix)
    for _ in range(20):
        leaving = await pubsub.subscribe("t", inbox())
        received = inbox()
        await asyncio.gather(pubsub.unsubscribe("t", leaving), pubsub.subscribe("t", received))
        await other.publish("t", "still here")
        assert await received.wait_for(1) == ["still here"]
        await pubsub.close()
        await pubsub.start()


async def test_concurrent_first_subscribers_all_wait_for_the_confirmation(
    open_redis_pubsub: Any, redis_url: str, prefix: str
) -> None:
    pubsub = await open_redis_pubsub(redis_url, prefix=prefix)
    other = await open_redis_pubsub(redis_url, prefix=prefix)
    inboxes = [inbox() for _ in range(20)]
    await asyncio.gather(*(pubsub.subscribe("t", i) for i in inboxes))
    await other.publish("t", "all")
    for received in inboxes:
        assert await received.wait_for(1) == ["all"]


async def test_a_cancelled_subscribe_leaves_nothing_behind(
    open_redis_pubsub: Any, redis_url: str, prefix: str
) -> None:
    pubsub = await open_redis_pubsub(redis_url, prefix=prefix)
    task = asyncio.create_task(pubsub.subscribe("t", inbox()))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert pubsub.subscription_count == 0


async def test_publish_and_subscribe_need_start(redis_url: str) -> None:
    pubsub = RedisPubSub(redis_url, prefix=fresh_prefix())
    with pytest.raises(RuntimeError, match="not started"):
        await pubsub.publish("t", 1)
    with pytest.raises(RuntimeError, match="not started"):
        await pubsub.subscribe("t", inbox())
    async with pubsub:
        await pubsub.publish("t", 1)
    with pytest.raises(RuntimeError, match="not started"):
        await pubsub.publish("t", 1)


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


# -- broker loss --------------------------------------------------------------------------------


@pytest.mark.parametrize("crash", [False, True], ids=["shutdown", "crash"])
async def test_redis_going_away_and_coming_back(
    open_redis_pubsub: Any,
    start_private_redis: Callable[[], PrivateRedis],
    crash: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = start_private_redis()
    pubsub = await open_redis_pubsub(server.url)
    other = await open_redis_pubsub(server.url)
    before = inbox()
    await pubsub.subscribe("kept", before)
    await other.publish("kept", "before")
    assert await before.wait_for(1) == ["before"]

    server.stop(kill=crash)
    await asyncio.sleep(0.1)  # the loop sees the connections close (a server's loop runs on)
    # publishing fails fast with our error, from either instance, before local delivery
    for instance in (pubsub, other):
        began = time.monotonic()
        with pytest.raises(PubSubUnavailable, match="cannot publish to Redis at"):
            await instance.publish("kept", "lost")
        assert time.monotonic() - began < 2.0
    # subscribing while Redis is away returns at once; the subscription waits for it
    during = inbox()
    began = time.monotonic()
    await pubsub.subscribe("new", during)
    assert time.monotonic() - began < 1.0
    await asyncio.sleep(1.5)  # let the reconnection back off to its longest delay

    server.start()
    back = time.monotonic()
    await before.wait_for(2)
    await during.wait_for(1)
    assert time.monotonic() - back < 2.0, "subscriptions must be back within 2 s"
    assert before.messages == ["before", PubSubGap("kept")]
    assert during.messages == [PubSubGap("new")]

    await publish_soon(other, "kept", "after")  # publish works again
    await other.publish("new", "after")
    assert await before.wait_for(3) == ["before", PubSubGap("kept"), "after"]
    assert await during.wait_for(2) == [PubSubGap("new"), "after"]
    assert "lost the connection to Redis" in caplog.text
    assert "reconnected to Redis" in caplog.text


async def test_gaps_go_to_every_subscription_and_before_later_messages(
    open_redis_pubsub: Any, start_private_redis: Callable[[], PrivateRedis]
) -> None:
    server = start_private_redis()
    pubsub = await open_redis_pubsub(server.url)
    inboxes = {(topic, n): inbox() for topic in ("a", "b") for n in range(3)}
    for (topic, _), received in inboxes.items():
        await pubsub.subscribe(topic, received)
    # Kill only the listening connection: Redis stays up, so a publisher keeps publishing
    # while the listener reconnects.
    async with redis.Redis.from_url(server.url) as admin:
        stop = asyncio.Event()

        async def publish_all_along() -> None:
            n = 0
            while not stop.is_set():
                await admin.publish("liveview:a", str(n))
                n += 1
                await asyncio.sleep(0.001)

        publisher = asyncio.create_task(publish_all_along())
        await asyncio.sleep(0.05)
        await admin.client_kill_filter(_type="pubsub")
        for (topic, _), received in inboxes.items():
            await received.wait_until(PubSubGap(topic))
        await asyncio.sleep(0.05)
        stop.set()
        await publisher
    for (topic, _), received in inboxes.items():
        gaps = [m for m in received.messages if isinstance(m, PubSubGap)]
        assert gaps == [PubSubGap(topic)]
        if topic == "a":
            after = received.messages[received.messages.index(PubSubGap("a")) + 1 :]
            assert after, "messages keep arriving after the gap"
            numbers = [int(m) for m in received.messages if not isinstance(m, PubSubGap)]
            assert numbers == sorted(numbers)


async def test_publish_gives_up_in_bounded_time_when_redis_hangs(
    open_redis_pubsub: Any, start_private_redis: Callable[[], PrivateRedis]
) -> None:
    server = start_private_redis()
    pubsub = await open_redis_pubsub(server.url, publish_timeout=0.5)
    async with redis.Redis.from_url(server.url) as admin:
        await admin.execute_command("CLIENT", "PAUSE", "3000", "ALL")
        began = time.monotonic()
        with pytest.raises(PubSubUnavailable):
            await pubsub.publish("t", "stuck")
        assert 0.4 < time.monotonic() - began < 1.5
        await admin.execute_command("CLIENT", "UNPAUSE")
    received = inbox()
    await pubsub.subscribe("t", received)
    await publish_soon(pubsub, "t", "free again")
    await received.wait_until("free again")


async def test_an_unanswered_listener_is_replaced(
    open_redis_pubsub: Any,
    start_private_redis: Callable[[], PrivateRedis],
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = start_private_redis()
    pubsub = await open_redis_pubsub(server.url, health_check_interval=0.2)
    received = inbox()
    await pubsub.subscribe("t", received)
    # A frozen server: connections stay open, nothing closes them, nobody answers.
    assert server._proc is not None
    os.kill(server._proc.pid, signal.SIGSTOP)
    try:
        await asyncio.sleep(1.0)
    finally:
        os.kill(server._proc.pid, signal.SIGCONT)
    await received.wait_until(PubSubGap("t"))
    assert "no answer to PING within 0.2s" in caplog.text
    await publish_soon(pubsub, "t", "again")
    await received.wait_until("again")
