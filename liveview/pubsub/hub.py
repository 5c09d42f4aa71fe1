"""Local delivery: which handlers listen to which topic here, and calling them in order.

Every backend hands the messages that reach this process (published here, or received from a
broker) to a `Hub`. Fan-out to many subscribers of one topic is the hot path, so sync handlers
are called inline with no per-message allocation beyond a snapshot of the topic's subscribers.
An async handler gets a queue of its own, drained by a task made only while messages wait: it
sees messages in order, and a slow one never holds up the publisher or other subscribers. A
handler that raises is logged with its traceback and stays subscribed.

The hub does not look inside messages; checking them is the caller's job (see `messages`). A
handler marked `with_size` gets each message as a `Sized`: the message and its size in bytes,
known or estimated once per publish (a LiveView's mailbox bounds what waits by it), whatever
the number of subscribers.
"""

from __future__ import annotations

import asyncio
import collections
import inspect
import logging
from collections.abc import Awaitable, Callable, KeysView
from typing import Any, Final, TypeVar

import orjson

from liveview.pubsub.ids import unique_id

logger = logging.getLogger("liveview.pubsub")

Handler = Callable[[Any], Awaitable[None] | None]
"""What `PubSub.subscribe` takes: called with the message alone (or a `PubSubGap`); a coroutine
function's result is awaited. For type hints in apps and backends: `liveview.pubsub.hub.Handler`."""


H = TypeVar("H", bound=Callable[..., Any])

_WITH_SIZE: Final = "liveview_with_size"


def with_size(handler: H) -> H:
    """Mark a handler (a plain function, or a method in its class) to be called with a `Sized`
    in place of the message: for a subscriber that bounds the bytes of what waits for it. It
    is called inline and returns nothing (a mailbox's `put`)."""
    setattr(handler, _WITH_SIZE, True)
    return handler


class Sized:
    """A message and its size in bytes: the broker payload's length, or for a local publish the
    length of its JSON. One per publish, shared by every subscriber marked `with_size`."""

    __slots__ = ("message", "size")

    def __init__(self, message: object, size: int) -> None:
        self.message = message
        self.size = size

    def __repr__(self) -> str:
        return f"Sized({self.message!r}, size={self.size})"


def json_size(message: object) -> int:
    """The bytes of `message` as JSON: about what a broker would carry (0 for what orjson does
    not write)."""
    try:
        return len(orjson.dumps(message))
    except TypeError:
        return 0


def _is_async(handler: Handler) -> bool:
    """Tell coroutine functions (and objects with an async __call__) from plain functions."""
    return inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(
        type(handler).__call__
    )


class Subscription:
    """One handler listening to one topic.

    `queue` is None while the handler is synchronous (called inline by `Hub.deliver`); an async
    handler's messages wait in it for `task`, which exists only while there is work.
    """

    __slots__ = ("active", "handler", "id", "queue", "sized", "task", "topic")

    def __init__(self, topic: str, handler: Handler) -> None:
        self.id = unique_id()
        self.topic = topic
        self.handler = handler
        self.active = True
        self.queue: collections.deque[object] | None = (
            collections.deque() if _is_async(handler) else None
        )
        self.sized: bool = getattr(handler, _WITH_SIZE, False) is True
        if self.sized and self.queue is not None:
            raise TypeError(f"a handler marked with_size must be a plain function: {handler!r}")
        self.task: asyncio.Task[None] | None = None

    def push(self, message: object) -> None:
        """Queue a message for the async handler, starting the drain task if it is idle."""
        assert self.queue is not None
        self.queue.append(message)
        if self.task is None:
            self._start_draining(None)

    def adopt(self, result: Awaitable[object]) -> None:
        """A handler taken for sync returned an awaitable (say `lambda m: queue.put(m)`).

        Await it in a drain task and queue the handler's later messages behind it, so the
        awaitable is not dropped and order holds.
        """
        self.queue = collections.deque()
        self._start_draining(result)

    def report_failure(self) -> None:
        """Log the exception being handled; delivery goes on."""
        logger.exception("pubsub handler %r for topic %r raised", self.handler, self.topic)

    def stop(self) -> asyncio.Task[None] | None:
        """Deliver nothing more; return the task still running a handler, if any."""
        self.active = False
        if self.queue is not None:
            self.queue.clear()
        return self.task

    def _start_draining(self, first: Awaitable[object] | None) -> None:
        self.task = asyncio.get_running_loop().create_task(
            self._drain(first), name=f"liveview.pubsub handler for {self.topic!r}"
        )

    async def _drain(self, first: Awaitable[object] | None) -> None:
        try:
            if first is not None:
                try:
                    await first
                except Exception:
                    self.report_failure()
            queue = self.queue
            assert queue is not None
            while queue:  # `stop` empties the queue, which ends the loop
                message = queue.popleft()
                try:
                    result = self.handler(message)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    self.report_failure()
        finally:
            self.task = None  # no await since the emptiness check: `push` sees this in time


class Hub:
    """The topic -> subscriptions index of one process (in-memory) or one backend instance."""

    __slots__ = ("_topics",)

    def __init__(self) -> None:
        self._topics: dict[str, dict[str, Subscription]] = {}

    def subscribe(self, topic: str, handler: Handler) -> Subscription:
        subscription = Subscription(topic, handler)
        self._topics.setdefault(topic, {})[subscription.id] = subscription
        return subscription

    def unsubscribe(self, subscription: Subscription) -> asyncio.Task[None] | None:
        """Remove a subscription; return its task still running a handler, if any."""
        subscriptions = self._topics.get(subscription.topic)
        if subscriptions is not None:
            subscriptions.pop(subscription.id, None)
            if not subscriptions:
                del self._topics[subscription.topic]
        return subscription.stop()

    def subscribers(self, topic: str) -> int:
        """How many subscriptions `topic` has here."""
        return len(self._topics.get(topic, ()))

    def topics(self) -> KeysView[str]:
        """Topics with at least one subscriber (for backends that subscribe per topic)."""
        return self._topics.keys()

    def deliver(
        self, topic: str, message: object, exclude: str | None = None, size: int | None = None
    ) -> None:
        """Hand a message to every subscriber of topic but `exclude`, in subscription order.

        `size` is the message's size in bytes, if known (a broker payload's length); else the
        first subscriber that wants it (`with_size`) has it estimated (`json_size`), once."""
        subscriptions = self._topics.get(topic)
        if not subscriptions:
            return
        skip = subscriptions.get(exclude) if exclude is not None else None
        sized: Sized | None = None
        # A snapshot: handlers called inline may subscribe or unsubscribe.
        for subscription in tuple(subscriptions.values()):
            if subscription is skip or not subscription.active:
                continue
            if subscription.sized:  # a plain function that returns nothing
                if sized is None:
                    sized = Sized(message, json_size(message) if size is None else size)
                try:
                    subscription.handler(sized)
                except Exception:
                    subscription.report_failure()
                continue
            if subscription.queue is not None:
                subscription.push(message)
                continue
            try:
                result = subscription.handler(message)
            except Exception:
                subscription.report_failure()
                continue
            if result is not None and inspect.isawaitable(result):
                subscription.adopt(result)
