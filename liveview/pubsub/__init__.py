"""Pub/sub: publish JSON messages to topics, subscribe handlers to them, on any backend.

What an app needs is here: the `PubSub` interface, its three backends, `from_url` to pick one,
and the errors and notices they raise (mapped in `liveview.pubsub.base`). The rest lives in the
module it belongs to:

- for backend authors: `liveview.pubsub.broker.BrokerPubSub` (a backend over a network broker),
  `liveview.pubsub.sender.BatchingBrokerPubSub` (its publishing half over a connection) and
  `liveview.pubsub.hub.Handler` (what `subscribe` takes);
- for outside programs and tests: the wire format in `liveview.pubsub.wire` (`Envelope`,
  `encode_envelope`, `decode_envelope`, `decode_payload`, `MalformedMessage`), the message types
  in `liveview.pubsub.messages` (`JSONValue`, `JSONLike`) and PostgreSQL's channel names in
  `liveview.pubsub.postgres` (`channel_for`).
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING

from liveview.pubsub.base import MessageTooLarge, PubSub, PubSubGap, PubSubUnavailable
from liveview.pubsub.memory import SingleProcessPubSub
from liveview.pubsub.postgres import PostgresPubSub
from liveview.pubsub.redis import RedisPubSub
from liveview.pubsub.url import from_url

__all__ = [
    "MessageTooLarge",
    "PostgresPubSub",
    "PubSub",
    "PubSubGap",
    "PubSubUnavailable",
    "RedisPubSub",
    "SingleProcessPubSub",
    "from_url",
]

_MOVED = {
    "BrokerPubSub": "liveview.pubsub.broker",
    "Handler": "liveview.pubsub.hub",
    "JSONLike": "liveview.pubsub.messages",
    "JSONValue": "liveview.pubsub.messages",
    "Envelope": "liveview.pubsub.wire",
    "MalformedMessage": "liveview.pubsub.wire",
    "decode_envelope": "liveview.pubsub.wire",
    "decode_payload": "liveview.pubsub.wire",
    "encode_envelope": "liveview.pubsub.wire",
    "channel_for": "liveview.pubsub.postgres",
}
"""Names this package exported before they moved to their own modules' imports (deprecated)."""

if not TYPE_CHECKING:  # type checkers point at the new place; running code is only warned

    def __getattr__(name: str) -> object:
        module = _MOVED.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        warnings.warn(
            f"importing {name} from liveview.pubsub is deprecated: import it from {module}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(module), name)
