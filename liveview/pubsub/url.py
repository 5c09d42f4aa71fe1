"""Choosing a backend from a URL, so deployment settings (an environment variable) pick it."""

from __future__ import annotations

from urllib.parse import urlsplit

from liveview.pubsub.base import PubSub
from liveview.pubsub.memory import SingleProcessPubSub

REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql"})


def from_url(url: str | None) -> PubSub:
    """The backend a URL names: none or "" -> SingleProcessPubSub, redis:// (rediss://,
    unix://) -> RedisPubSub, postgresql:// (postgres://) -> PostgresPubSub. Raises ValueError
    for anything else.

    For example ``LiveViewApp(routes, pubsub=from_url(os.environ.get("LIVEVIEW_PUBSUB_URL")))``.
    """
    if not url:
        return SingleProcessPubSub()
    scheme = urlsplit(url).scheme.lower()
    if scheme in REDIS_SCHEMES:
        from liveview.pubsub.redis import RedisPubSub

        return RedisPubSub(url)
    if scheme in POSTGRES_SCHEMES:
        from liveview.pubsub.postgres import PostgresPubSub

        return PostgresPubSub(url)
    raise ValueError(
        f"no pub/sub backend for {scheme + '://' if scheme else repr(url)}: expected redis://, "
        "rediss://, unix://, postgresql://, postgres:// or nothing (a single process)"
    )
