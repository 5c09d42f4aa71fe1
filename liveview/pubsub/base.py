"""The PubSub interface every backend implements, and the errors and notices it raises.

`PubSub` checks messages and topics (the rules of `liveview.pubsub.messages`), keeps the
subscriptions and delivers locally through a `Hub`; a backend adds only transport. Remote
backends carry messages in the format of `liveview.pubsub.wire`.

Broker loss
-----------
`publish` raises `PubSubUnavailable` when the broker cannot be reached in bounded time. After a
lost connection comes back, every subscription of a topic that was subscribed again receives a
`PubSubGap` (before any message received on that topic afterwards): messages may have been
missed, so state should be reloaded. The in-process backend never sends one.

Exceptions
----------
The errors of the pubsub package, under the builtin each extends:

    ConnectionError
    └── PubSubUnavailable   the broker did not take a message, or was not reached, in time
    ValueError
    ├── MessageTooLarge     a message larger than the broker carries, refused at `publish`
    └── MalformedMessage    broker bytes that are not a message (in `liveview.pubsub.wire`;
                            backends log and drop them, so apps never see one)

Arguments are checked with the builtins: `TypeError` for a message that is not JSON (naming
where) or a topic, id or handler of the wrong type; `ValueError` for an empty topic, a bad URL,
DSN or channel prefix; `ImportError` when a backend's driver is not installed; `RuntimeError` for
publishing or subscribing on a broker backend that is not started. `PubSubGap` is no exception
but a notice: subscribers receive it in place of a message.
"""

from __future__ import annotations

import abc
import asyncio
import logging
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from liveview.pubsub import observe
from liveview.pubsub.hub import Handler, Hub, Subscription
from liveview.pubsub.ids import unique_id
from liveview.pubsub.messages import (
    JSONLike,
    JSONValue,
    check_id,
    check_topic,
    to_json_value,
    type_name,
)
from liveview.pubsub.wire import Envelope
from liveview.telemetry import hooks as _telemetry

logger = logging.getLogger("liveview.pubsub")

CLOSE_TIMEOUT = 5.0
"""Seconds `close` waits for cancelled handlers to finish."""


class PubSubUnavailable(ConnectionError):
    """The broker could not be reached in time: the message did not (surely) reach other nodes.

    Raised by `publish` and `start` of remote backends; never by the in-process one.
    """


class MessageTooLarge(ValueError):
    """A message whose wire form is larger than the broker carries (PostgreSQL NOTIFY: under 8000
    bytes), refused at `publish` before anyone, local subscribers included, got it.

    `size` is the encoded envelope's length in bytes, `limit` the largest the broker takes.
    """

    def __init__(self, text: str, *, size: int, limit: int) -> None:
        super().__init__(text)
        self.size = size
        self.limit = limit


@dataclass(frozen=True, slots=True)
class PubSubGap:
    """Handed to every subscription of `topic` when the connection to the broker came back.

    Messages published on `topic` while it was lost may never arrive: a LiveView gets this in
    `handle_info` and should reload what it shows from the source of truth.
    """

    topic: str


class PubSub(abc.ABC):
    """Publish JSON messages to topics; subscribe handlers to topics.

    Backends supply only transport: `_broadcast`, and `_connect`/`_disconnect` if they hold a
    connection. Checking messages, subscription ids, bookkeeping and local delivery (through
    a `Hub`) live here, identical for all. A remote backend delivers its own messages locally
    in `_broadcast` (no broker round trip) and hands envelopes from the broker to `_receive`,
    which skips its own. Backends that subscribe per topic at the broker extend
    `subscribe`/`unsubscribe` and can see `self._hub.topics()`; `broker.BrokerPubSub` does that,
    with reconnection and gap notices, for backends over a network broker.
    """

    def __init__(self, *, hub: Hub | None = None) -> None:
        self._hub = Hub() if hub is None else hub
        self._subscriptions: dict[str, Subscription] = {}
        self._started = False
        self._node_id = unique_id()

    @property
    def node_id(self) -> str:
        """This instance's `origin` on the wire; renewed by `start`, so forked workers differ."""
        return self._node_id

    @property
    def started(self) -> bool:
        """`start` has run (and `close` has not since)."""
        return self._started

    @property
    def connected(self) -> bool:
        """Messages flow: started, and for a backend over a broker, its connection to the
        broker is up (what a readiness check reports)."""
        return self._started

    @property
    def subscription_count(self) -> int:
        """Live subscriptions made through this instance (tests count leaks with it)."""
        return len(self._subscriptions)

    async def start(self) -> None:
        """Connect the transport; starting a started instance does nothing."""
        if self._started:
            return
        self._node_id = unique_id()
        await self._connect()
        self._started = True

    async def close(self) -> None:
        """Remove this instance's subscriptions, cancel their running handlers, disconnect.

        The instance can be started again afterwards.
        """
        subscriptions = list(self._subscriptions.values())
        self._subscriptions.clear()
        running = [self._hub.unsubscribe(s) for s in subscriptions]
        await _cancel([task for task in running if task is not None])
        if self._started:
            self._started = False
            await self._disconnect()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def publish(self, topic: str, message: JSONLike, *, exclude: str | None = None) -> None:
        """Send `message` to every subscriber of `topic` but the subscription `exclude`.

        Raises TypeError, naming the path, if the message is not a JSON value.
        """
        check_topic(topic)
        check_id(exclude, "exclude")
        await self._broadcast(topic, to_json_value(message), exclude)

    async def subscribe(self, topic: str, handler: Handler) -> str:
        """Call `handler(message)` for each message on `topic`; return the subscription id.

        A coroutine function is awaited; each subscription gets its messages in publish order.
        """
        check_topic(topic)
        if not callable(handler):
            raise TypeError(f"handler must be callable, not {type_name(handler)}")
        subscription = self._hub.subscribe(topic, handler)
        self._subscriptions[subscription.id] = subscription
        return subscription.id

    async def unsubscribe(self, topic: str, subscription_id: str) -> None:
        """Stop a subscription made through this instance; unknown ids are ignored.

        Messages already queued for it are dropped; a handler already running finishes.
        """
        check_topic(topic)
        subscription = self._subscriptions.get(subscription_id)
        if subscription is None or subscription.topic != topic:
            return
        del self._subscriptions[subscription_id]
        self._hub.unsubscribe(subscription)

    @abc.abstractmethod
    async def _broadcast(self, topic: str, message: JSONValue, exclude: str | None) -> None:
        """Deliver a checked message to subscribers here (`self._hub`) and on other nodes."""

    async def _connect(self) -> None:
        """Open the transport (called by `start`)."""
        return None

    async def _disconnect(self) -> None:
        """Close the transport (called by `close` after a `start`)."""
        return None

    def _receive(self, envelope: Envelope, size: int | None = None) -> None:
        """Deliver an envelope from the broker to local subscribers, unless it came from here;
        `size` is its payload's length in bytes (what a LiveView's mailbox counts it as)."""
        if envelope.origin != self._node_id:
            if _telemetry.pubsub:
                subscribers = self._hub.subscribers(envelope.topic)
                observe.delivered(self, envelope.topic, size or 0, subscribers, "remote")
            self._hub.deliver(envelope.topic, envelope.message, envelope.exclude, size)


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel handlers still running and wait (bounded) for them to finish."""
    loop = asyncio.get_running_loop()
    current = asyncio.current_task()
    # A handler may close its own pubsub; a task of another (closed) loop cannot be waited for.
    tasks = [t for t in tasks if t is not current and t.get_loop() is loop]
    for task in tasks:
        task.cancel()
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=CLOSE_TIMEOUT)
        if pending:
            logger.warning("%d pubsub handlers ignored cancellation at close", len(pending))
