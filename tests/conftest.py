"""Fixtures for every test folder: real Redis and PostgreSQL, started only when asked for.

- `redis_url` (session): LIVEVIEW_TEST_REDIS_URL, else the Redis answering PING on
  127.0.0.1:6379, else a private redis-server on a free port for the session.
- `postgres_dsn` (session): LIVEVIEW_TEST_POSTGRES_DSN, else 127.0.0.1:5432 database `test`
  (trust auth, user postgres or root), else a private initdb + pg_ctl cluster for the session.
- `start_private_redis()` / `start_private_postgres()`: factories for brand-new servers that the
  test may stop and start again on the same port (restart / outage tests); closed at teardown.

A shared server (the 6379/5432 ones) may be used by other test runs at the same time: use
unique topic / channel names (e.g. uuid4) so concurrent runs do not see each other's messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests import services
from tests.services import PrivatePostgres, PrivateRedis


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    url = services.existing_redis_url()
    if url is not None:
        yield url
        return
    with PrivateRedis() as redis:
        yield redis.url


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    dsn = services.existing_postgres_dsn()
    if dsn is not None:
        yield dsn
        return
    with PrivatePostgres() as pg:
        yield pg.dsn


@pytest.fixture
def start_private_redis() -> Iterator[Callable[[], PrivateRedis]]:
    """Call it to get a new, started PrivateRedis (`.url`, `.port`, `.stop()`, `.start()`)."""
    started: list[PrivateRedis] = []

    def start() -> PrivateRedis:
        redis = services.start_private_redis()
        started.append(redis)
        return redis

    yield start
    for redis in started:
        redis.close()


@pytest.fixture
def start_private_postgres() -> Iterator[Callable[[], PrivatePostgres]]:
    """Call it to get a new, started PrivatePostgres (`.dsn`, `.port`, `.stop()`, `.start()`)."""
    started: list[PrivatePostgres] = []

    def start() -> PrivatePostgres:
        pg = services.start_private_postgres()
        started.append(pg)
        return pg

    yield start
    for pg in started:
        pg.close()
