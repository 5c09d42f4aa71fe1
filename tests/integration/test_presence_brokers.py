"""Presence on RedisPubSub and PostgresPubSub against the real servers: the one-node contract,
the several-node contract (late joiners, SIGKILL, broker restart, network cut, other apps), and
the size limit of PostgreSQL's NOTIFY."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from liveview import MessageTooLarge, PostgresPubSub, RedisPubSub
from liveview.pubsub import PubSub
from tests.presence_contract import (
    NodesContract,
    PresenceContract,
    eventually,
    keys_of_sync,
    oversized_meta,
    topic,
)


def fresh_prefix() -> str:
    return f"test-{uuid.uuid4().hex[:10]}:"


class TestRedisPresence(PresenceContract):
    @pytest.fixture
    def make_pubsub(self, redis_url: str) -> Callable[[], PubSub]:
        prefix = fresh_prefix()
        return lambda: RedisPubSub(redis_url, prefix=prefix)


class TestPostgresPresence(PresenceContract):
    @pytest.fixture
    def make_pubsub(self, postgres_dsn: str) -> Callable[[], PubSub]:
        prefix = fresh_prefix()
        return lambda: PostgresPubSub(postgres_dsn, prefix=prefix)


class TestRedisNodes(NodesContract):
    backend = "redis"

    @pytest.fixture
    def broker_url(self, redis_url: str) -> str:
        return redis_url

    @pytest.fixture
    def make_at(self) -> Callable[[str, str], PubSub]:
        return lambda url, prefix: RedisPubSub(url, prefix=prefix)

    @pytest.fixture
    def start_private(self, start_private_redis: Callable[[], Any]) -> Callable[[], Any]:
        return start_private_redis

    async def test_large_metas_travel_in_several_messages(self, open_node: Any) -> None:
        a, b, t = await open_node(), await open_node(), topic()
        for i in range(30):
            await a.track(t, f"user-{i}", {"bio": "x" * 9000}, owner=f"p{i}")
        await eventually(lambda: len(keys_of_sync(b, t)) == 30)
        assert await b.list(t) == await a.list(t)


class PrivatePostgresURL:
    """A private PostgreSQL seen through `.url` (its DSN), as the contract wants."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.url = server.dsn

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server.start()


class TestPostgresNodes(NodesContract):
    backend = "postgres"

    @pytest.fixture
    def broker_url(self, postgres_dsn: str) -> str:
        return postgres_dsn

    @pytest.fixture
    def make_at(self) -> Callable[[str, str], PubSub]:
        return lambda url, prefix: PostgresPubSub(url, prefix=prefix)

    @pytest.fixture
    def start_private(self, start_private_postgres: Callable[[], Any]) -> Callable[[], Any]:
        return lambda: PrivatePostgresURL(start_private_postgres())

    async def test_oversized_metas_are_refused_at_track(self, open_node: Any) -> None:
        a, b, t = await open_node(), await open_node(), topic()
        ref = await a.track(t, "al", {"bio": "x" * 6000})  # fits
        with pytest.raises(MessageTooLarge) as refused:
            await a.track(t, "bo", oversized_meta())
        assert refused.value.limit == 7999 and refused.value.size > 7999
        with pytest.raises(MessageTooLarge):
            await a.update(t, "al", oversized_meta())
        assert await a.list(t) == {"al": {"metas": [{"bio": "x" * 6000, "phx_ref": ref}]}}
        await eventually(lambda: keys_of_sync(b, t) == {"al": 1})

    async def test_many_large_metas_fit_in_several_notifications(self, open_node: Any) -> None:
        a, b, t = await open_node(), await open_node(), topic()
        for i in range(20):
            await a.track(t, f"user-{i}", {"bio": "y" * 3000}, owner=f"p{i}")
        await eventually(lambda: len(keys_of_sync(b, t)) == 20)
        late = await open_node()  # its full sync comes in parts too
        await eventually(lambda: len(keys_of_sync(late, t)) == 20)
