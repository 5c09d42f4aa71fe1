"""PostgresPubSub: LiveViews in many processes and on many hosts, sharing the PostgreSQL the app
already has (LISTEN/NOTIFY), with no other broker.

Needs psycopg 3: `pip install liveview[postgres]`.

Channels
--------
Each topic is one PostgreSQL notification channel, `channel_for(topic, prefix)`:

- `<prefix><topic>` when the topic is made only of ASCII letters, digits and `_ - . : /` and
  the whole fits in 63 bytes (PostgreSQL's limit on a channel name), so topic `counter` is
  channel `liveview:counter`;
- otherwise `<prefix><readable>#<hash>`: `<readable>` is the topic with every other character
  replaced by `_`, cut to `46 - len(prefix)` characters, and `<hash>` the first 16 hex
  digits of the SHA-256 of the topic's UTF-8 bytes. `"chat room ü"` becomes
  `liveview:chat_room__#d3fada458d13c3b2`.

A name of the first kind has no `#`; one of the second always has, so two topics never share a
channel (short of a SHA-256 collision in 64 bits). `CHANNEL_FUNCTION_SQL` is the same rule as a
SQL function, for triggers and `psql`; `liveview channel TOPIC` prints it too. Channel names
go to PostgreSQL only as parameters (`pg_notify`) or quoted identifiers (`LISTEN`).

Wire format
-----------
A message is one notification on the topic's channel whose payload is UTF-8 JSON: the envelope
of `liveview.pubsub.wire` (what PostgresPubSub sends), or a bare message from any program, read
by the rule of `decode_payload`. Both of these reach `handle_info` as `{"count": 5}`:

    SELECT pg_notify('liveview:counter', '{"count": 5}');
    NOTIFY "liveview:counter", '{"topic": "counter", "message": {"count": 5}}';

A payload that is not JSON is logged with its channel and dropped.

Size
----
PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. `publish` checks the envelope's size
first and raises `MessageTooLarge` (a ValueError naming the limit) before anyone, local
subscribers included, gets the message: nothing is truncated or dropped silently, and the error
does not depend on where the subscribers are. Publish a reference instead (a row id) and let the
LiveView load the rest.

Connections
-----------
Each instance holds two connections, in autocommit (`application_name` `liveview-listen` and
`liveview-publish` in `pg_stat_activity`): one LISTENs to each topic with a local subscriber,
one NOTIFYs. Concurrent publishes go out in batches (`liveview.pubsub.sender`), one statement
each, split where two would be identical (PostgreSQL folds identical notifications of one
transaction into one). The listening connection runs `SELECT 1` when it has heard nothing for
`health_check_interval` seconds and counts as lost when that goes unanswered as long.
Reconnection, listening again and `PubSubGap` notices are `liveview.pubsub.broker`'s. The
connections must reach PostgreSQL itself or a session-pooling proxy: LISTEN does not work
through transaction pooling.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import hashlib
import os
import re
import socket
import warnings
from collections.abc import AsyncIterator, Collection
from typing import TYPE_CHECKING, Any, Unpack

from liveview.pubsub.base import MessageTooLarge
from liveview.pubsub.broker import DEFAULT_PREFIX, BrokerOptions, chunks, install_hint
from liveview.pubsub.futures import fail, succeed
from liveview.pubsub.messages import check_topic
from liveview.pubsub.sender import BatchingBrokerPubSub, Outgoing

if TYPE_CHECKING:
    from psycopg import AsyncConnection, Notify
    from psycopg.sql import Composed

INSTALL_HINT = "PostgresPubSub needs psycopg 3: pip install liveview[postgres]"

MAX_CHANNEL_BYTES = 63
"""PostgreSQL's longest identifier (NAMEDATALEN - 1): `pg_notify` refuses longer channels."""

MAX_PAYLOAD_BYTES = 7999
"""PostgreSQL refuses NOTIFY payloads of 8000 bytes or more."""

MAX_PREFIX_LENGTH = 40
"""Longest channel prefix: what is left of 63 bytes must hold a readable part and the hash."""

HASH_DIGITS = 16
"""Hex digits of SHA-256 in a hashed channel name (64 bits)."""

MAX_CHANNELS_PER_COMMAND = 1000
"""Most channels LISTENed or UNLISTENed in one round trip (listening again to thousands)."""

_SAFE = re.compile(r"[A-Za-z0-9_.:/-]+")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:/-]")
_SAFE_PREFIX = re.compile(r"[A-Za-z0-9_.:/-]*")

# One notification, or several in one statement (one transaction: see `distinct_batches`).
_NOTIFY_ONE = "SELECT pg_notify(%s, %s)"
_NOTIFY_MANY = "SELECT pg_notify(c, p) FROM unnest(%s::text[], %s::text[]) AS t(c, p)"

CHANNEL_FUNCTION_SQL = """\
CREATE OR REPLACE FUNCTION liveview_channel(topic text, prefix text DEFAULT 'liveview:')
RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE
    WHEN topic ~ '^[A-Za-z0-9_.:/-]+$' AND length(prefix) + length(topic) <= 63
      THEN prefix || topic
    ELSE prefix
      || left(regexp_replace(topic, '[^A-Za-z0-9_.:/-]', '_', 'g'), 46 - length(prefix))
      || '#' || left(encode(sha256(convert_to(topic, 'UTF8')), 'hex'), 16)
  END
$$;
"""
"""`channel_for` in SQL (PostgreSQL 11 or later), e.g. in a trigger:
`PERFORM pg_notify(liveview_channel('orders'), row_to_json(NEW)::text)`."""


def channel_for(topic: str, prefix: str = DEFAULT_PREFIX) -> str:
    """The PostgreSQL channel carrying `topic` (see the module docstring for the rule).

    Raises ValueError for an empty topic or a prefix that is not ASCII letters, digits and
    `_ - . : /`, or longer than `MAX_PREFIX_LENGTH`.
    """
    check_topic(topic)
    _check_prefix(prefix)
    return _channel(topic, prefix)


@functools.lru_cache(maxsize=4096)
def _channel(topic: str, prefix: str) -> str:
    if _SAFE.fullmatch(topic) and len(prefix) + len(topic) <= MAX_CHANNEL_BYTES:
        return prefix + topic
    room = MAX_CHANNEL_BYTES - len(prefix) - 1 - HASH_DIGITS
    readable = _UNSAFE.sub("_", topic)[:room]
    digest = hashlib.sha256(topic.encode()).hexdigest()[:HASH_DIGITS]
    return f"{prefix}{readable}#{digest}"


def _check_prefix(prefix: str) -> None:
    if not isinstance(prefix, str):
        raise TypeError(f"channel prefix must be a str, not {type(prefix).__name__}")
    if not _SAFE_PREFIX.fullmatch(prefix) or len(prefix) > MAX_PREFIX_LENGTH:
        raise ValueError(
            f"channel prefix {prefix!r} must be at most {MAX_PREFIX_LENGTH} ASCII letters, "
            "digits and _ - . : /"
        )


def _conninfo(dsn: str) -> dict[str, Any]:
    """The DSN's parameters (a URL or `key=value` pairs); imports psycopg lazily."""
    with install_hint(INSTALL_HINT):
        from psycopg import ProgrammingError
        from psycopg.conninfo import conninfo_to_dict
    try:
        return conninfo_to_dict(dsn)
    except ProgrammingError as error:
        raise ValueError(f"not a PostgreSQL DSN: {error}") from None


def redact(dsn: str) -> str:
    """Where a DSN points, without its password, for logs and errors."""
    params = _conninfo(dsn)
    user = f"{params['user']}@" if params.get("user") else ""
    host = str(params.get("host") or params.get("hostaddr") or "")  # "": libpq's default
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgresql://{user}{host}{port}/{params.get('dbname') or ''}"


Channel = tuple[str, str]
"""A notification as the sender queues it: the channel and the payload."""


class PostgresPubSub(BatchingBrokerPubSub["AsyncConnection[Any]", Channel]):
    """Pub/sub over PostgreSQL LISTEN/NOTIFY; see the module docstring for channels and sizes.

    `publish` raises `MessageTooLarge` for a message PostgreSQL cannot carry, and
    `PubSubUnavailable` when PostgreSQL does not take it within `publish_timeout`; after a
    lost connection comes back, subscriptions get a `PubSubGap`. The timing keywords are
    `liveview.pubsub.broker.BrokerPubSub`'s. `channel_prefix=` is a deprecated name of `prefix=`.
    """

    broker_name = "PostgreSQL"
    _ping_name = "SELECT 1"
    check_before_batch = False  # `_submit` checked
    distinct_batches = True

    def __init__(
        self,
        dsn: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        channel_prefix: str | None = None,
        **options: Unpack[BrokerOptions],
    ) -> None:
        if channel_prefix is not None:
            warnings.warn(
                "PostgresPubSub(channel_prefix=...) is deprecated: use prefix=...",
                DeprecationWarning,
                stacklevel=2,
            )
            if prefix != DEFAULT_PREFIX and prefix != channel_prefix:
                raise TypeError("give prefix= only (channel_prefix= is its deprecated name)")
            prefix = channel_prefix
        address = redact(dsn)  # ImportError or ValueError now, not at start
        _check_prefix(prefix)
        super().__init__(address=address, prefix=prefix, **options)
        self.dsn = dsn
        # listening: only the reader task uses the connection; others queue statements for it
        self._commands: collections.deque[tuple[Composed, asyncio.Future[None]]] = (
            collections.deque()
        )
        self._wake = asyncio.Event()
        self._topics: dict[bytes, str] = {}  # channel -> topic, for the channels listened to

    @property
    def channel_prefix(self) -> str:
        """Deprecated: `prefix`."""
        warnings.warn(
            "PostgresPubSub.channel_prefix is deprecated: use .prefix",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.prefix

    def channel(self, topic: str) -> str:
        """The PostgreSQL channel of a topic (`channel_for` with this instance's prefix).

        A str, as PostgreSQL names channels (`RedisPubSub.channel` returns bytes).
        """
        return _channel(topic, self.prefix)

    def _channel_name(self, topic: str) -> str:
        return f"PostgreSQL channel {self.channel(topic)!r}"

    async def _connection(self, name: str, **options: Any) -> AsyncConnection[Any]:
        from psycopg import AsyncConnection

        connection: AsyncConnection[Any] = await AsyncConnection.connect(
            self.dsn,
            autocommit=True,
            application_name=name,
            client_encoding="UTF8",
            **options,
        )
        return connection

    async def _close_connection(self, connection: AsyncConnection[Any]) -> None:
        # Closing a broken connection may fail; it is closed either way.
        with contextlib.suppress(Exception):
            await connection.close()

    # -- publishing ----------------------------------------------------------------------------

    def _check_payload(self, topic: str, payload: bytes) -> None:
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise MessageTooLarge(
                f"message on topic {topic!r} too large for PostgreSQL NOTIFY: its envelope is "
                f"{len(payload)} bytes of JSON, and payloads must be under 8000 bytes "
                f"(at most {MAX_PAYLOAD_BYTES}); publish a reference (e.g. a row id) instead",
                size=len(payload),
                limit=MAX_PAYLOAD_BYTES,
            )

    async def _open_publisher(self) -> AsyncConnection[Any]:
        return await self._connection("liveview-publish")

    async def _publisher_alive(self, connection: AsyncConnection[Any]) -> bool:
        return self._sending or _alive(connection)  # in flight: reading is psycopg's

    def _pack(self, topic: str, payload: bytes) -> Channel:
        return (self.channel(topic), payload.decode())

    async def _send_batch(
        self, connection: AsyncConnection[Any], batch: list[Outgoing[Channel]]
    ) -> None:
        """One statement (so one transaction) for the whole batch."""
        if len(batch) == 1:
            await connection.execute(_NOTIFY_ONE, batch[0][0])
        else:
            channels = [channel for (channel, _), _, _ in batch]
            payloads = [payload for (_, payload), _, _ in batch]
            await connection.execute(_NOTIFY_MANY, (channels, payloads))

    def _is_refusal(self, error: Exception) -> bool:
        """An error PostgreSQL answered with (a SQLSTATE) fails its batch only."""
        from psycopg import Error

        sender = self._sender
        return (
            isinstance(error, Error)
            and error.sqlstate is not None
            and sender is not None
            and not sender.closed
        )

    @contextlib.asynccontextmanager
    async def _deadline(
        self, connection: AsyncConnection[Any], deadline: float
    ) -> AsyncIterator[None]:
        """Sever the connection at the deadline rather than cancel the statement: psycopg would
        wait for the server to confirm a cancel."""
        expiry = asyncio.get_running_loop().call_at(deadline, _sever, connection)
        try:
            yield
        finally:
            expiry.cancel()

    def _stop_writer(self, writer: asyncio.Task[None]) -> None:
        if self._sending and self._sender is not None:
            _sever(self._sender)  # the statement in flight fails at once; the writer ends
        else:
            writer.cancel()  # at most connecting: nothing to cancel at the server

    # -- listening -----------------------------------------------------------------------------

    async def _open_listening(self) -> AsyncConnection[Any]:
        self._topics = {}
        self._commands = collections.deque()
        self._wake = asyncio.Event()
        # Prepared statements are for the sender's repeated NOTIFY, not LISTEN.
        connection = await self._connection("liveview-listen", prepare_threshold=None)
        connection.add_notify_handler(self._notified_during_command)
        return connection

    def _listener_closed(self) -> None:
        fail([done for _, done in self._commands], ConnectionError("connection closed"))
        self._commands.clear()
        self._topics = {}

    async def _listen(self, topics: Collection[str]) -> None:
        for topic in topics:
            self._topics[self.channel(topic).encode()] = topic
        await self._run_in_chunks("LISTEN", topics)

    async def _unlisten(self, topics: Collection[str]) -> None:
        # The mapping changes now, in call order: a LISTEN queued after this one puts it back.
        for topic in topics:
            self._topics.pop(self.channel(topic).encode(), None)
        await self._run_in_chunks("UNLISTEN", topics)

    async def _run_in_chunks(self, verb: str, topics: Collection[str]) -> None:
        """`verb` the topics' channels, a chunk of them a statement (queued at once, in order)."""
        waiting = [
            self._command(_statements(verb, [self.channel(topic) for topic in chunk]))
            for chunk in chunks(topics, MAX_CHANNELS_PER_COMMAND)
        ]
        await asyncio.gather(*waiting)

    def _command(self, statement: Composed) -> asyncio.Future[None]:
        """Queue a statement for the reader, which runs queued statements in order."""
        self._connected_listener()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._commands.append((statement, done))
        self._wake.set()
        return done

    async def _read(self) -> None:
        """Wait for notifications on the socket; between them, run the queued statements.

        The socket is watched directly (not with psycopg's `notifies()`, which holds the
        connection for as long as it waits), and released to psycopg while a statement runs.
        """
        listener = self._listener
        assert listener is not None
        pgconn = listener.pgconn
        fd = pgconn.socket
        loop = asyncio.get_running_loop()
        wake, commands = self._wake, self._commands
        watching = False
        try:
            while True:
                if commands:
                    if watching:
                        loop.remove_reader(fd)
                        watching = False
                    await self._run(listener, commands)
                else:
                    if not watching:
                        loop.add_reader(fd, wake.set)
                        watching = True
                    await wake.wait()
                    wake.clear()
                pgconn.consume_input()  # raises OperationalError once the connection is gone
                self._heard = loop.time()
                while (notification := pgconn.notifies()) is not None:
                    self._notified(notification.relname, notification.extra)
        finally:
            if watching:
                with contextlib.suppress(Exception):
                    loop.remove_reader(fd)
            fail([done for _, done in commands], ConnectionError("connection lost"))
            commands.clear()

    async def _run(
        self,
        listener: AsyncConnection[Any],
        commands: collections.deque[tuple[Composed, asyncio.Future[None]]],
    ) -> None:
        """Run queued statements in order; a failure fails the rest and the connection."""
        while commands:
            statement, done = commands.popleft()
            try:
                await _execute(listener, statement)
            except BaseException as error:
                fail([done], ConnectionError(str(error) or type(error).__name__))
                raise
            succeed(done)

    def _notified(self, channel: bytes, payload: bytes | str) -> None:
        topic = self._topics.get(channel)
        if topic is not None:  # else a channel being unlistened
            self._receive_payload(topic, payload)

    def _notified_during_command(self, notification: Notify) -> None:
        """Notifications psycopg read while running one of our statements, in order."""
        self._notified(notification.channel.encode(), notification.payload)

    async def _ping(self) -> None:
        await self._command(_select_1())
        self._heard = asyncio.get_running_loop().time()


def _statements(verb: str, channels: list[str]) -> Composed:
    """`LISTEN "a"; LISTEN "b"`: channels as quoted identifiers, never spliced as text."""
    from psycopg import sql

    return sql.SQL("; ").join(
        sql.SQL(verb + " {}").format(sql.Identifier(channel)) for channel in channels
    )


def _select_1() -> Composed:
    from psycopg import sql

    return sql.Composed([sql.SQL("SELECT 1")])


async def _execute(
    connection: AsyncConnection[Any], query: str | Composed, params: Any = None
) -> None:
    """Run a statement on the listening connection; when cancelled (the connection is being
    dropped: a failed health check, a close), cut the connection at once.

    psycopg answers a cancelled statement by asking the server to cancel it and waiting up to
    5 s for that: no good when the server stopped answering. The caller drops the connection.
    """
    running = asyncio.ensure_future(connection.execute(query, params))
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        if not running.done():
            _sever(connection)  # the statement fails within moments, unwatched
            running.add_done_callback(_retrieve)
        raise


def _sever(connection: AsyncConnection[Any]) -> None:
    """Shut the connection's socket down: whatever waits on it wakes and fails."""
    with contextlib.suppress(Exception):
        duplicate = socket.socket(fileno=os.dup(connection.pgconn.socket))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()


def _retrieve(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


def _alive(connection: AsyncConnection[Any]) -> bool:
    """Whether an idle connection is still open: reading finds the server's close at once."""
    from psycopg import OperationalError, pq

    if connection.closed or connection.broken:
        return False
    try:
        # Twice: a server that goes away says why (an error message), then closes; a read
        # that got the message stops short of the close.
        connection.pgconn.consume_input()
        connection.pgconn.consume_input()
    except OperationalError:
        return False
    return connection.pgconn.status == pq.ConnStatus.OK
