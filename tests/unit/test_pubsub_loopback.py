"""The contract through the wire format: a backend whose "broker" is the event loop.

`LoopbackPubSub` is what a remote backend reduces to once the network is taken out: local
delivery in `_broadcast`, envelopes to every node, `_receive` skipping its own. Running the
contract on it checks that base.py leaves remote backends nothing but transport to write, and
that exclude, origin and the envelope round trip behave before Redis or PostgreSQL are involved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from liveview.pubsub import PubSub
from liveview.pubsub.messages import JSONValue
from liveview.pubsub.wire import decode_envelope, encode_envelope
from tests.pubsub_contract import Inbox, PubSubContract


class Broker:
    """Hands every envelope to every connected node, later, in send order (like a broker)."""

    def __init__(self) -> None:
        self.nodes: list[LoopbackPubSub] = []
        self.sent: list[bytes] = []

    def send(self, data: bytes) -> None:
        self.sent.append(data)
        loop = asyncio.get_running_loop()
        for node in self.nodes:
            loop.call_soon(node.on_data, data)


class LoopbackPubSub(PubSub):
    def __init__(self, broker: Broker) -> None:
        super().__init__()
        self._broker = broker

    async def _connect(self) -> None:
        self._broker.nodes.append(self)

    async def _disconnect(self) -> None:
        self._broker.nodes.remove(self)

    async def _broadcast(self, topic: str, message: JSONValue, exclude: str | None) -> None:
        self._hub.deliver(topic, message, exclude)
        self._broker.send(encode_envelope(topic, message, self.node_id, exclude))

    def on_data(self, data: bytes) -> None:
        self._receive(decode_envelope(data))


class TestLoopbackPubSubContract(PubSubContract):
    @pytest.fixture
    def broker(self) -> Broker:
        return Broker()

    @pytest.fixture
    def make_pubsub(self, broker: Broker) -> Callable[[], PubSub]:
        return lambda: LoopbackPubSub(broker)

    async def test_envelopes_carry_origin_and_exclude(
        self, broker: Broker, pubsub: PubSub, topic: str
    ) -> None:
        await pubsub.publish(topic, {"a": (1,)}, exclude="x.1")
        envelope = decode_envelope(broker.sent[-1])
        assert (envelope.topic, envelope.message) == (topic, {"a": [1]})
        assert (envelope.origin, envelope.exclude) == (pubsub.node_id, "x.1")

    async def test_an_outside_program_reaches_subscribers(
        self, broker: Broker, pubsub: PubSub, topic: str
    ) -> None:
        inbox = Inbox(self.delivery_timeout)
        await pubsub.subscribe(topic, inbox)
        broker.send(b'{"topic": "%s", "message": {"type": "inc"}}' % topic.encode())
        assert await inbox.wait_for(1) == [{"type": "inc"}]

    async def test_restart_gives_a_new_node_id(self, pubsub: PubSub) -> None:
        before = pubsub.node_id
        await pubsub.close()
        await pubsub.start()
        assert pubsub.node_id != before


async def test_own_envelopes_are_not_delivered_twice() -> None:
    broker = Broker()
    async with LoopbackPubSub(broker) as pubsub:
        received: list[Any] = []
        await pubsub.subscribe("t", received.append)
        await pubsub.publish("t", 1)
        assert received == [1]  # local fast path, before the broker delivers
        for _ in range(3):
            await asyncio.sleep(0)  # the envelope comes back and is skipped
        assert received == [1]
        assert len(broker.sent) == 1
