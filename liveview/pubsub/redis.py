"""RedisPubSub: LiveViews in many processes and on many hosts, sharing one Redis (or Valkey).

Needs the `redis` package: `pip install liveview[redis]`.

Wire format
-----------
A topic is the Redis channel `<prefix><topic>` (prefix `"liveview:"` by default), so topic
`counter` is channel `liveview:counter`. Each message is one PUBLISH whose payload is UTF-8
JSON. RedisPubSub sends the envelope of `liveview.pubsub.wire`:

    {"topic": "counter", "message": {"type": "inc"}, "origin": "5f0c2a9e3b7d1c44.3"}

and reads, from any program, either such an envelope or a bare message: a payload is taken as an
envelope only when it is a JSON object with a `topic` equal to the channel's topic, a
`message`, and no keys but `topic`, `message`, `origin` and `exclude`; any other JSON value is
the message itself. So both of these reach `handle_info` as `{"type": "inc"}`:

    redis-cli PUBLISH liveview:counter '{"type": "inc"}'
    redis-cli PUBLISH liveview:counter '{"topic": "counter", "message": {"type": "inc"}}'

A payload that is not JSON (or holds a value the message rules refuse, like an integer beyond
64 bits) is logged with its channel and dropped; the connection carries on.

Connections
-----------
Each instance holds two connections (RESP2, named `liveview-listen` and `liveview-publish` in
`CLIENT LIST`): one SUBSCRIBEs each topic with a local subscriber, one PUBLISHes, pipelining the
messages of concurrent publishers (`liveview.pubsub.sender`). The listening connection sends a
PING when it has heard nothing for `health_check_interval` seconds and counts as lost when that
goes unanswered as long. Reconnection, resubscription and `PubSubGap` notices are
`liveview.pubsub.broker`'s.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Unpack
from urllib.parse import urlsplit, urlunsplit

from liveview.pubsub.broker import DEFAULT_PREFIX, BrokerOptions, chunks, install_hint
from liveview.pubsub.futures import fail, succeed
from liveview.pubsub.sender import BatchingBrokerPubSub, Outgoing

if TYPE_CHECKING:
    from redis.asyncio.connection import AbstractConnection

INSTALL_HINT = "RedisPubSub needs the redis package: pip install liveview[redis]"

MAX_CHANNELS_PER_COMMAND = 1000
"""Most channels in one SUBSCRIBE or UNSUBSCRIBE (resubscribing thousands of topics)."""


def _connection_options(url: str) -> dict[str, Any]:
    """Connection options from a redis://, rediss:// or unix:// URL (imports redis lazily)."""
    with install_hint(INSTALL_HINT):
        from redis.asyncio.connection import parse_url
    return dict(parse_url(url))


def redact(url: str) -> str:
    """The URL with its password replaced, for logs and errors."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


class RedisPubSub(BatchingBrokerPubSub["AbstractConnection", bytes]):
    """Pub/sub over Redis channels; see the module docstring for the wire format.

    `publish` raises `PubSubUnavailable` when Redis does not take the message within
    `publish_timeout`; after a lost connection comes back, subscriptions get a `PubSubGap`.
    The timing keywords are `liveview.pubsub.broker.BrokerPubSub`'s.
    """

    broker_name = "Redis"
    _ping_name = "PING"

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = DEFAULT_PREFIX,
        **options: Unpack[BrokerOptions],
    ) -> None:
        self._options = _connection_options(url)  # ImportError or ValueError now, not at start
        super().__init__(address=redact(url), prefix=prefix, **options)
        self.url = url
        self._prefix = prefix.encode()
        self._write_lock = asyncio.Lock()
        self._acks: dict[bytes, collections.deque[asyncio.Future[None]]] = {}

    def channel(self, topic: str) -> bytes:
        """The Redis channel of a topic, as bytes: the form redis-py's messages name it in.

        (`PostgresPubSub.channel` returns a str: PostgreSQL channels are identifiers.)
        """
        return self._prefix + topic.encode()

    async def _open(self, name: str, socket_timeout: float | None) -> AbstractConnection:
        """A new connection, connected; closed again if connecting fails."""
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
        try:
            await connection.connect()  # type: ignore[no-untyped-call]
        except BaseException:
            await self._close_connection(connection)
            raise
        return connection

    async def _close_connection(self, connection: AbstractConnection) -> None:
        # Closing a broken connection may fail; it is closed either way.
        with contextlib.suppress(Exception):
            await connection.disconnect(nowait=True)

    # -- publishing ----------------------------------------------------------------------------

    async def _open_publisher(self) -> AbstractConnection:
        # No socket timeout on the sender: the writer bounds each batch with one timer instead.
        return await self._open("liveview-publish", socket_timeout=None)

    async def _publisher_alive(self, connection: AbstractConnection) -> bool:
        try:
            return not await connection.can_read()  # an idle sender has nothing to read, but EOF
        except Exception:
            return False

    def _pack(self, topic: str, payload: bytes) -> bytes:
        channel = self._prefix + topic.encode()
        return b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n" % (
            len(channel),
            channel,
            len(payload),
            payload,
        )

    async def _send_batch(
        self, connection: AbstractConnection, batch: list[Outgoing[bytes]]
    ) -> None:
        """One write of PUBLISH commands, then their replies, each acknowledging its message."""
        from redis.exceptions import ResponseError

        commands = [command for command, _, _ in batch]
        await connection.send_packed_command(commands, check_health=False)
        for _, acknowledged, _ in batch:
            try:
                await connection.read_response()
            except ResponseError as refused:  # e.g. NOAUTH: that message only
                fail([acknowledged], refused)
            else:
                succeed(acknowledged)

    # -- listening -----------------------------------------------------------------------------

    async def _open_listening(self) -> AbstractConnection:
        self._acks = {}
        # Its socket timeout bounds the handshake and writes; reads wait for messages forever.
        return await self._open("liveview-listen", socket_timeout=self.connect_timeout)

    def _listener_closed(self) -> None:
        self._fail_acks("connection closed")

    def _fail_acks(self, reason: str) -> None:
        acks, self._acks = self._acks, {}
        for waiting in acks.values():
            fail(waiting, ConnectionError(reason))

    async def _listen(self, topics: Collection[str]) -> None:
        await self._command("SUBSCRIBE", topics)

    async def _unlisten(self, topics: Collection[str]) -> None:
        await self._command("UNSUBSCRIBE", topics)

    async def _command(self, name: str, topics: Collection[str]) -> None:
        """Send (UN)SUBSCRIBE and wait until Redis confirmed every channel."""
        listener = self._connected_listener()
        loop = asyncio.get_running_loop()
        waiting: list[asyncio.Future[None]] = []
        async with self._write_lock:  # the acks queue in the order the commands are sent
            for chunk in chunks(topics, MAX_CHANNELS_PER_COMMAND):
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
                    self._confirmed(reply[1])
        finally:
            self._fail_acks("connection lost")

    def _confirmed(self, channel: bytes) -> None:
        """Settle the oldest (UN)SUBSCRIBE waiting for `channel`."""
        waiting = self._acks.get(channel)
        if waiting:
            ack = waiting.popleft()
            if not waiting:
                del self._acks[channel]
            succeed(ack)

    async def _ping(self) -> None:
        listener = self._connected_listener()
        async with self._write_lock:
            await listener.send_packed_command(listener.pack_command("PING"), check_health=False)
