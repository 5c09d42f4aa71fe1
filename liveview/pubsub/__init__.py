"""Pub/sub: publish JSON messages to topics, subscribe handlers to them, on any backend."""

from liveview.pubsub.base import MessageTooLarge, PubSub, PubSubGap, PubSubUnavailable
from liveview.pubsub.broker import BrokerPubSub
from liveview.pubsub.hub import Handler
from liveview.pubsub.memory import SingleProcessPubSub
from liveview.pubsub.messages import JSONLike, JSONValue
from liveview.pubsub.postgres import PostgresPubSub, channel_for
from liveview.pubsub.redis import RedisPubSub
from liveview.pubsub.url import from_url
from liveview.pubsub.wire import (
    Envelope,
    MalformedMessage,
    decode_envelope,
    decode_payload,
    encode_envelope,
)

__all__ = [
    "BrokerPubSub",
    "Envelope",
    "Handler",
    "JSONLike",
    "JSONValue",
    "MalformedMessage",
    "MessageTooLarge",
    "PostgresPubSub",
    "PubSub",
    "PubSubGap",
    "PubSubUnavailable",
    "RedisPubSub",
    "SingleProcessPubSub",
    "channel_for",
    "decode_envelope",
    "decode_payload",
    "encode_envelope",
    "from_url",
]
