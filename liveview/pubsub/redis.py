"""RedisPubSub: LiveViews in many processes and on many hosts, sharing one Redis (or Valkey).

Needs the `redis` package: ``pip install liveview[redis]``.

Wire format
-----------
A topic is the Redis channel ``<prefix><topic>`` (prefix ``"liveview:"`` by default), so topic
``counter`` is channel ``liveview:counter``. Each message is one PUBLISH whose payload is UTF-8
JSON. RedisPubSub sends the envelope of `liveview.pubsub.wire`::

    {"topic": "counter", "message": {"type": "inc"}, "origin": "5f0c2a9e3b7d1c44.3"}

and reads, from any program, either such an envelope or a bare message: a payload is taken as an
envelope only when it is a JSON object with a ``topic`` equal to the channel's topic, a
``message``, and no keys but ``topic``, ``message``, ``origin`` and ``exclude``; any other JSON
value is the message itself. So both of these reach `handle_info` as ``{"type": "inc"}``::

    redis-cli PUBLISH liveview:counter '{"type": "inc"}'
    redis-cli PUBLISH liveview:counter '{"topic": "counter", "message": {"type": "inc"}}'

A payload that is not JSON (or holds a value the message rules refuse, like an integer beyond
64 bits) is logged with its channel and dropped; the connection carries on.

Connections
-----------
Each instance holds two connections (RESP2, named ``liveview-listen`` and ``liveview-publish``
in ``CLIENT LIST``): one SUBSCRIBEs each topic with a local subscriber, one PUBLISHes, pipelining
the messages of concurrent publishers. The listening connection sends a PING when it has heard
nothing for `health_check_interval` seconds and counts as lost when that goes unanswered as
long. Reconnection, resubscription and `PubSubGap` notices are `liveview.pubsub.broker`'s.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
from collections.abc import Awaitable, Collection, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from liveview.pubsub.broker import BrokerPubSub

if TYPE_CHECKING:
    from redis.asyncio.connection import AbstractConnection

INSTALL_HINT = "RedisPubSub needs the redis package: pip install liveview[redis]"

MAX_BATCH = 512
"""Most PUBLISH commands written in one go by the sender."""

MAX_CHANNELS_PER_COMMAND = 1000
"""Most channels in one SUBSCRIBE or UNSUBSCRIBE (resubscribing thousands of topics)."""


def _connection_options(url: str) -> dict[str, Any]:
    """Connection options from a redis://, rediss:// or unix:// URL (imports redis lazily)."""
    try:
        from redis.asyncio.connection import parse_url
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error
    return dict(parse_url(url))


def redact(url: str) -> str:
    """The URL with its password replaced, for logs and errors."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


class RedisPubSub(BrokerPubSub):
    """Pub/sub over Redis channels; see the module docstring for the wire format.

    `publish` raises `PubSubUnavailable` when Redis does not take the message within
    `publish_timeout`; after a lost connection comes back, subscriptions get a `PubSubGap`.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "liveview:",
        publish_timeout: float = 1.0,
        connect_timeout: float = 1.0,
        reconnect_delay: float = 0.1,
        max_reconnect_delay: float = 1.0,
        health_check_interval: float = 5.0,
    ) -> None:
        self._options = _connection_options(url)  # ImportError or ValueError now, not at start
        super().__init__(
            publish_timeout=publish_timeout,
            connect_timeout=connect_timeout,
            reconnect_delay=reconnect_delay,
            max_reconnect_delay=max_reconnect_delay,
        )
        self.url = url
        self.prefix = prefix
        self.health_check_interval = health_check_interval
        self._prefix = prefix.encode()
        # publishing
        self._sender: AbstractConnection | None = None
        self._sender_connecting: asyncio.Task[AbstractConnection] | None = None
        # (PUBLISH command, its acknowledgement, when it was queued)
        self._outbox: collections.deque[tuple[bytes, asyncio.Future[None], float]] = (
            collections.deque()
        )
        self._writer: asyncio.Task[None] | None = None
        # listening
        self._listener: AbstractConnection | None = None
        self._write_lock = asyncio.Lock()
        self._acks: dict[bytes, collections.deque[asyncio.Future[None]]] = {}
        self._heard = 0.0

    def __repr__(self) -> str:
        return f"RedisPubSub({redact(self.url)!r}, prefix={self.prefix!r})"

    def channel(self, topic: str) -> bytes:
        """The Redis channel of a topic."""
        return self._prefix + topic.encode()

    def _describe(self) -> str:
        return f"Redis at {redact(self.url)}"

    def _channel_name(self, topic: str) -> str:
        return f"Redis channel {self.prefix + topic!r}"

    def _connection(self, name: str, socket_timeout: float | None) -> AbstractConnection:
        from redis.asyncio.connection import Connection

        options = {
            "socket_connect_timeout": self.connect_timeout,
            "socket_timeout": socket_timeout,
            "client_name": name,
            **self._options,
        }
        options["protocol"] = 2  # pub/sub messages as plain replies, on every server version
        connection_class = options.pop("connection_class", Connection)
        connection: AbstractConnection = connection_class(**options)
        return connection

    # -- publishing ----------------------------------------------------------------------------

    async def _open_sender(self) -> None:
        await self._sender_connection()

    async def _close_sender(self) -> None:
        connecting, self._sender_connecting = self._sender_connecting, None
        if connecting is not None:
            connecting.cancel()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
        _fail(self._outbox, ConnectionError("closed"))
        sender, self._sender = self._sender, None
        await _disconnect(sender)

    async def _sender_connection(self) -> AbstractConnection:
        """The publishing connection, connected (again) if needed; callers share one attempt."""
        sender = self._sender
        if sender is not None:
            try:
                gone = await sender.can_read()  # an idle sender has nothing to read, unless EOF
            except Exception:
                gone = True
            if not gone:
                return sender
            self._sender = None
            await _disconnect(sender)
        if self._sender_connecting is None:
            self._sender_connecting = asyncio.create_task(self._connect_sender())
        connecting = self._sender_connecting
        await asyncio.wait([connecting])  # our own cancellation must not cancel the shared attempt
        if connecting.cancelled():
            raise ConnectionError("closed")
        return connecting.result()

    async def _connect_sender(self) -> AbstractConnection:
        # No socket timeout on the sender: `_write` bounds each batch with one timer instead.
        connection = self._connection("liveview-publish", socket_timeout=None)
        try:
            async with asyncio.timeout(self.connect_timeout):
                await connection.connect()  # type: ignore[no-untyped-call]
        except BaseException:
            await _disconnect(connection)
            raise
        finally:
            self._sender_connecting = None
        self._sender = connection
        return connection

    async def _submit(self, topic: str, payload: bytes) -> Awaitable[None]:
        await self._sender_connection()  # fails before local delivery if Redis is known gone
        loop = asyncio.get_running_loop()
        acknowledged = loop.create_future()
        channel = self._prefix + topic.encode()
        command = b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n" % (
            len(channel),
            channel,
            len(payload),
            payload,
        )
        self._outbox.append((command, acknowledged, loop.time()))
        return acknowledged

    def _flush(self) -> None:
        if self._writer is None and self._outbox:
            self._writer = asyncio.create_task(self._write(), name="liveview.pubsub redis writer")

    async def _write(self) -> None:
        """Send queued PUBLISHes in batches (one write, then the replies) until none are left.

        A batch must be done by `publish_timeout` after its oldest message was queued; when
        it is not, or the connection fails, every queued message fails with it.
        """
        from redis.exceptions import ResponseError

        outbox, loop = self._outbox, asyncio.get_running_loop()
        try:
            while outbox:
                batch = [outbox.popleft() for _ in range(min(len(outbox), MAX_BATCH))]
                batch = [item for item in batch if not item[1].done()]  # given up: not sent
                if not batch:
                    continue
                try:
                    async with asyncio.timeout_at(batch[0][2] + self.publish_timeout):
                        sender = await self._sender_connection()
                        await sender.send_packed_command(
                            [command for command, _, _ in batch], check_health=False
                        )
                        for _, acknowledged, _ in batch:
                            try:
                                await sender.read_response()
                            except ResponseError as refused:  # e.g. NOAUTH: that message only
                                _fail([acknowledged], refused)
                                continue
                            if not acknowledged.done():
                                acknowledged.set_result(None)
                except asyncio.CancelledError:  # closing: settle what this batch waits for
                    _fail(batch, ConnectionError("closed"))
                    raise
                except Exception as error:
                    failure: Exception = error
                    if loop.time() >= batch[0][2] + self.publish_timeout:
                        failure = TimeoutError(f"no answer within {self.publish_timeout}s")
                    broken, self._sender = self._sender, None
                    await _disconnect(broken)
                    _fail(batch, failure)
                    _fail(outbox, failure)
        finally:
            self._writer = None

    # -- listening -----------------------------------------------------------------------------

    async def _open_listener(self) -> None:
        # Its socket timeout bounds the handshake and writes; reads wait for messages forever.
        connection = self._listener = self._connection("liveview-listen", self.connect_timeout)
        self._acks = {}
        await connection.connect()  # type: ignore[no-untyped-call]

    async def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        for waiting in self._acks.values():
            _fail(waiting, ConnectionError("connection closed"))
        self._acks = {}
        await _disconnect(listener)

    async def _listen(self, topics: Collection[str]) -> None:
        await self._command("SUBSCRIBE", topics)

    async def _unlisten(self, topics: Collection[str]) -> None:
        await self._command("UNSUBSCRIBE", topics)

    async def _command(self, name: str, topics: Collection[str]) -> None:
        """Send (UN)SUBSCRIBE and wait until Redis confirmed every channel."""
        listener = self._listener
        if listener is None:
            raise ConnectionError("not connected")
        loop = asyncio.get_running_loop()
        waiting: list[asyncio.Future[None]] = []
        async with self._write_lock:  # the acks queue in the order the commands are sent
            for chunk in _chunks(list(topics), MAX_CHANNELS_PER_COMMAND):
                channels = [self.channel(topic) for topic in chunk]
                for channel in channels:
                    ack = loop.create_future()
                    self._acks.setdefault(channel, collections.deque()).append(ack)
                    waiting.append(ack)
                await listener.send_packed_command(
                    listener.pack_command(name, *channels), check_health=False
                )
        await asyncio.gather(*waiting)

    async def _read(self) -> None:
        listener = self._listener
        assert listener is not None
        prefix, skip = self._prefix, len(self._prefix)
        loop = asyncio.get_running_loop()
        self._heard = loop.time()
        pinger = asyncio.create_task(self._ping(listener), name="liveview.pubsub redis ping")
        try:
            while True:
                reply = await listener.read_response(timeout=math.inf)
                self._heard = loop.time()
                kind = reply[0]
                if kind == b"message":
                    channel = reply[1]
                    if channel.startswith(prefix):
                        self._receive_payload(channel[skip:].decode("utf-8", "replace"), reply[2])
                elif kind == b"subscribe" or kind == b"unsubscribe":
                    waiting = self._acks.get(reply[1])
                    if waiting:
                        ack = waiting.popleft()
                        if not waiting:
                            del self._acks[reply[1]]
                        if not ack.done():
                            ack.set_result(None)
        finally:
            pinger.cancel()
            for waiting in self._acks.values():
                _fail(waiting, ConnectionError("connection lost"))
            self._acks = {}

    async def _ping(self, listener: AbstractConnection) -> None:
        """Find out when the listening connection stops answering (no FIN, no RST)."""
        interval = self.health_check_interval
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(interval)
            if loop.time() - self._heard < interval:
                continue
            pinged = loop.time()
            try:
                async with self._write_lock:
                    await listener.send_packed_command(listener.pack_command("PING"), False)
            except Exception as error:
                self._lost(self._generation, f"sending PING failed: {error}")
                return
            await asyncio.sleep(interval)
            if self._heard < pinged:
                self._lost(self._generation, f"no answer to PING within {interval}s")
                return


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fail(
    waiting: collections.deque[Any] | list[Any],
    error: BaseException,
) -> None:
    """Settle waiting futures (bare, or second in a tuple) with `error`; empty the container."""
    while waiting:
        item = waiting.pop()
        future: asyncio.Future[None] = item[1] if isinstance(item, tuple) else item
        if not future.done():
            future.set_exception(error)
            future.exception()  # retrieved: whoever awaits it still gets the error, unlogged


async def _disconnect(connection: AbstractConnection | None) -> None:
    if connection is not None:
        # Closing a broken connection may fail; it is closed either way.
        with contextlib.suppress(Exception):
            await connection.disconnect(nowait=True)
