"""The service fixtures themselves: real Redis and PostgreSQL answer, private servers restart."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import redis.asyncio
import redis.exceptions

from tests.services import PrivatePostgres, PrivateRedis


async def test_redis_url_answers_ping(redis_url: str) -> None:
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        assert await client.ping() is True
    finally:
        await client.aclose()


async def test_postgres_dsn_selects(postgres_dsn: str) -> None:
    async with await psycopg.AsyncConnection.connect(postgres_dsn) as conn:
        cur = await conn.execute("SELECT 1")
        assert await cur.fetchone() == (1,)


async def test_private_redis_restarts_on_the_same_port(
    start_private_redis: Callable[[], PrivateRedis],
) -> None:
    server = start_private_redis()
    port = server.port
    client = redis.asyncio.Redis.from_url(server.url, socket_connect_timeout=1)
    try:
        await client.set("k", "v")
        assert await client.get("k") == b"v"

        server.stop()
        assert not server.running
        try:
            await client.ping()
        except (redis.exceptions.ConnectionError, OSError):
            pass
        else:
            raise AssertionError("PING succeeded while the server was stopped")

        server.start()
        assert server.port == port
        assert server.url.endswith(f":{port}/0")
        assert await client.ping() is True  # the client reconnects to the same address
        assert await client.get("k") is None  # no persistence: a restart starts empty
    finally:
        await client.aclose()


def test_private_postgres_restarts_on_the_same_port(
    start_private_postgres: Callable[[], PrivatePostgres],
) -> None:
    pg = start_private_postgres()
    port = pg.port
    with psycopg.connect(pg.dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (x int)")
        conn.execute("INSERT INTO t VALUES (42)")

    pg.stop()
    try:
        psycopg.connect(pg.dsn, connect_timeout=2).close()
    except psycopg.OperationalError:
        pass
    else:
        raise AssertionError("connected while the server was stopped")

    pg.start()
    assert pg.port == port
    with psycopg.connect(pg.dsn) as conn:
        assert conn.execute("SELECT x FROM t").fetchone() == (42,)  # data survives a restart
