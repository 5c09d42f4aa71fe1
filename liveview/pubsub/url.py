"""Choosing a backend from a URL, so deployment settings (an environment variable) pick it."""

from __future__ import annotations

from typing import Any, Literal, TypeAlias
from urllib.parse import urlsplit

from liveview.pubsub.base import PubSub
from liveview.pubsub.memory import SingleProcessPubSub

REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql"})

Backend: TypeAlias = Literal["redis", "postgres"]


def from_url(
    url: str | None, *, prefix: str | None = None, backend: Backend | None = None
) -> PubSub:
    """The backend a URL names:

    - none or `""`: `SingleProcessPubSub`;
    - `redis://`, `rediss://`, `unix://`: `RedisPubSub`;
    - `postgresql://`, `postgres://`: `PostgresPubSub`.

    Raises ValueError for anything else. `prefix`, if given, is the broker backends' channel
    prefix (a single process has no channels). `backend` insists on one backend: a URL of another
    is refused, a PostgreSQL DSN may also be libpq's `key=value` pairs, and no URL means the
    backend's defaults.

    For example `LiveViewApp(routes, pubsub=from_url(os.environ.get("LIVEVIEW_PUBSUB_URL")))`.
    """
    scheme = urlsplit(url).scheme.lower() if url else ""
    shown = scheme + "://" if scheme else repr(url)
    if backend is None:
        if not url:
            return SingleProcessPubSub()
        if scheme in REDIS_SCHEMES:
            backend = "redis"
        elif scheme in POSTGRES_SCHEMES:
            backend = "postgres"
        else:
            raise ValueError(
                f"no pub/sub backend for {shown}: expected redis://, rediss://, unix://, "
                "postgresql://, postgres:// or nothing (a single process)"
            )
    elif backend == "redis" and url and scheme not in REDIS_SCHEMES:
        raise ValueError(f"not a Redis URL: {shown} (expected redis://, rediss:// or unix://)")
    options: dict[str, Any] = {} if prefix is None else {"prefix": prefix}
    if backend == "redis":
        from liveview.pubsub.redis import RedisPubSub

        return RedisPubSub(url, **options) if url else RedisPubSub(**options)
    from liveview.pubsub.postgres import PostgresPubSub

    return PostgresPubSub(url or "", **options)  # "": libpq's defaults (the PG* variables)
