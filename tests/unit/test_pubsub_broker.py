"""The machinery every broker backend shares (liveview.pubsub.broker), over a fake broker.

`FakeBrokerPubSub` implements only the transport hooks, on an in-memory broker that a test can
take down and bring back. The contract suite runs on it, then the parts the contract cannot see:
per-topic listening, publish failures, reconnection, resubscription and gap notices. (RedisPubSub
runs the same scenarios against a real redis-server in tests/integration.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from typing import Any

import pytest

from liveview.pubsub import MessageTooLarge, PubSub, PubSubGap, PubSubUnavailable
from liveview.pubsub.broker import BrokerPubSub
from liveview.pubsub.hub import with_size
from liveview.pubsub.wire import decode_payload, payload_size
from tests.pubsub_contract import Inbox, PubSubContract, marker

LOST = object()


class FakeBroker:
    """Channels by topic; every listening connection is a queue of (topic, payload)."""

    def __init__(self) -> None:
        self.up = True
        self.listeners: dict[asyncio.Queue[Any], set[str]] = {}
        self.commands: list[tuple[str, tuple[str, ...]]] = []

    def publish(self, topic: str, payload: bytes) -> None:
        for queue, topics in self.listeners.items():
            if topic in topics:
                queue.put_nowait((topic, payload))

    def go_down(self) -> None:
        self.up = False
        for queue in self.listeners:
            queue.put_nowait(LOST)
        self.listeners.clear()

    def check(self) -> None:
        if not self.up:
            raise ConnectionError("connection refused")


class FakeBrokerPubSub(BrokerPubSub):
    def __init__(self, broker: FakeBroker) -> None:
        super().__init__(reconnect_delay=0.01, max_reconnect_delay=0.05)
        self.broker = broker
        self.queue: asyncio.Queue[Any] | None = None

    def _describe(self) -> str:
        return "the fake broker"

    async def _open_sender(self) -> None:
        self.broker.check()

    async def _close_sender(self) -> None:
        pass

    async def _submit(self, topic: str, payload: bytes) -> Awaitable[None]:
        self.broker.check()
        acknowledged = asyncio.get_running_loop().create_future()
        self.broker.publish(topic, payload)
        acknowledged.set_result(None)
        return acknowledged

    async def _open_listener(self) -> None:
        self.broker.check()
        self.queue = asyncio.Queue()
        self.broker.listeners[self.queue] = set()

    async def _close_listener(self) -> None:
        if self.queue is not None:
            self.broker.listeners.pop(self.queue, None)
            self.queue = None

    async def _listen(self, topics: Collection[str]) -> None:
        await asyncio.sleep(0)  # a round trip
        assert self.queue is not None
        self.broker.check()
        self.broker.commands.append(("listen", tuple(sorted(topics))))
        self.broker.listeners[self.queue].update(topics)

    async def _unlisten(self, topics: Collection[str]) -> None:
        assert self.queue is not None
        self.broker.commands.append(("unlisten", tuple(sorted(topics))))
        self.broker.listeners[self.queue].difference_update(topics)

    async def _read(self) -> None:
        queue = self.queue
        assert queue is not None
        while True:
            item = await queue.get()
            if item is LOST:
                raise ConnectionError("connection reset")
            self._receive_payload(*item)


class TestFakeBrokerContract(PubSubContract):
    @pytest.fixture
    def make_pubsub(self) -> Callable[[], PubSub]:
        broker = FakeBroker()
        return lambda: FakeBrokerPubSub(broker)


@pytest.fixture
async def broker() -> FakeBroker:
    return FakeBroker()


@pytest.fixture
async def nodes(broker: FakeBroker) -> Any:
    opened: list[FakeBrokerPubSub] = []

    async def open_() -> FakeBrokerPubSub:
        node = FakeBrokerPubSub(broker)
        opened.append(node)
        await node.start()
        return node

    yield open_
    for node in opened:
        await node.close()


def inbox() -> Inbox:
    return Inbox(5.0)


async def test_a_topic_is_listened_to_once_and_dropped_with_its_last_subscriber(
    broker: FakeBroker, nodes: Any
) -> None:
    node = await nodes()
    ids = [await node.subscribe("t", inbox()) for _ in range(3)]
    for subscription_id in ids:
        await node.unsubscribe("t", subscription_id)
    assert broker.commands == [("listen", ("t",)), ("unlisten", ("t",))]


async def test_start_and_publish_fail_with_our_error(broker: FakeBroker, nodes: Any) -> None:
    node = await nodes()
    here = inbox()
    await node.subscribe("t", here)
    broker.go_down()
    with pytest.raises(PubSubUnavailable, match="nobody got it"):
        await node.publish("t", "lost")
    assert here.messages == []
    with pytest.raises(PubSubUnavailable, match="cannot reach the fake broker"):
        await FakeBrokerPubSub(broker).start()


async def test_reconnect_resubscribes_and_sends_gaps(broker: FakeBroker, nodes: Any) -> None:
    node, other = await nodes(), await nodes()
    a1, a2, b = inbox(), inbox(), inbox()
    await node.subscribe("a", a1)
    await node.subscribe("a", a2)
    await node.subscribe("b", b)
    broker.go_down()
    await asyncio.sleep(0.02)
    during = inbox()
    await node.subscribe("c", during)  # while down: returns at once
    leaving = await node.subscribe("d", inbox())
    await node.unsubscribe("d", leaving)
    broker.up = True
    for received, topic in ((a1, "a"), (a2, "a"), (b, "b"), (during, "c")):
        assert await received.wait_for(1) == [PubSubGap(topic)]
    last = marker()
    await other.publish("c", last)
    assert await during.wait_until(last) == [PubSubGap("c")]
    listened = {topic for kind, topics in broker.commands if kind == "listen" for topic in topics}
    assert "d" not in listened


async def test_a_message_received_during_resubscription_comes_after_the_gap(
    broker: FakeBroker,
) -> None:
    class Slow(FakeBrokerPubSub):
        reconnecting = False

        async def _listen(self, topics: Collection[str]) -> None:
            await super()._listen(topics)
            if self.reconnecting:  # subscribed again; a message arrives before the gaps are out
                self.broker.publish("early", b'"after the gap"')
                await asyncio.sleep(0.01)

    node = Slow(broker)
    async with node:
        early, late = inbox(), inbox()
        await node.subscribe("early", early)
        await node.subscribe("late", late)
        node.reconnecting = True
        broker.go_down()
        await asyncio.sleep(0.02)
        broker.up = True
        assert await early.wait_for(2) == [PubSubGap("early"), "after the gap"]
        assert await late.wait_for(1) == [PubSubGap("late")]


async def test_close_during_reconnection_stops_it(broker: FakeBroker) -> None:
    node = FakeBrokerPubSub(broker)
    await node.start()
    await node.subscribe("t", inbox())
    broker.go_down()
    await asyncio.sleep(0.05)  # failing reconnection attempts
    await node.close()
    broker.up = True
    await asyncio.sleep(0.1)
    assert broker.listeners == {}


# -- the payload rule ----------------------------------------------------------------------------


async def test_a_payload_the_backend_refuses_reaches_nobody(broker: FakeBroker, nodes: Any) -> None:
    """`_check_payload` (a size limit) runs before anything is sent or delivered locally."""

    class Limited(FakeBrokerPubSub):
        def _check_payload(self, topic: str, payload: bytes) -> None:
            if len(payload) > 300:
                raise MessageTooLarge("too large", size=len(payload), limit=300)

    node = Limited(broker)
    other = await nodes()
    here, there = inbox(), inbox()
    async with node:
        await node.subscribe("t", here)
        await other.subscribe("t", there)
        with pytest.raises(MessageTooLarge) as refused:
            await node.publish("t", "x" * 300)
        assert isinstance(refused.value, ValueError) and refused.value.limit == 300
        last = marker()
        await node.publish("t", last)
        for received in (here, there):
            assert await received.wait_until(last) == []


async def test_sized_subscribers_get_the_payload_length_here_and_there(
    broker: FakeBroker, nodes: Any
) -> None:
    """A subscriber marked `with_size` counts a message as the bytes the broker carries: the
    payload this node wrote, or the one it read; gaps as nothing."""
    sent: list[bytes] = []
    publish = broker.publish

    def recorded(topic: str, payload: bytes) -> None:
        sent.append(payload)
        publish(topic, payload)

    broker.publish = recorded  # type: ignore[method-assign]
    node, other = await nodes(), await nodes()
    here, there = inbox(), inbox()
    await node.subscribe("t", with_size(here))
    await other.subscribe("t", with_size(there))
    await node.publish("t", {"text": "é" * 10})
    payload_length = len(sent[-1])
    for received in (here, there):
        [published] = await received.wait_for(1)
        assert (published.message, published.size) == ({"text": "é" * 10}, payload_length)
    broker.publish("t", '"é"'.encode())  # an outside program's payload, read from the broker
    [_, published] = await there.wait_for(2)
    assert (published.message, published.size) == ("é", 4)
    assert payload_size('"é"') == 4 and payload_size(memoryview(b"abc")) == 3


@pytest.mark.parametrize(
    ("payload", "message", "origin"),
    [
        (b'{"topic": "t", "message": [1]}', [1], None),
        (b'{"topic": "t", "message": null, "origin": "n.1", "exclude": null}', None, "n.1"),
        (b'{"topic": "u", "message": 1}', {"topic": "u", "message": 1}, None),
        (b'{"topic": "t", "message": 1, "x": 2}', {"topic": "t", "message": 1, "x": 2}, None),
        (b'{"message": 1}', {"message": 1}, None),
        (b'"text"', "text", None),
        ("[true]", [True], None),
    ],
)
def test_payloads_are_envelopes_only_in_the_envelope_shape(
    payload: bytes | str, message: Any, origin: str | None
) -> None:
    envelope = decode_payload("t", payload)
    assert (envelope.topic, envelope.message, envelope.origin) == ("t", message, origin)
