"""What RedisPubSub and PostgresPubSub do alike on their real broker, written once.

`tests/pubsub_contract.py` holds what every backend promises through the public interface. The
cases here need the broker itself: an outside program sending raw payloads, another app's
prefix, a listening connection cut from the server's side, the server going away. Each backend's
test file supplies a `Broker` (how to reach, cut and stop its server) as the `broker` fixture and
subclasses `BrokerCases`; checks that differ in kind, not only in names, stay in that file.
"""

from __future__ import annotations

import asyncio
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import pytest

from liveview import PubSubGap, PubSubUnavailable
from liveview.pubsub import PubSub
from tests.pubsub_contract import Inbox, marker

TIMEOUT = 5.0
Payload = bytes | str
P = TypeVar("P", bound=PubSub)


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


class Outside(Protocol):
    """Another program on the same server, speaking the broker's own protocol."""

    async def send(self, channel: str, payload: Payload) -> None:
        """Publish a raw payload on a broker channel, as a non-liveview publisher would."""

    async def cut_listener(self) -> None:
        """End liveview's listening connection from the server's side; the server stays up."""


class Broker(ABC, Generic[P]):
    """One backend's real servers: the shared one under a prefix of this test's own (so no
    other test's messages are seen), and private ones the test may cut or stop."""

    name: ClassVar[str]  # as the backend's messages say it
    ping: ClassVar[str]  # what its health check sends, as its logs say it

    def __init__(self, shared_url: str, start_private: Callable[[], str]) -> None:
        self.shared_url = shared_url
        # starts a server of the test's own and gives its URL; stopped at the end of the test
        self.start_private = start_private
        self.prefix = self.fresh_prefix()
        self._opened: list[P] = []

    @staticmethod
    @abstractmethod
    def fresh_prefix() -> str:
        """A channel prefix nobody else uses."""

    @abstractmethod
    def make(self, url: str, **options: Any) -> P:
        """A new, unstarted instance at `url`: the backend's constructor."""

    @abstractmethod
    def outside(self, url: str | None = None) -> AbstractAsyncContextManager[Outside]:
        """A connection of an outside program to `url`, the shared server if None."""

    @abstractmethod
    def publisher_hangs(self, url: str) -> AbstractAsyncContextManager[None]:
        """While inside, the server at `url` takes nothing from liveview's publishing
        connection, which stays open."""

    @abstractmethod
    async def silence_listener(self, url: str, until: Callable[[], Awaitable[object]]) -> None:
        """Make the far end of liveview's listening connection at `url` stop answering, without
        closing it, until `until()` (liveview has replaced the connection) is done."""

    def unstarted(self) -> P:
        return self.make(self.shared_url, prefix=self.prefix)

    async def open(self, url: str | None = None, prefix: str | None = None, **options: Any) -> P:
        """Start an instance, closed at the end of the test: on the shared server under this
        test's prefix (or `prefix`), or at `url` under the default prefix."""
        if url is None:
            url, prefix = self.shared_url, prefix or self.prefix
        if prefix is not None:
            options["prefix"] = prefix
        pubsub = self.make(url, **options)
        self._opened.append(pubsub)
        await pubsub.start()
        return pubsub

    async def close(self) -> None:
        for pubsub in self._opened:
            await pubsub.close()


class BrokerCases:
    """Subclass as `Test<Backend>Broker` next to a `broker` fixture; list in
    `outside_payloads` and `unreadable_payloads` what that broker can carry."""

    outside_payloads: ClassVar[Sequence[tuple[Payload, Any]]]
    unreadable_payloads: ClassVar[Sequence[tuple[Payload, str]]]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Parametrize the raw-payload tests with the subclass's lists: Redis carries any bytes,
        PostgreSQL only text, so each backend names its own."""
        if "expected" in metafunc.fixturenames:
            metafunc.parametrize(("payload", "expected"), self.outside_payloads)
        if "logged" in metafunc.fixturenames:
            metafunc.parametrize(("payload", "logged"), self.unreadable_payloads)

    # -- the wire format ------------------------------------------------------------------

    async def test_outside_publishers_send_bare_messages_or_envelopes(
        self, broker: Broker[Any], payload: Payload, expected: Any
    ) -> None:
        pubsub = await broker.open()
        received = inbox()
        await pubsub.subscribe("t", received)
        async with broker.outside() as outside:
            await outside.send(f"{broker.prefix}t", payload)
        assert await received.wait_for(1) == [expected]

    async def test_unreadable_payloads_are_logged_and_dropped(
        self,
        broker: Broker[Any],
        payload: Payload,
        logged: str,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        pubsub = await broker.open()
        received = inbox()
        await pubsub.subscribe("t", received)
        channel = f"{broker.prefix}t"
        with caplog.at_level(logging.WARNING, logger="liveview.pubsub"):
            async with broker.outside() as outside:
                await outside.send(channel, payload)
                last = marker()
                await outside.send(channel, f'{{"marker": "{last["marker"]}"}}')
            assert await received.wait_until(last) == []  # dropped; the connection carries on
        (record,) = [r for r in caplog.records if r.name == "liveview.pubsub"]
        assert logged in record.getMessage()
        assert f"{broker.name} channel '{channel}'" in record.getMessage()

    async def test_the_prefix_keeps_apps_apart(self, broker: Broker[Any]) -> None:
        ours = await broker.open()
        theirs = await broker.open(prefix=broker.fresh_prefix())
        here, there = inbox(), inbox()
        await ours.subscribe("t", here)
        await theirs.subscribe("t", there)
        await theirs.publish("t", "theirs")
        last = marker()
        await ours.publish("t", last)
        assert await here.wait_until(last) == []
        assert await there.wait_for(1) == ["theirs"]

    async def test_close_sends_what_publishers_have_queued(self, broker: Broker[Any]) -> None:
        # A worker shutting down (SIGTERM) closes its pub/sub: what its LiveViews published
        # just before must still reach the other workers, not fail with "closed".
        closing = await broker.open()
        other = await broker.open()
        received = inbox()
        await other.subscribe("t", received)
        publishes = [asyncio.ensure_future(closing.publish("t", n)) for n in range(3000)]
        while not any(task.done() for task in publishes):  # some queued, none sent yet
            await asyncio.sleep(0)
        await closing.close()
        outcomes = await asyncio.gather(*publishes, return_exceptions=True)
        assert outcomes == [None] * 3000
        assert sorted(await received.wait_for(3000)) == list(range(3000))

    # -- the local fast path --------------------------------------------------------------

    async def test_local_subscribers_get_it_during_publish_and_only_once(
        self, broker: Broker[Any]
    ) -> None:
        await self.local_fast_path(broker)

    async def local_fast_path(self, broker: Broker[Any]) -> tuple[PubSub, Inbox]:
        """The test's steps; the other instance and its inbox, for a backend to check more."""
        pubsub = await broker.open()
        other = await broker.open()
        seen: list[Any] = []
        await pubsub.subscribe("t", seen.append)
        there = inbox()
        await other.subscribe("t", there)
        publishing = asyncio.create_task(pubsub.publish("t", "fast"))
        await asyncio.sleep(0)  # publish ran up to its first wait for the broker
        assert seen == ["fast"]
        await publishing
        # our own copy comes back from the broker and is skipped: another instance's later
        # message arrives, and "fast" is still there once
        await other.publish("t", "later")
        await eventually(lambda: "later" in seen)
        assert seen == ["fast", "later"]
        # `other` hands its own "later" to `there` at once, maybe before "fast" arrived from
        # the broker: messages of different publishers have no order
        assert sorted(await there.wait_for(2)) == ["fast", "later"]
        return other, there

    # -- connections ----------------------------------------------------------------------

    async def test_resubscribing_a_topic_right_after_leaving_it_keeps_it(
        self, broker: Broker[Any]
    ) -> None:
        pubsub = await broker.open()
        other = await broker.open()
        for _ in range(20):
            leaving = await pubsub.subscribe("t", inbox())
            received = inbox()
            await asyncio.gather(pubsub.unsubscribe("t", leaving), pubsub.subscribe("t", received))
            await other.publish("t", "still here")
            assert await received.wait_for(1) == ["still here"]
            await pubsub.close()
            await pubsub.start()

    async def test_a_cancelled_subscribe_leaves_nothing_behind(self, broker: Broker[Any]) -> None:
        pubsub = await broker.open()
        task = asyncio.create_task(pubsub.subscribe("t", inbox()))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert pubsub.subscription_count == 0

    async def test_publish_and_subscribe_need_start(self, broker: Broker[Any]) -> None:
        pubsub = broker.unstarted()
        with pytest.raises(RuntimeError, match="not started"):
            await pubsub.publish("t", 1)
        with pytest.raises(RuntimeError, match="not started"):
            await pubsub.subscribe("t", inbox())
        async with pubsub:
            await pubsub.publish("t", 1)
        with pytest.raises(RuntimeError, match="not started"):
            await pubsub.publish("t", 1)

    # -- broker loss ----------------------------------------------------------------------

    async def test_publish_gives_up_in_bounded_time_when_the_broker_hangs(
        self, broker: Broker[Any]
    ) -> None:
        url = broker.start_private()
        pubsub = await broker.open(url, publish_timeout=0.5)
        await pubsub.publish("t", "warm")  # the publishing connection is up
        async with broker.publisher_hangs(url):
            began = time.monotonic()
            with pytest.raises(PubSubUnavailable, match=r"no answer within 0\.5s"):
                await pubsub.publish("t", "stuck")
            assert 0.4 < time.monotonic() - began < 1.5
        received = inbox()
        await pubsub.subscribe("t", received)
        await publish_soon(pubsub, "t", "free again")
        await received.wait_until("free again")

    async def test_an_unanswered_listener_is_replaced(
        self, broker: Broker[Any], caplog: pytest.LogCaptureFixture
    ) -> None:
        url = broker.start_private()
        pubsub = await broker.open(url, health_check_interval=0.2)
        received = inbox()
        await pubsub.subscribe("t", received)
        await broker.silence_listener(url, until=lambda: received.wait_until(PubSubGap("t")))
        assert f"no answer to {broker.ping} within 0.2s" in caplog.text
        await publish_soon(pubsub, "t", "again")
        await received.wait_until("again")

    async def test_gaps_go_to_every_subscription_and_before_later_messages(
        self, broker: Broker[Any]
    ) -> None:
        url = broker.start_private()
        pubsub = await broker.open(url)
        inboxes = {(topic, n): inbox() for topic in ("a", "b") for n in range(3)}
        for (topic, _), received in inboxes.items():
            await pubsub.subscribe(topic, received)
        # Cut only the listening connection: the server stays up, so a publisher keeps
        # publishing while the listener reconnects.
        async with broker.outside(url) as outside:
            stop = asyncio.Event()

            async def publish_all_along() -> None:
                n = 0
                while not stop.is_set():
                    await outside.send("liveview:a", str(n))
                    n += 1
                    await asyncio.sleep(0.001)

            publisher = asyncio.create_task(publish_all_along())
            await asyncio.sleep(0.05)
            await outside.cut_listener()
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


async def survive_an_outage(
    broker: Broker[Any],
    stop: Callable[[], object],
    start: Callable[[], object],
    url: str,
    caplog: pytest.LogCaptureFixture,
    back_within: float = 2.0,
    also: Sequence[str] = (),
) -> None:
    """The broker at `url` goes away (`stop`) and comes back (`start`): publishing fails fast
    meanwhile, every subscription (those on the topics `also` too) hears of the gap within
    `back_within` seconds, and publishing works again."""
    pubsub = await broker.open(url)
    other = await broker.open(url)
    before = inbox()
    await pubsub.subscribe("kept", before)
    kept = {topic: inbox() for topic in also}
    for topic, received in kept.items():
        await pubsub.subscribe(topic, received)
    await other.publish("kept", "before")
    assert await before.wait_for(1) == ["before"]

    stop()
    await asyncio.sleep(0.1)  # the loop sees the connections close (a server's loop runs on)
    # publishing fails fast with our error, from either instance, before local delivery
    for instance in (pubsub, other):
        began = time.monotonic()
        with pytest.raises(PubSubUnavailable, match=f"cannot publish to {broker.name} at"):
            await instance.publish("kept", "lost")
        assert time.monotonic() - began < 2.0
    # subscribing while the broker is away returns at once; the subscription waits for it
    during = inbox()
    began = time.monotonic()
    await pubsub.subscribe("new", during)
    assert time.monotonic() - began < 1.0
    await asyncio.sleep(1.5)  # let the reconnection back off to its longest delay

    start()
    back = time.monotonic()
    for received, topic in ((before, "kept"), *((r, t) for t, r in kept.items()), (during, "new")):
        await received.wait_until(PubSubGap(topic))
    assert time.monotonic() - back < back_within, f"subscriptions must be back in {back_within} s"
    assert before.messages == ["before", PubSubGap("kept")]
    assert during.messages == [PubSubGap("new")]

    await publish_soon(other, "kept", "after")  # publish works again
    await other.publish("new", "after")
    for topic in kept:
        await other.publish(topic, "after")  # every channel is listened to again
    assert await before.wait_for(3) == ["before", PubSubGap("kept"), "after"]
    assert await during.wait_for(2) == [PubSubGap("new"), "after"]
    for topic, received in kept.items():
        assert await received.wait_for(2) == [PubSubGap(topic), "after"]
    assert f"lost the connection to {broker.name}" in caplog.text
    assert f"reconnected to {broker.name}" in caplog.text
