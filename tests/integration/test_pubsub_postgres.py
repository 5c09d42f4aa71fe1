"""PostgresPubSub against a real PostgreSQL: the backend contract, channel names, the size limit,
the wire format, connections, and what happens when PostgreSQL goes away and comes back.

Tests on the shared server (`postgres_dsn`) use a fresh channel prefix each, so they neither see
nor disturb anyone else's notifications; tests that stop PostgreSQL, freeze or terminate its
backends, create functions or count connections start their own (`start_private_postgres`).
What RedisPubSub does alike is written once in `broker_cases`; `PostgresBroker` runs it here.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest

from liveview import MessageTooLarge, PostgresPubSub, PubSubUnavailable
from liveview.pubsub import PubSub, SingleProcessPubSub, from_url
from liveview.pubsub.postgres import CHANNEL_FUNCTION_SQL, MAX_PAYLOAD_BYTES, channel_for
from tests.integration.broker_cases import (
    TIMEOUT,
    Broker,
    BrokerCases,
    Payload,
    inbox,
    survive_an_outage,
)
from tests.pubsub_contract import PubSubContract, marker
from tests.services import PrivatePostgres

ROOT = Path(__file__).resolve().parents[2]

ODD_TOPICS = [
    "with spaces and\ttabs",
    "ünïcödé 日本語 🎉",
    "x" * 200,
    "é" * 200,
    'double " quote',
    "single ' quote",
    'x"; DROP TABLE victim; --',
    "'); SELECT pg_sleep(10); --",
    "$$ dollar $$",
    "back\\slash",
    "nul \x00 byte",
    "new\nline",
    "#",
    "a#b",
    "UPPER lower",
    "Counter",
    "liveview:nested",
    "a" * 54,  # with the 9-byte prefix: exactly 63 bytes, kept as is
    "a" * 55,  # one more: hashed
]


class PostgresBroker(Broker[PostgresPubSub]):
    """How the shared cases in `broker_cases` reach PostgreSQL."""

    name, ping = "PostgreSQL", "SELECT 1"

    @staticmethod
    def fresh_prefix() -> str:
        return f"t{uuid.uuid4().hex[:10]}:"

    def make(self, url: str, **options: Any) -> PostgresPubSub:
        return PostgresPubSub(url, **options)

    @asynccontextmanager
    async def outside(self, url: str | None = None) -> AsyncIterator[PostgresOutside]:
        dsn = url or self.shared_url
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
            yield PostgresOutside(connection, dsn)

    @asynccontextmanager
    async def publisher_hangs(self, url: str) -> AsyncIterator[None]:
        sender = await backend_of(url, "liveview-publish")
        os.kill(sender, signal.SIGSTOP)  # its backend process stops answering
        try:
            yield
        finally:
            os.kill(sender, signal.SIGCONT)

    async def silence_listener(self, url: str, until: Callable[[], Awaitable[object]]) -> None:
        """Only the listening connection's backend is frozen: liveview replaces the connection
        while it still is."""
        # A frozen backend: its connection stays open, nothing closes it, nobody answers.
        listener = await backend_of(url, "liveview-listen")
        os.kill(listener, signal.SIGSTOP)
        try:
            await until()
        finally:
            os.kill(listener, signal.SIGCONT)


class PostgresOutside:
    """An outside program on a PostgreSQL, as the shared cases drive one."""

    def __init__(self, connection: psycopg.AsyncConnection[Any], dsn: str) -> None:
        self.connection, self.dsn = connection, dsn

    async def send(self, channel: str, payload: Payload) -> None:
        text = payload.decode() if isinstance(payload, bytes) else payload
        await notify(self.connection, channel, text)

    async def cut_listener(self) -> None:
        listener = await backend_of(self.dsn, "liveview-listen")
        async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as killer:
            await killer.execute("SELECT pg_terminate_backend(%s)", (listener,))


@pytest.fixture
async def broker(
    postgres_dsn: str, start_private_postgres: Callable[[], PrivatePostgres]
) -> AsyncIterator[PostgresBroker]:
    broker = PostgresBroker(postgres_dsn, lambda: start_private_postgres().dsn)
    yield broker
    await broker.close()


@pytest.fixture
async def client(postgres_dsn: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A plain psycopg connection: an outside program on the same PostgreSQL."""
    connection = await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True)
    yield connection
    await connection.close()


async def notify(connection: psycopg.AsyncConnection[Any], channel: str, payload: str) -> None:
    await connection.execute("SELECT pg_notify(%s, %s)", (channel, payload))


async def backends(dsn: str) -> list[tuple[int, str]]:
    """(pid, application_name) of the other client connections to a PostgreSQL."""
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as admin:
        cursor = await admin.execute(
            "SELECT pid, application_name FROM pg_stat_activity "
            "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY pid"
        )
        return [(int(pid), str(name)) for pid, name in await cursor.fetchall()]


async def backend_of(dsn: str, application_name: str) -> int:
    (pid,) = [pid for pid, name in await backends(dsn) if name == application_name]
    return pid


# -- the contract -----------------------------------------------------------------------------


class TestPostgresPubSubContract(PubSubContract):
    @pytest.fixture
    def make_pubsub(self, postgres_dsn: str) -> Callable[[], PubSub]:
        prefix = PostgresBroker.fresh_prefix()
        return lambda: PostgresPubSub(postgres_dsn, prefix=prefix)


# -- what Redis does alike --------------------------------------------------------------------


class TestPostgresBroker(BrokerCases):
    outside_payloads = (
        ('{"type": "inc", "by": 2}', {"type": "inc", "by": 2}),  # a bare message
        ('{"topic": "t", "message": {"type": "inc"}}', {"type": "inc"}),  # an envelope
        ('{"topic": "t", "message": 1, "origin": null, "exclude": "x"}', 1),
        ('"just text"', "just text"),
        ("[1, 2.5, null]", [1, 2.5, None]),
        ("[1e30, -9.3e18]", [1e30, -9.3e18]),  # large floats stay floats
        ("42", 42),
        ("null", None),
        ('{"topic": "other", "message": "hi"}', {"topic": "other", "message": "hi"}),
        (
            '{"topic": "t", "message": "hi", "user": "ann"}',
            {"topic": "t", "message": "hi", "user": "ann"},
        ),
        ('{"text": "ünïcödé 🎉"}', {"text": "ünïcödé 🎉"}),
    )
    unreadable_payloads = (
        ("not json", "not JSON"),
        ("", "not JSON"),
        ('{"a": 1', "not JSON"),
        ("18446744073709551615", "outside the signed 64-bit range"),
        # orjson reads these as floats; they are refused, not delivered with digits lost
        ('{"n": 123456789012345678901234567890}', "message['n'] is an int outside"),
        ('{"topic": "t", "message": [-9223372036854775809]}', "message[0] is an int"),
        ('{"topic": "t", "message": 1, "origin": 7}', "'origin' is neither a string nor null"),
    )

    async def test_local_subscribers_get_it_during_publish_and_only_once(
        self, broker: Broker[Any]
    ) -> None:
        """And "fast" does not reach the other instance a second time later."""
        other, there = await self.local_fast_path(broker)
        last = marker()
        await other.publish("t", last)
        assert len(await there.wait_until(last)) == 2


# -- channel names ----------------------------------------------------------------------------


def test_simple_topics_are_their_channel_after_the_prefix() -> None:
    assert channel_for("counter") == "liveview:counter"
    assert channel_for("chat:lobby", prefix="app.") == "app.chat:lobby"
    assert channel_for("room/7_a-b.c") == "liveview:room/7_a-b.c"
    assert channel_for("Counter") == "liveview:Counter"  # case is kept: LISTEN quotes it
    assert channel_for("x", prefix="") == "x"


def test_other_topics_get_a_readable_part_and_a_hash() -> None:
    assert channel_for("chat room ü") == "liveview:chat_room__#d3fada458d13c3b2"
    long = channel_for("x" * 200)
    assert re.fullmatch(r"liveview:x{37}#[0-9a-f]{16}", long)
    assert len(long) == 63


def test_odd_topics_map_to_distinct_valid_channels() -> None:
    channels = [channel_for(topic) for topic in ODD_TOPICS]
    for topic, channel in zip(ODD_TOPICS, channels, strict=True):
        assert channel.isascii() and len(channel) <= 63, (topic, channel)
        assert re.fullmatch(r"[A-Za-z0-9_.:/#-]+", channel), (topic, channel)
        assert channel_for(topic) == channel  # deterministic
    assert len(set(channels)) == len(channels)
    # a topic that is the readable part of a hashed name does not share its channel
    assert channel_for("with_spaces_and_tabs") != channel_for("with spaces and\ttabs")


@pytest.mark.parametrize(("topic", "error"), [("", ValueError), (None, TypeError)])
def test_channel_for_refuses_what_is_not_a_topic(topic: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="topic"):
        channel_for(topic)


@pytest.mark.parametrize("prefix", ["with space:", "ü:", 'q":', "x" * 41])
def test_a_prefix_must_be_short_and_plain(prefix: str, postgres_dsn: str) -> None:
    with pytest.raises(ValueError, match="channel prefix"):
        channel_for("t", prefix=prefix)
    with pytest.raises(ValueError, match="channel prefix"):
        PostgresPubSub(postgres_dsn, prefix=prefix)


def test_channel_prefix_is_the_deprecated_name_of_prefix(postgres_dsn: str) -> None:
    with pytest.warns(DeprecationWarning, match=r"use prefix="):
        pubsub = PostgresPubSub(postgres_dsn, channel_prefix="old:")
    assert pubsub.prefix == "old:"
    assert pubsub.channel("t") == "old:t"
    with pytest.warns(DeprecationWarning, match=r"use \.prefix"):
        assert pubsub.channel_prefix == "old:"
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="prefix= only"):
        PostgresPubSub(postgres_dsn, prefix="new:", channel_prefix="old:")


async def test_the_sql_function_computes_the_same_channels(
    start_private_postgres: Callable[[], PrivatePostgres],
) -> None:
    server = start_private_postgres()  # the function is created in a database of our own
    topics = [*ODD_TOPICS, "counter", "chat:lobby", "a" * 63, "é"]
    topics = [topic for topic in topics if "\x00" not in topic]  # text cannot hold NUL
    async with await psycopg.AsyncConnection.connect(server.dsn, autocommit=True) as sql:
        await sql.execute(CHANNEL_FUNCTION_SQL)
        for prefix in ("liveview:", "app.", ""):
            for topic in topics:
                cursor = await sql.execute("SELECT liveview_channel(%s, %s)", (topic, prefix))
                assert await cursor.fetchone() == (channel_for(topic, prefix),), topic
        cursor = await sql.execute("SELECT liveview_channel('chat room ü')")
        assert await cursor.fetchone() == ("liveview:chat_room__#d3fada458d13c3b2",)


def test_the_docs_show_the_sql_function_as_it_is() -> None:
    assert CHANNEL_FUNCTION_SQL in (ROOT / "docs" / "pubsub.md").read_text()


@pytest.mark.parametrize("topic", ODD_TOPICS)
async def test_odd_topics_travel_between_instances_and_from_outside(
    broker: PostgresBroker,
    client: psycopg.AsyncConnection[Any],
    topic: str,
) -> None:
    pubsub = await broker.open()
    other = await broker.open()
    here, there = inbox(), inbox()
    await pubsub.subscribe(topic, here)
    await other.subscribe(topic, there)
    await pubsub.publish(topic, {"on": topic})
    await notify(client, channel_for(topic, broker.prefix), '{"from": "outside"}')
    for received in (here, there):
        assert await received.wait_for(2) == [{"on": topic}, {"from": "outside"}]


async def test_hostile_topics_inject_nothing(
    broker: PostgresBroker,
    client: psycopg.AsyncConnection[Any],
) -> None:
    table = f"victim_{uuid.uuid4().hex[:8]}"
    await client.execute(f"CREATE TABLE {table} (n int)")
    try:
        pubsub = await broker.open()
        hostile = [
            f'x"; DROP TABLE {table}; --',
            f"x'; DROP TABLE {table}; --",
            f'"; DROP TABLE {table}; LISTEN "',
            f"$$; DROP TABLE {table}; $$",
        ]
        received = inbox()
        for topic in hostile:
            subscription = await pubsub.subscribe(topic, received)
            await pubsub.publish(topic, topic)
            await pubsub.unsubscribe(topic, subscription)
        assert await received.wait_for(len(hostile)) == hostile
        cursor = await client.execute("SELECT to_regclass(%s)", (table,))
        assert await cursor.fetchone() == (table,)  # still there
    finally:
        await client.execute(f"DROP TABLE IF EXISTS {table}")


# -- the size limit ---------------------------------------------------------------------------


def padded(size: int, topic: str, pubsub: PostgresPubSub, char: str = "x") -> dict[str, str]:
    """A message whose envelope from `pubsub` is exactly `size` bytes."""
    overhead = len(orjson.dumps({"topic": topic, "message": {"p": ""}, "origin": pubsub.node_id}))
    count, rest = divmod(size - overhead, len(char.encode()))
    return {"p": char * count + "x" * rest}


async def test_the_largest_message_postgres_carries_arrives(broker: PostgresBroker) -> None:
    pubsub = await broker.open()
    other = await broker.open()
    there = inbox()
    await other.subscribe("t", there)
    largest = padded(MAX_PAYLOAD_BYTES, "t", pubsub)
    await pubsub.publish("t", largest)
    assert await there.wait_for(1) == [largest]


@pytest.mark.parametrize(("size", "char"), [(8000, "x"), (8001, "x"), (8000, "é"), (100_000, "x")])
async def test_larger_messages_are_refused_before_anyone_gets_them(
    broker: PostgresBroker, size: int, char: str
) -> None:
    pubsub = await broker.open()
    other = await broker.open()
    here, there = inbox(), inbox()
    await pubsub.subscribe("t", here)
    await other.subscribe("t", there)
    message = padded(size, "t", pubsub, char)
    assert len(message["p"]) < 8000 or char == "x"  # é: fewer characters than bytes
    with pytest.raises(MessageTooLarge, match="under 8000 bytes") as refused:
        await pubsub.publish("t", message)
    assert isinstance(refused.value, ValueError)
    assert (refused.value.size, refused.value.limit) == (size, MAX_PAYLOAD_BYTES)
    last = marker()
    await pubsub.publish("t", last)
    for received in (here, there):  # nobody got it, not even this process's subscribers
        assert await received.wait_until(last) == []


# -- the wire format --------------------------------------------------------------------------


async def test_publish_sends_an_envelope_on_the_topics_channel(
    broker: PostgresBroker, client: psycopg.AsyncConnection[Any]
) -> None:
    pubsub = await broker.open()
    await client.execute(f'LISTEN "{broker.prefix}room:1"')
    await pubsub.publish("room:1", {"a": (1, 2)}, exclude="x.1")
    notifications = [n async for n in client.notifies(timeout=TIMEOUT, stop_after=1)]
    assert len(notifications) == 1
    (received,) = notifications
    assert received.channel == f"{broker.prefix}room:1"
    assert orjson.loads(received.payload) == {
        "topic": "room:1",
        "message": {"a": [1, 2]},
        "origin": pubsub.node_id,
        "exclude": "x.1",
    }


async def test_identical_messages_are_all_delivered(broker: PostgresBroker) -> None:
    """PostgreSQL folds identical notifications of one transaction: batches must not."""
    pubsub = await broker.open()
    other = await broker.open()
    there = inbox()
    await other.subscribe("t", there)
    await asyncio.gather(*(pubsub.publish("t", {"type": "inc"}) for _ in range(300)))
    await asyncio.gather(*(pubsub.publish("t", n % 3) for n in range(300)))
    received = await there.wait_for(600)
    assert received[:300] == [{"type": "inc"}] * 300
    assert received[300:] == [n % 3 for n in range(300)]


# -- connections --------------------------------------------------------------------------------


async def test_one_listening_and_one_publishing_connection_for_all_subscriptions(
    broker: PostgresBroker, start_private_postgres: Callable[[], PrivatePostgres]
) -> None:
    server = start_private_postgres()
    pubsub = await broker.open(server.dsn)
    other = await broker.open(server.dsn)
    received = inbox()
    for n in range(300):
        await pubsub.subscribe(f"topic-{n % 30}", received)
    await asyncio.gather(*(other.publish(f"topic-{n}", n) for n in range(30)))
    await received.wait_for(300)  # each of the 30 topics has 10 subscriptions
    names = sorted(name for _, name in await backends(server.dsn))
    assert names == ["liveview-listen"] * 2 + ["liveview-publish"] * 2


async def test_concurrent_first_subscribers_all_wait_for_the_confirmation(
    broker: PostgresBroker,
) -> None:
    pubsub = await broker.open()
    other = await broker.open()
    inboxes = [inbox() for _ in range(20)]
    await asyncio.gather(*(pubsub.subscribe(f"t{n % 4}", i) for n, i in enumerate(inboxes)))
    for n in range(4):
        await other.publish(f"t{n}", "all")
    for received in inboxes:
        assert await received.wait_for(1) == ["all"]


async def test_many_topics_at_once(broker: PostgresBroker) -> None:
    """Thousands of LISTENs go out in few round trips; all are confirmed before subscribe ends.
    (With room to confirm them: on a loaded machine 2,500 can take more than the default
    second, which counts as a lost connection — not what this test is about.)"""
    pubsub = await broker.open(connect_timeout=10.0)
    other = await broker.open()
    received = inbox()
    topics = [f"many {n}" for n in range(2500)]
    await asyncio.gather(*(pubsub.subscribe(topic, received) for topic in topics))
    await asyncio.gather(*(other.publish(topic, topic) for topic in topics))
    assert sorted(await received.wait_for(len(topics))) == sorted(topics)


async def test_start_fails_fast_when_postgres_is_not_there(
    start_private_postgres: Callable[[], PrivatePostgres],
) -> None:
    server = start_private_postgres()
    server.stop()
    pubsub = PostgresPubSub(f"postgresql://postgres:secret@127.0.0.1:{server.port}/test")
    began = time.monotonic()
    with pytest.raises(PubSubUnavailable, match=f"cannot reach PostgreSQL at .*:{server.port}"):
        await pubsub.start()
    assert time.monotonic() - began < 2.0
    keyvalue = PostgresPubSub(f"host=127.0.0.1 port={server.port} password=secret dbname=test")
    with pytest.raises(PubSubUnavailable) as error:
        await keyvalue.start()
    assert "secret" not in str(error.value) and "secret" not in repr(keyvalue)
    await pubsub.close()  # nothing to close, and no error


@pytest.mark.parametrize("dsn", ["not a dsn", "foo=bar", "host='unterminated"])
def test_a_bad_dsn_is_refused_when_made(dsn: str) -> None:
    with pytest.raises(ValueError, match="not a PostgreSQL DSN"):
        PostgresPubSub(dsn)


def test_without_psycopg_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "psycopg" or m.startswith("psycopg.")]:
        monkeypatch.setitem(sys.modules, name, None)  # makes `import psycopg...` fail
    with pytest.raises(ImportError, match=r"pip install liveview\[postgres\]"):
        PostgresPubSub("postgresql://127.0.0.1/app")
    with pytest.raises(ImportError, match=r"pip install liveview\[postgres\]"):
        from_url("postgresql://127.0.0.1/app")


def test_from_url_passes_the_prefix_and_takes_a_key_value_dsn_for_postgres() -> None:
    chosen = from_url("postgresql://127.0.0.1/app", prefix="app:")
    assert isinstance(chosen, PostgresPubSub) and chosen.prefix == "app:"
    keyvalue = from_url("host=127.0.0.1 dbname=app", backend="postgres")
    assert isinstance(keyvalue, PostgresPubSub) and keyvalue.dsn == "host=127.0.0.1 dbname=app"
    with pytest.raises(ValueError, match="no pub/sub backend"):
        from_url("host=127.0.0.1 dbname=app")  # without `backend`, a DSN must be a URL
    with pytest.raises(ValueError, match="not a PostgreSQL DSN"):
        from_url("nonsense", backend="postgres")


def test_from_url_picks_postgres() -> None:
    for url in ("postgresql://127.0.0.1:5433/app", "postgres://u@db.example.com/app"):
        chosen = from_url(url)
        assert isinstance(chosen, PostgresPubSub)
        assert chosen.dsn == url
    assert isinstance(from_url(None), SingleProcessPubSub)
    with pytest.raises(ValueError, match="postgresql://"):
        from_url("amqp://localhost")


# -- broker loss --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["fast", "immediate"], ids=["shutdown", "crash"])
async def test_postgres_restarted(
    broker: PostgresBroker,
    start_private_postgres: Callable[[], PrivatePostgres],
    mode: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = start_private_postgres()
    await survive_an_outage(
        broker,
        lambda: server.stop(mode=mode),
        server.start,
        server.dsn,
        caplog,
        back_within=2.5,  # "within about 2 s"
        also=["odd topic ü"],  # every channel is listened to again, a hashed one too
    )


async def test_close_ends_a_publish_waiting_for_postgres(
    start_private_postgres: Callable[[], PrivatePostgres],
) -> None:
    server = start_private_postgres()
    pubsub = PostgresPubSub(server.dsn, publish_timeout=30.0)
    await pubsub.start()
    await pubsub.publish("t", "warm")
    sender = await backend_of(server.dsn, "liveview-publish")
    os.kill(sender, signal.SIGSTOP)
    try:
        publishing = asyncio.create_task(pubsub.publish("t", "stuck"))
        await asyncio.sleep(0.2)
        began = time.monotonic()
        await pubsub.close()
        with pytest.raises(PubSubUnavailable, match="closed"):
            await asyncio.wait_for(publishing, TIMEOUT)
        assert time.monotonic() - began < 1.0
    finally:
        os.kill(sender, signal.SIGCONT)


async def test_a_statement_postgres_refuses_fails_that_publish_only(
    broker: PostgresBroker, start_private_postgres: Callable[[], PrivatePostgres]
) -> None:
    server = start_private_postgres()
    async with await psycopg.AsyncConnection.connect(server.dsn, autocommit=True) as admin:
        await admin.execute("CREATE ROLE plain LOGIN")  # LISTEN and NOTIFY need no privilege
        pubsub = await broker.open(server.dsn.replace("postgres@", "plain@"))
        received = inbox()
        await pubsub.subscribe("t", received)
        await pubsub.publish("t", "allowed")
        sender = await backend_of(server.dsn, "liveview-publish")
        await admin.execute("REVOKE EXECUTE ON FUNCTION pg_notify(text, text) FROM PUBLIC")
        with pytest.raises(PubSubUnavailable, match="permission denied for function pg_notify"):
            await pubsub.publish("t", "refused")  # after the local delivery: said so
        await admin.execute("GRANT EXECUTE ON FUNCTION pg_notify(text, text) TO PUBLIC")
        await pubsub.publish("t", "allowed again")
        assert await received.wait_for(3) == ["allowed", "refused", "allowed again"]
        assert await backend_of(server.dsn, "liveview-publish") == sender  # the same connection
