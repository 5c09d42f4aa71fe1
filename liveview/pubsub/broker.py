"""What every backend over a network broker shares: listening per topic, publishing with a
deadline, reconnecting with backoff, and telling subscribers about gaps.

A `BrokerPubSub` holds two connections to its broker: one that listens (every topic with a local
subscriber is subscribed on it once, on the first local subscriber, and dropped on the last) and
one that publishes. A backend (Redis, PostgreSQL) supplies only the transport, as the `_open_*`,
`_close_*`, `_listen`, `_unlisten`, `_read`, `_submit` hooks below (and `_check_payload`, for a
broker with a size limit); this module decides when to call them and what failure means:

- `start` connects both or raises `PubSubUnavailable`, within `connect_timeout`.
- `subscribe` returns once the broker confirmed the topic, so what is published afterwards
  arrives. While the listening connection is down it returns at once: the topic is subscribed
  when the connection is back, followed by a `PubSubGap`.
- `publish` delivers to local subscribers without a round trip, then waits for the broker to
  take the message: at most `connect_timeout` to connect again, then `publish_timeout`; it raises
  `PubSubUnavailable` when the broker does not (before the local delivery when the broker is
  known to be gone). Copies that come back from the broker carry this node's id and are skipped.
- When the listening connection is lost, a supervisor task reconnects: at once, then after
  `reconnect_delay` doubling up to `max_reconnect_delay` (with jitter) until it succeeds; it
  subscribes every topic again, then hands a `PubSubGap` to every subscription of those topics,
  before any message received on that topic afterwards.
- For a backend that can ping (`_ping_name`, `_ping`), a listening connection that has been
  silent for `health_check_interval` seconds is pinged, and counts as lost when no answer comes
  within as long (a connection can stop answering without a FIN or RST).

This is the base for backend authors. `liveview.pubsub.sender.BatchingBrokerPubSub` builds on it
for brokers reached over network connections: it keeps both connections and implements the
publishing hooks (the outbox, the writer, the deadline), leaving the backend its protocol.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Collection, Iterator
from typing import ClassVar, TypedDict

from liveview.pubsub import observe
from liveview.pubsub.base import PubSub, PubSubGap, PubSubUnavailable
from liveview.pubsub.hub import Handler
from liveview.pubsub.messages import JSONValue
from liveview.pubsub.wire import (
    Data,
    MalformedMessage,
    decode_payload,
    encode_checked,
    payload_size,
)
from liveview.telemetry import hooks as _telemetry

logger = logging.getLogger("liveview.pubsub")

DEFAULT_PREFIX = "liveview:"
"""What a backend puts before a topic to name its channel, unless told otherwise."""


class BrokerOptions(TypedDict, total=False):
    """The keywords every broker backend takes, for `BrokerPubSub` (defaults there)."""

    publish_timeout: float
    connect_timeout: float
    reconnect_delay: float
    max_reconnect_delay: float
    health_check_interval: float


class BrokerPubSub(PubSub):
    """A PubSub whose messages travel through a broker; see the module docstring.

    - `address`: where the broker is, without secrets, for errors and logs;
    - `prefix`: what the names of this instance's channels start with, so that apps sharing a
      broker stay apart (`<prefix><topic>`, unless the backend must map the topic further);
    - `publish_timeout`: seconds the broker has to take a message, once connected;
    - `connect_timeout`: seconds to connect, and for the broker to confirm a (un)subscription;
    - `reconnect_delay`, `max_reconnect_delay`: the first and the longest wait between attempts
      to reconnect the listening connection;
    - `health_check_interval`: seconds of silence after which the listening connection is pinged
      (see `_ping`), and how long the answer may take.
    """

    broker_name: ClassVar[str] = "the broker"
    """The kind of broker, in errors and logs: "Redis", "PostgreSQL"."""

    def __init__(
        self,
        *,
        address: str = "",
        prefix: str = DEFAULT_PREFIX,
        publish_timeout: float = 1.0,
        connect_timeout: float = 1.0,
        reconnect_delay: float = 0.1,
        max_reconnect_delay: float = 1.0,
        health_check_interval: float = 5.0,
    ) -> None:
        super().__init__()
        self.prefix = prefix
        self._address = address
        self.publish_timeout = publish_timeout
        self.connect_timeout = connect_timeout
        self.reconnect_delay = reconnect_delay
        self.max_reconnect_delay = max_reconnect_delay
        self.health_check_interval = health_check_interval
        self._heard = 0.0  # loop time the listening connection last said something
        # Topics subscribed on the current listening connection -> the task confirming it (None
        # once confirmed). Emptied when the connection is lost.
        self._listening: dict[str, asyncio.Task[None] | None] = {}
        self._listener_up = False
        self._generation = 0  # counts listening connections: failures of old ones are ignored
        self._pending_gaps: set[str] = set()
        self._read_task: asyncio.Task[None] | None = None
        self._supervisor: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._address!r}, prefix={self.prefix!r})"

    @property
    def connected(self) -> bool:
        """Started, and the listening connection is up: False from the moment it is found
        lost until it is back and every topic is subscribed again."""
        return self._started and self._listener_up

    # -- what a backend provides ---------------------------------------------------------------

    def _describe(self) -> str:
        """The broker, for errors and logs, without secrets: e.g. "Redis at redis://h:6379/0"."""
        return f"{self.broker_name} at {self._address}"

    def _channel_name(self, topic: str) -> str:
        """The broker's name for a topic's channel, for logs."""
        return f"{self.broker_name} channel {self.prefix + topic!r}"

    @abc.abstractmethod
    async def _open_sender(self) -> None:
        """Connect the publishing connection; raise if the broker cannot be reached."""

    @abc.abstractmethod
    async def _close_sender(self) -> None:
        """Close the publishing connection (if open); never raise."""

    async def _flush_sender(self) -> None:
        """At close, before `_close_sender`: send what publishers have queued, in bounded
        time; never raise. By default there is no queue."""

    @abc.abstractmethod
    async def _submit(self, topic: str, payload: bytes) -> Awaitable[None]:
        """Queue a payload for the broker; return what to await for its acknowledgement.

        Reconnect the sender first if needed, raising if the broker cannot be reached within
        `connect_timeout`. Queue order must be call order. The awaitable must settle within
        `publish_timeout` of this call (failing if the broker did not take the message): the
        bound is the backend's to keep, so publishing needs no timer per message.
        """

    def _check_payload(self, topic: str, payload: bytes) -> None:
        """Raise (a ValueError, e.g. `MessageTooLarge`) for a payload the broker cannot carry.

        Called before `_submit` and the local delivery, so a refused message reaches nobody.
        """

    def _flush(self) -> None:
        """Start sending what `_submit` queued. Called after the local delivery, so that local
        subscribers' tasks are scheduled before the backend's writer."""

    @abc.abstractmethod
    async def _open_listener(self) -> None:
        """Connect the listening connection; raise if the broker cannot be reached."""

    @abc.abstractmethod
    async def _close_listener(self) -> None:
        """Close the listening connection (if open); never raise."""

    @abc.abstractmethod
    async def _read(self) -> None:
        """Read from the listening connection until it fails, then raise.

        Hand each payload to `_receive_payload`; confirm `_listen`/`_unlisten` calls waiting
        on it. Runs in its own task while the connection is up.
        """

    @abc.abstractmethod
    async def _listen(self, topics: Collection[str]) -> None:
        """Subscribe topics on the listening connection; return once the broker confirmed."""

    @abc.abstractmethod
    async def _unlisten(self, topics: Collection[str]) -> None:
        """Unsubscribe topics on the listening connection."""

    _ping_name: str | None = None
    """What `_ping` sends, for logs (`"PING"`, `"SELECT 1"`); None for a backend that cannot
    ping: its listening connection then goes without a health check."""

    async def _ping(self) -> None:
        """Ask the listening connection for an answer; return once it is sent, or answered.

        While the reader runs, it sets `self._heard` to the loop time whenever the connection
        says something; the answer counts once it has (this may set it, when it waits for one).
        """
        raise NotImplementedError

    # -- for the backend's reader --------------------------------------------------------------

    def _receive_payload(self, topic: str, data: Data) -> None:
        """Deliver a payload from the broker channel of `topic` (see `decode_payload`).

        A payload that cannot be read is logged and dropped; the connection carries on.
        """
        if self._pending_gaps and topic in self._pending_gaps:
            self._pending_gaps.discard(topic)
            self._deliver_gap(topic)
        try:
            envelope = decode_payload(topic, data)
        except MalformedMessage as error:
            logger.warning("dropped a message on %s: %s", self._channel_name(topic), error)
            return
        self._receive(envelope, payload_size(data))

    def _abort_listener(self) -> None:
        """Treat the listening connection as lost (e.g. it stopped answering)."""
        if self._read_task is not None:
            self._read_task.cancel()

    # -- connecting ----------------------------------------------------------------------------

    async def _connect(self) -> None:
        try:
            async with asyncio.timeout(self.connect_timeout):
                await self._open_sender()
                await self._open_listener()
        except Exception as error:
            await self._close_sender()
            await self._close_listener()
            raise PubSubUnavailable(f"cannot reach {self._describe()}: {_reason(error)}") from error
        self._listening.clear()
        self._pending_gaps.clear()
        self._start_reading(up=True)
        self._supervisor = asyncio.create_task(
            self._supervise(), name=f"liveview.pubsub supervisor for {self._describe()}"
        )

    async def _disconnect(self) -> None:
        await self._flush_sender()  # a worker shutting down publishes what it has queued
        tasks = [t for t in (self._supervisor, self._read_task) if t is not None]
        self._supervisor = self._read_task = None
        self._listener_up = False
        self._generation += 1
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        confirming = [t for t in self._listening.values() if t is not None]
        self._listening.clear()
        self._pending_gaps.clear()
        await self._close_listener()  # fails what `confirming` waits for: they end
        await self._close_sender()
        await asyncio.gather(*confirming, return_exceptions=True)

    def _require_started(self) -> None:
        if not self._started:
            name = type(self).__name__
            raise RuntimeError(f"{name} is not started: `await pubsub.start()` or `async with`")

    def _start_reading(self, *, up: bool) -> None:
        self._generation += 1
        self._listener_up = up
        self._read_task = asyncio.create_task(
            self._read_watched(), name=f"liveview.pubsub reader for {self._describe()}"
        )

    async def _read_watched(self) -> None:
        """`_read`, with the health check beside it while it runs (if the backend can ping)."""
        if self._ping_name is None:
            await self._read()
            return
        self._heard = asyncio.get_running_loop().time()
        watcher = asyncio.create_task(
            self._watch(self._generation),
            name=f"liveview.pubsub health check of {self._describe()}",
        )
        try:
            await self._read()
        finally:
            watcher.cancel()

    # -- publishing ----------------------------------------------------------------------------

    async def _broadcast(self, topic: str, message: JSONValue, exclude: str | None) -> None:
        self._require_started()
        observed = _telemetry.pubsub
        began = time.perf_counter_ns() if observed else 0
        payload = encode_checked(topic, message, self.node_id, exclude)
        self._check_payload(topic, payload)
        try:
            acknowledged = await self._submit(topic, payload)
        except Exception as error:
            raise self._unavailable("nobody got it", error) from error
        if observed:
            subscribers = self._hub.subscribers(topic)
            observe.delivered(self, topic, len(payload), subscribers, "local")
        self._hub.deliver(topic, message, exclude, len(payload))  # the local fast path
        self._flush()
        try:
            await acknowledged
        except Exception as error:
            raise self._unavailable("this process's subscribers got it", error) from error
        if observed:
            observe.published(self, topic, len(payload), time.perf_counter_ns() - began)

    def _unavailable(self, outcome: str, error: Exception) -> PubSubUnavailable:
        return PubSubUnavailable(
            f"cannot publish to {self._describe()} ({outcome}): {_reason(error)}"
        )

    # -- subscribing ---------------------------------------------------------------------------

    async def subscribe(self, topic: str, handler: Handler) -> str:
        self._require_started()
        subscription_id = await super().subscribe(topic, handler)
        try:
            await self._listen_to(topic)
        except BaseException:  # cancelled while waiting for the broker: leave nothing behind
            await self.unsubscribe(topic, subscription_id)
            raise
        return subscription_id

    async def unsubscribe(self, topic: str, subscription_id: str) -> None:
        await super().unsubscribe(topic, subscription_id)
        if topic in self._hub.topics() or topic not in self._listening:
            return
        del self._listening[topic]
        if not self._listener_up:
            return
        # No await before `_unlisten` sends: a new first subscriber's SUBSCRIBE goes after it.
        generation = self._generation
        try:
            async with asyncio.timeout(self.connect_timeout):
                await self._unlisten([topic])
        except Exception as error:
            self._lost(generation, f"unsubscribing {topic!r} failed: {_reason(error)}")

    async def _listen_to(self, topic: str) -> None:
        if not self._listener_up:
            return  # the reconnection subscribes it, then sends a gap
        if topic in self._listening:
            confirming = self._listening[topic]
        else:
            confirming = asyncio.create_task(self._confirm(topic, self._generation))
            self._listening[topic] = confirming
        if confirming is not None:
            # Not `await confirming`: one subscriber's cancellation must not cancel the others'.
            await asyncio.wait([confirming])

    async def _confirm(self, topic: str, generation: int) -> None:
        try:
            async with asyncio.timeout(self.connect_timeout):
                await self._listen([topic])
        except Exception as error:
            self._lost(generation, f"subscribing {topic!r} failed: {_reason(error)}")
            return
        if self._listening.get(topic) is asyncio.current_task():
            self._listening[topic] = None

    def _lost(self, generation: int, reason: str) -> None:
        """A listening-connection command failed: reconnect, unless that connection is gone."""
        if generation == self._generation and self._listener_up:
            logger.warning("%s: %s; reconnecting", self._describe(), reason)
            self._abort_listener()

    # -- the health check ----------------------------------------------------------------------

    async def _watch(self, generation: int) -> None:
        """Find out when the listening connection stops answering (no FIN, no RST)."""
        interval = self.health_check_interval
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(interval)
            if loop.time() - self._heard < interval:
                continue
            pinged = loop.time()
            try:
                async with asyncio.timeout(interval):
                    await self._ping()
            except TimeoutError:
                self._lost(generation, f"no answer to {self._ping_name} within {interval}s")
                return
            except Exception as error:
                self._lost(generation, f"{self._ping_name} failed: {error}")
                return
            if self._heard < pinged:  # sent: the answer comes to the reader
                await asyncio.sleep(interval)
                if self._heard < pinged:
                    self._lost(generation, f"no answer to {self._ping_name} within {interval}s")
                    return

    # -- the supervisor ------------------------------------------------------------------------

    async def _supervise(self) -> None:
        """Wait for the listening connection to fail; reconnect, resubscribe, send gaps."""
        while True:
            reading = self._read_task
            assert reading is not None
            await asyncio.wait([reading])
            self._listener_up = False
            self._generation += 1
            self._listening.clear()
            reason = "closed" if reading.cancelled() else _reason(reading.exception())
            logger.warning("lost the connection to %s (%s); reconnecting", self._describe(), reason)
            await self._close_listener()
            await self._reconnect()

    async def _reconnect(self) -> None:
        delay = self.reconnect_delay
        failures = 0
        while True:
            try:
                async with asyncio.timeout(self.connect_timeout):
                    await self._open_listener()
                self._start_reading(up=False)  # `subscribe` leaves new topics to `_resubscribe`
                await self._resubscribe()
            except Exception as error:
                await self._abandon_attempt()
                failures += 1
                if failures == 1 or failures % 50 == 0:
                    logger.warning(
                        "cannot reconnect to %s (%d attempts): %s",
                        self._describe(),
                        failures,
                        _reason(error),
                    )
                jittered = delay * random.uniform(0.75, 1.25)
                await asyncio.sleep(min(jittered, self.max_reconnect_delay))
                delay = min(delay * 2, self.max_reconnect_delay)
                continue
            logger.warning(
                "reconnected to %s; %d topics subscribed again",
                self._describe(),
                len(self._listening),
            )
            self._send_gaps()
            return

    async def _abandon_attempt(self) -> None:
        reading, self._read_task = self._read_task, None
        if reading is not None:
            reading.cancel()
            await asyncio.gather(reading, return_exceptions=True)
        self._generation += 1
        self._listener_up = False
        self._listening.clear()
        self._pending_gaps.clear()
        await self._close_listener()

    async def _resubscribe(self) -> None:
        """Subscribe every topic with a local subscriber, including those added meanwhile."""
        listened: set[str] = set()
        while missing := [t for t in self._hub.topics() if t not in listened]:
            self._pending_gaps.update(missing)
            async with asyncio.timeout(self.connect_timeout):
                await self._listen(missing)
            listened.update(missing)
        # Mark the connection up with no await since the last check, so no subscribe slips
        # between; topics whose subscribers left meanwhile go as in `unsubscribe`.
        stale = listened.difference(self._hub.topics())
        self._listening = {topic: None for topic in listened - stale}
        self._listener_up = True
        if stale:
            generation = self._generation
            try:
                async with asyncio.timeout(self.connect_timeout):
                    await self._unlisten(stale)
            except Exception as error:
                reason = f"unsubscribing {len(stale)} topics failed: {_reason(error)}"
                self._lost(generation, reason)

    def _send_gaps(self) -> None:
        gaps, self._pending_gaps = self._pending_gaps, set()
        for topic in gaps:
            self._deliver_gap(topic)

    def _deliver_gap(self, topic: str) -> None:
        if _telemetry.pubsub:
            observe.gap(self, topic, self._hub.subscribers(topic))
        self._hub.deliver(topic, PubSubGap(topic), size=0)


def _reason(error: BaseException | None) -> str:
    if error is None:
        return "closed"
    if isinstance(error, TimeoutError) and not str(error):
        return "timed out"
    text = str(error) or type(error).__name__
    return text


@contextlib.contextmanager
def install_hint(hint: str) -> Iterator[None]:
    """Around the lazy import of a backend's driver: an ImportError says what to install."""
    try:
        yield
    except ImportError as error:
        raise ImportError(hint) from error


def chunks(items: Collection[str], size: int) -> Iterator[list[str]]:
    """`items` in lists of at most `size`, for brokers that limit the channels per command."""
    listed = list(items)
    for start in range(0, len(listed), size):
        yield listed[start : start + size]
