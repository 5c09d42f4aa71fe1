"""Pub/sub: publish JSON messages to topics, subscribe handlers to them, on any backend."""

from liveview.pubsub.base import (
    Envelope,
    JSONLike,
    JSONValue,
    MalformedMessage,
    PubSub,
    decode_envelope,
    encode_envelope,
)
from liveview.pubsub.hub import Handler
from liveview.pubsub.memory import SingleProcessPubSub

__all__ = [
    "Envelope",
    "Handler",
    "JSONLike",
    "JSONValue",
    "MalformedMessage",
    "PubSub",
    "SingleProcessPubSub",
    "decode_envelope",
    "encode_envelope",
]
