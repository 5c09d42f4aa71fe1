"""What every PubSub backend promises, as a test class each backend's tests subclass.

The subclass provides `make_pubsub`: a fixture returning a factory of new, unstarted instances
that reach one another (the same process for the in-memory backend, the same broker for
remote ones)::

    class TestRedisPubSub(PubSubContract):
        @pytest.fixture
        def make_pubsub(self, redis_url: str) -> Callable[[], PubSub]:
            return lambda: RedisPubSub(redis_url)

The tests use only the public interface, so they run unchanged on every backend. They assume
that once `start()` and `subscribe()` have returned, messages published afterwards (from any
instance) reach the handler. Deliveries are awaited with a bounded timeout
(`delivery_timeout`); "nothing arrived" is shown by a later message arriving first on the same
subscription, or on another subscription of the same instance and topic, never by sleeping.
Every test uses fresh topics, so a shared broker needs no cleaning between tests.
"""

from __future__ import annotations

import asyncio
import datetime
import decimal
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from liveview.pubsub import PubSub

Factory = Callable[[], PubSub]
Opener = Callable[[], Awaitable[PubSub]]


# -- helpers ----------------------------------------------------------------------------------


class Inbox:
    """A handler that records what it receives and lets a test wait for it."""

    def __init__(self, timeout: float) -> None:
        self.messages: list[Any] = []
        self.timeout = timeout
        self._arrived = asyncio.Event()

    def __call__(self, message: Any) -> None:
        self.messages.append(message)
        self._arrived.set()

    async def receive_async(self, message: Any) -> None:
        """The same, as a coroutine function that really suspends."""
        await asyncio.sleep(0)
        self(message)

    def handler(self, kind: str) -> Callable[[Any], Any]:
        return self if kind == "sync" else self.receive_async

    async def wait_for(self, count: int) -> list[Any]:
        """Wait until `count` messages have arrived; fail after the timeout."""
        try:
            async with asyncio.timeout(self.timeout):
                while len(self.messages) < count:
                    self._arrived.clear()
                    await self._arrived.wait()
        except TimeoutError:
            pytest.fail(
                f"expected {count} messages within {self.timeout}s, "
                f"got {len(self.messages)}: {self.messages[:5]!r}"
            )
        return self.messages

    async def wait_until(self, message: Any) -> list[Any]:
        """Wait for `message`; return what arrived before it."""
        try:
            async with asyncio.timeout(self.timeout):
                while message not in self.messages:
                    self._arrived.clear()
                    await self._arrived.wait()
        except TimeoutError:
            pytest.fail(f"{message!r} did not arrive within {self.timeout}s: {self.messages!r}")
        return self.messages[: self.messages.index(message)]


def marker() -> dict[str, str]:
    """A message no test publishes twice."""
    return {"marker": uuid.uuid4().hex}


def typed(value: Any) -> Any:
    """A form of a JSON value where True != 1, 1 != 1.0, -0.0 != 0.0 and key order counts."""
    if isinstance(value, dict):
        return ("dict", [(key, typed(item)) for key, item in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [typed(item) for item in value])
    if isinstance(value, float):
        return ("float", value.hex())
    return (type(value).__name__, value)


def assert_same(received: Any, expected: Any) -> None:
    assert typed(received) == typed(expected), f"{received!r} != {expected!r}"


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def cyclic() -> Any:
    value: list[Any] = []
    value.append(value)
    return value


JSON_SHAPES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2**53 + 1,
    2**63 - 1,
    -(2**63),
    0.0,
    -0.0,
    1.5,
    -2.25,
    0.1,
    1e300,
    -1e-300,
    5e-324,
    "",
    "plain",
    "unicode: é ñ ß 日本語 🎉 \u2028 \u200d",
    'quotes " \\ / \n \t \r and \x00 nul',
    [],
    {},
    [[]],
    {"": {}},
    [1, "two", 3.0, None, True, [False, {}]],
    {"nested": {"deep": [{"x": [1, [2, [3, {"y": None}]]]}]}},
    {"ünïcödé kéy 🔑": "v", "z": 1, "a": 2, "m": 3},
    list(range(100)),
    {f"k{i}": i for i in range(50)},
    nested(50),
    {"text": "x" * 2000},
]

NOT_JSON: list[tuple[Any, str]] = [
    ({1, 2}, "message is a set, not a JSON value"),
    ({"a": [0, 1, {3}]}, "message['a'][2] is a set, not a JSON value"),
    (frozenset(), "message is a frozenset"),
    (b"bytes", "message is a bytes"),
    ([bytearray(b"x")], "message[0] is a bytearray"),
    ({"when": datetime.datetime(2024, 1, 1)}, "message['when'] is a datetime.datetime"),
    ({"day": datetime.date(2024, 1, 1)}, "message['day'] is a datetime.date"),
    (decimal.Decimal("1.5"), "message is a decimal.Decimal"),
    (1j, "message is a complex"),
    ([object()], "message[0] is an object"),
    ({"f": print}, "message['f'] is a builtin_function_or_method"),
    (float("nan"), "message is nan"),
    ({"x": float("inf")}, "message['x'] is inf"),
    ([float("-inf")], "message[0] is -inf"),
    (2**63, "message is an int outside the signed 64-bit range"),
    ([-(2**63) - 1], "message[0] is an int outside the signed 64-bit range"),
    (10**30, "64-bit"),
    ({1: "x"}, "message has the key 1 (int)"),
    ({"a": {None: 1}}, "message['a'] has the key None (NoneType)"),
    ({("t",): 1}, "has the key ('t',) (tuple)"),
    ({"s": "lone \ud800 surrogate"}, "message['s'] is a str that holds a lone surrogate"),
    ({"\udfff": 1}, "lone surrogate"),
    (nested(300), "nests more than"),
    (cyclic(), "nests more than"),
    (range(3), "message is a range"),
]


# -- the contract -----------------------------------------------------------------------------


class PubSubContract:
    """Subclass with a `make_pubsub` fixture; see the module docstring."""

    delivery_timeout = 5.0

    @pytest.fixture
    def make_pubsub(self) -> Factory:
        raise NotImplementedError("the backend's test class provides a make_pubsub fixture")

    @pytest.fixture
    async def open_pubsub(self, make_pubsub: Factory) -> AsyncIterator[Opener]:
        """Start new instances; close them all at the end of the test."""
        opened: list[PubSub] = []

        async def open_() -> PubSub:
            pubsub = make_pubsub()
            opened.append(pubsub)
            await pubsub.start()
            return pubsub

        yield open_
        for pubsub in opened:
            await pubsub.close()

    @pytest.fixture
    async def pubsub(self, open_pubsub: Opener) -> PubSub:
        return await open_pubsub()

    @pytest.fixture
    async def other(self, open_pubsub: Opener) -> PubSub:
        """A second instance: another process, as far as a remote backend can tell."""
        return await open_pubsub()

    @pytest.fixture
    def topic(self) -> str:
        return f"contract-{uuid.uuid4().hex}"

    def inbox(self) -> Inbox:
        return Inbox(self.delivery_timeout)

    # round trips --------------------------------------------------------------------------

    @pytest.mark.parametrize("kind", ["sync", "async"])
    async def test_json_shapes_arrive_equal(
        self, pubsub: PubSub, other: PubSub, topic: str, kind: str
    ) -> None:
        here, there = self.inbox(), self.inbox()
        await pubsub.subscribe(topic, here.handler(kind))
        await other.subscribe(topic, there.handler(kind))
        for shape in JSON_SHAPES:
            await pubsub.publish(topic, shape)
        for inbox in (here, there):
            received = await inbox.wait_for(len(JSON_SHAPES))
            assert len(received) == len(JSON_SHAPES)
            for got, sent in zip(received, JSON_SHAPES, strict=True):
                assert_same(got, sent)

    async def test_tuples_arrive_as_lists(self, pubsub: PubSub, other: PubSub, topic: str) -> None:
        here, there = self.inbox(), self.inbox()
        await pubsub.subscribe(topic, here)
        await other.subscribe(topic, there)
        await pubsub.publish(topic, {"a": (1, (2, 3)), "b": ()})
        await pubsub.publish(topic, ("x", ["y", ("z",)]))
        for inbox in (here, there):
            first, second = await inbox.wait_for(2)
            assert_same(first, {"a": [1, [2, 3]], "b": []})
            assert_same(second, ["x", ["y", ["z"]]])

    async def test_later_mutation_does_not_reach_subscribers(
        self, pubsub: PubSub, other: PubSub, topic: str
    ) -> None:
        here, there = self.inbox(), self.inbox()
        await pubsub.subscribe(topic, here.receive_async)  # runs after publish returns
        await other.subscribe(topic, there.receive_async)
        message: dict[str, Any] = {"items": [1, 2], "meta": {"n": 1}}
        await pubsub.publish(topic, message)
        message["items"].append(3)
        message["meta"]["n"] = 2
        message["new"] = True
        for inbox in (here, there):
            (received,) = await inbox.wait_for(1)
            assert_same(received, {"items": [1, 2], "meta": {"n": 1}})

    async def test_many_subscribers_each_get_the_message(
        self, pubsub: PubSub, other: PubSub, topic: str
    ) -> None:
        inboxes = [self.inbox() for _ in range(100)]
        for index, inbox in enumerate(inboxes):
            await (pubsub if index % 2 else other).subscribe(topic, inbox)
        await pubsub.publish(topic, {"hello": "all"})
        for inbox in inboxes:
            assert await inbox.wait_for(1) == [{"hello": "all"}]

    async def test_publish_without_subscribers_is_fine(self, pubsub: PubSub, topic: str) -> None:
        await pubsub.publish(topic, {"nobody": "listens"})

    # refusals -----------------------------------------------------------------------------

    @pytest.mark.parametrize(("message", "error"), NOT_JSON)
    async def test_non_json_is_refused_at_publish(
        self, pubsub: PubSub, topic: str, message: Any, error: str
    ) -> None:
        inbox = self.inbox()
        await pubsub.subscribe(topic, inbox)
        with pytest.raises(TypeError, match=re.escape(error)):
            await pubsub.publish(topic, message)
        last = marker()
        await pubsub.publish(topic, last)
        assert await inbox.wait_until(last) == []

    async def test_refusal_leaves_the_message_unsent_everywhere(
        self, pubsub: PubSub, other: PubSub, topic: str
    ) -> None:
        there = self.inbox()
        await other.subscribe(topic, there)
        with pytest.raises(TypeError):
            await pubsub.publish(topic, {"ok": 1, "bad": {1, 2}})  # type: ignore[dict-item]
        last = marker()
        await pubsub.publish(topic, last)
        assert await there.wait_until(last) == []

    @pytest.mark.parametrize(
        ("topic_", "error"),
        [("", ValueError), (None, TypeError), (1, TypeError), (b"t", TypeError)],
    )
    async def test_topic_must_be_a_non_empty_str(
        self, pubsub: PubSub, topic_: Any, error: type[Exception]
    ) -> None:
        with pytest.raises(error, match="topic"):
            await pubsub.publish(topic_, {})
        with pytest.raises(error, match="topic"):
            await pubsub.subscribe(topic_, self.inbox())
        assert pubsub.subscription_count == 0

    async def test_handler_must_be_callable(self, pubsub: PubSub, topic: str) -> None:
        with pytest.raises(TypeError, match="callable"):
            await pubsub.subscribe(topic, "not a function")  # type: ignore[arg-type]
        assert pubsub.subscription_count == 0

    # handlers -----------------------------------------------------------------------------

    @pytest.mark.parametrize("kind", ["sync", "async"])
    async def test_raising_handler_stops_neither_others_nor_later_messages(
        self,
        pubsub: PubSub,
        other: PubSub,
        topic: str,
        kind: str,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        calls: list[Any] = []
        fourth_call = asyncio.Event()

        def fail(message: Any) -> None:
            calls.append(message)
            if len(calls) == 4:
                fourth_call.set()
            raise RuntimeError("handler bug")

        async def fail_async(message: Any) -> None:
            await asyncio.sleep(0)
            fail(message)

        before, after = self.inbox(), self.inbox()
        await other.subscribe(topic, before)
        await other.subscribe(topic, fail if kind == "sync" else fail_async)
        await other.subscribe(topic, after)
        with caplog.at_level(logging.ERROR, logger="liveview.pubsub"):
            for n in range(3):
                await pubsub.publish(topic, n)
            assert await before.wait_for(3) == [0, 1, 2]
            assert await after.wait_for(3) == [0, 1, 2]
            last = marker()
            await other.publish(topic, last)  # the failing handler has 0, 1, 2 before it
            await after.wait_until(last)
            async with asyncio.timeout(self.delivery_timeout):
                await fourth_call.wait()
        assert calls == [0, 1, 2, last]
        failures = [r for r in caplog.records if r.name == "liveview.pubsub"]
        assert len(failures) == 4
        assert all(r.exc_info and "handler bug" in str(r.exc_info[1]) for r in failures)

    async def test_sync_and_async_handlers_side_by_side(
        self, pubsub: PubSub, other: PubSub, topic: str
    ) -> None:
        sync, coroutine = self.inbox(), self.inbox()
        await other.subscribe(topic, sync)
        await other.subscribe(topic, coroutine.receive_async)
        await pubsub.publish(topic, {"n": 1})
        assert await sync.wait_for(1) == [{"n": 1}]
        assert await coroutine.wait_for(1) == [{"n": 1}]

    async def test_plain_function_returning_an_awaitable_is_awaited(
        self, pubsub: PubSub, topic: str
    ) -> None:
        queue: asyncio.Queue[Any] = asyncio.Queue()
        await pubsub.subscribe(topic, lambda message: queue.put(message))
        for n in range(5):
            await pubsub.publish(topic, n)
        async with asyncio.timeout(self.delivery_timeout):
            assert [await queue.get() for _ in range(5)] == [0, 1, 2, 3, 4]

    async def test_callable_object_with_async_call_is_awaited(
        self, pubsub: PubSub, topic: str
    ) -> None:
        inbox = self.inbox()

        class Receiver:
            async def __call__(self, message: Any) -> None:
                await asyncio.sleep(0)
                inbox(message)

        await pubsub.subscribe(topic, Receiver())
        await pubsub.publish(topic, "hi")
        assert await inbox.wait_for(1) == ["hi"]

    async def test_slow_async_handler_does_not_block_the_publisher(
        self, pubsub: PubSub, topic: str
    ) -> None:
        gate = asyncio.Event()
        inbox = self.inbox()

        async def slow(message: Any) -> None:
            await gate.wait()
            inbox(message)

        await pubsub.subscribe(topic, slow)
        for n in range(3):
            await asyncio.wait_for(pubsub.publish(topic, n), self.delivery_timeout)
        gate.set()
        assert await inbox.wait_for(3) == [0, 1, 2]

    # order ----------------------------------------------------------------------------------

    @pytest.mark.parametrize("kind", ["sync", "async"])
    async def test_order_is_kept_per_publisher_and_topic(
        self, pubsub: PubSub, other: PubSub, topic: str, kind: str
    ) -> None:
        here, there = self.inbox(), self.inbox()
        await pubsub.subscribe(topic, here.handler(kind))
        await other.subscribe(topic, there.handler(kind))
        for n in range(200):
            await pubsub.publish(topic, {"n": n})
        expected = [{"n": n} for n in range(200)]
        assert await here.wait_for(200) == expected
        assert await there.wait_for(200) == expected

    async def test_order_is_kept_for_concurrent_publishers(
        self, pubsub: PubSub, other: PubSub, topic: str
    ) -> None:
        inbox = self.inbox()
        await other.subscribe(topic, inbox)

        async def publish_all(publisher: PubSub, name: str) -> None:
            for n in range(100):
                await publisher.publish(topic, [name, n])

        await asyncio.gather(publish_all(pubsub, "a"), publish_all(other, "b"))
        received = await inbox.wait_for(200)
        for name in ("a", "b"):
            assert [n for who, n in received if who == name] == list(range(100))

    # routing --------------------------------------------------------------------------------

    async def test_messages_reach_other_instances_and_the_publishing_one(
        self, pubsub: PubSub, other: PubSub, topic: str
    ) -> None:
        here, there = self.inbox(), self.inbox()
        await pubsub.subscribe(topic, here)
        await other.subscribe(topic, there)
        await pubsub.publish(topic, "from pubsub")
        await other.publish(topic, "from other")
        for inbox in (here, there):
            received = await inbox.wait_for(2)
            assert sorted(received) == ["from other", "from pubsub"]
            assert len(received) == 2  # nobody gets a message twice

    async def test_topics_are_isolated(self, pubsub: PubSub, other: PubSub, topic: str) -> None:
        watched, neighbour = self.inbox(), self.inbox()
        lookalikes = [f"{topic}x", f"{topic}:1", f"{topic}.sub", topic[:-1], topic.upper()]
        await other.subscribe(topic, watched)
        await other.subscribe(f"{topic}*", watched)  # a glob-looking topic is just a name
        await other.subscribe(f"{topic}?", watched)
        for name in lookalikes:
            await other.subscribe(name, neighbour)
        for name in lookalikes:
            await pubsub.publish(name, name)
        await neighbour.wait_for(len(lookalikes))  # the lookalikes were delivered here
        last = marker()
        await pubsub.publish(topic, last)
        assert await watched.wait_until(last) == []
        assert sorted(neighbour.messages) == sorted(lookalikes)

    @pytest.mark.parametrize("same_instance", [True, False])
    async def test_exclude_skips_exactly_that_subscription(
        self, pubsub: PubSub, other: PubSub, topic: str, same_instance: bool
    ) -> None:
        subscriber = pubsub if same_instance else other
        first, excluded, last_inbox = self.inbox(), self.inbox(), self.inbox()
        await subscriber.subscribe(topic, first)
        excluded_id = await subscriber.subscribe(topic, excluded)
        await subscriber.subscribe(topic, last_inbox)
        await pubsub.publish(topic, "not for excluded", exclude=excluded_id)
        last = marker()
        await pubsub.publish(topic, last)
        assert await excluded.wait_until(last) == []
        assert await first.wait_for(2) == ["not for excluded", last]
        assert await last_inbox.wait_for(2) == ["not for excluded", last]

    async def test_exclude_of_the_same_handler_on_another_subscription(
        self, pubsub: PubSub, other: PubSub, topic: str
    ) -> None:
        """Exclusion is by subscription, not by handler."""
        inbox = self.inbox()
        excluded_id = await other.subscribe(topic, inbox)
        await other.subscribe(topic, inbox)
        await pubsub.publish(topic, "once", exclude=excluded_id)
        assert await inbox.wait_for(1) == ["once"]
        last = marker()
        await pubsub.publish(topic, last)
        assert await inbox.wait_until(last) == ["once"]

    async def test_exclude_of_an_unknown_id_excludes_nobody(
        self, pubsub: PubSub, other: PubSub, topic: str
    ) -> None:
        inbox = self.inbox()
        await other.subscribe(topic, inbox)
        await pubsub.publish(topic, "all", exclude="no-such-subscription")
        assert await inbox.wait_for(1) == ["all"]

    async def test_exclude_must_be_an_id(self, pubsub: PubSub, topic: str) -> None:
        with pytest.raises(TypeError, match="exclude"):
            await pubsub.publish(topic, {}, exclude=3)  # type: ignore[arg-type]

    # subscriptions ------------------------------------------------------------------------

    async def test_subscription_ids_are_unique_strings(
        self, pubsub: PubSub, other: PubSub, topic: str
    ) -> None:
        ids = [
            await instance.subscribe(f"{topic}-{n % 3}", self.inbox())
            for n in range(50)
            for instance in (pubsub, other)
        ]
        assert all(isinstance(i, str) and i for i in ids)
        assert len(set(ids)) == len(ids)

    @pytest.mark.parametrize("kind", ["sync", "async"])
    async def test_after_unsubscribe_nothing_arrives(
        self, pubsub: PubSub, other: PubSub, topic: str, kind: str
    ) -> None:
        leaving, witness = self.inbox(), self.inbox()
        leaving_id = await other.subscribe(topic, leaving.handler(kind))
        await other.subscribe(topic, witness.handler(kind))
        await pubsub.publish(topic, "before")
        assert await leaving.wait_for(1) == ["before"]
        await other.unsubscribe(topic, leaving_id)
        await pubsub.publish(topic, "after")
        last = marker()
        await pubsub.publish(topic, last)
        assert await witness.wait_until(last) == ["before", "after"]
        assert leaving.messages == ["before"]

    async def test_handler_may_unsubscribe_itself(
        self, pubsub: PubSub, other: PubSub, topic: str
    ) -> None:
        received: list[Any] = []
        witness = self.inbox()
        subscription: list[str] = []
        unsubscribed = asyncio.Event()

        async def once(message: Any) -> None:
            received.append(message)
            await other.unsubscribe(topic, subscription[0])
            unsubscribed.set()

        subscription.append(await other.subscribe(topic, once))
        await other.subscribe(topic, witness.receive_async)
        for n in range(3):
            await pubsub.publish(topic, n)
        async with asyncio.timeout(self.delivery_timeout):
            await unsubscribed.wait()
        last = marker()
        await pubsub.publish(topic, last)
        assert await witness.wait_until(last) == [0, 1, 2]
        assert received == [0]
        assert other.subscription_count == 1

    async def test_unsubscribe_unknown_id_is_not_an_error(self, pubsub: PubSub, topic: str) -> None:
        await pubsub.unsubscribe(topic, "no-such-subscription")
        subscription_id = await pubsub.subscribe(topic, self.inbox())
        await pubsub.unsubscribe(topic, subscription_id)
        await pubsub.unsubscribe(topic, subscription_id)
        assert pubsub.subscription_count == 0

    async def test_subscription_count_follows_subscriptions(
        self, pubsub: PubSub, other: PubSub, topic: str
    ) -> None:
        assert pubsub.subscription_count == 0
        inbox = self.inbox()
        ids = [(name, await pubsub.subscribe(name, inbox)) for name in (topic, topic, f"{topic}-2")]
        await other.subscribe(topic, inbox)
        assert pubsub.subscription_count == 3
        assert other.subscription_count == 1  # per instance
        for name, subscription_id in ids:
            await pubsub.unsubscribe(name, subscription_id)
        assert pubsub.subscription_count == 0
        assert other.subscription_count == 1

    # lifecycle ------------------------------------------------------------------------------

    async def test_close_ends_that_instances_subscriptions_only(
        self, open_pubsub: Opener, other: PubSub, topic: str
    ) -> None:
        closing = await open_pubsub()
        gone, staying = self.inbox(), self.inbox()
        await closing.subscribe(topic, gone)
        await other.subscribe(topic, staying)
        await closing.close()
        assert closing.subscription_count == 0
        assert other.subscription_count == 1
        last = marker()
        await other.publish(topic, last)
        assert await staying.wait_until(last) == []
        assert gone.messages == []

    async def test_close_then_start_again(self, pubsub: PubSub, other: PubSub, topic: str) -> None:
        old = self.inbox()
        await pubsub.subscribe(topic, old)
        await pubsub.close()
        await pubsub.close()  # closing twice is fine
        await pubsub.start()
        await pubsub.start()  # so is starting twice
        assert pubsub.subscription_count == 0
        here, there = self.inbox(), self.inbox()
        await pubsub.subscribe(topic, here)
        await other.subscribe(topic, there)
        await pubsub.publish(topic, "from restarted")
        await other.publish(topic, "to restarted")
        for inbox in (here, there):
            assert sorted(await inbox.wait_for(2)) == ["from restarted", "to restarted"]
        assert old.messages == []

    async def test_close_cancels_a_running_async_handler(
        self, open_pubsub: Opener, other: PubSub, topic: str
    ) -> None:
        closing = await open_pubsub()
        started, cancelled = asyncio.Event(), asyncio.Event()

        async def stuck(message: Any) -> None:
            started.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.set()
                raise

        await closing.subscribe(topic, stuck)
        await other.publish(topic, "go")
        async with asyncio.timeout(self.delivery_timeout):
            await started.wait()
            await closing.close()
        assert cancelled.is_set()

    async def test_async_with_starts_and_closes(
        self, make_pubsub: Factory, other: PubSub, topic: str
    ) -> None:
        inbox = self.inbox()
        instance = make_pubsub()
        async with instance as entered:
            assert entered is instance
            await entered.subscribe(topic, inbox)
            await other.publish(topic, "inside")
            assert await inbox.wait_for(1) == ["inside"]
            assert entered.subscription_count == 1
        assert instance.subscription_count == 0
        async with instance:  # and again
            await instance.publish(topic, "reused")
