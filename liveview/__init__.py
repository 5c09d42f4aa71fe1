"""LiveView for Python: server-rendered, real-time, multi-player pages driven by the official
Phoenix LiveView client."""

from liveview.app import LiveViewApp
from liveview.pubsub import (
    MessageTooLarge,
    PostgresPubSub,
    PubSub,
    PubSubGap,
    PubSubUnavailable,
    RedisPubSub,
    SingleProcessPubSub,
)
from liveview.socket import Assigns, LiveViewSocket
from liveview.template import Template
from liveview.view import LiveView, UnknownEvent

__all__ = [
    "Assigns",
    "LiveView",
    "LiveViewApp",
    "LiveViewSocket",
    "MessageTooLarge",
    "PostgresPubSub",
    "PubSub",
    "PubSubGap",
    "PubSubUnavailable",
    "RedisPubSub",
    "SingleProcessPubSub",
    "Template",
    "UnknownEvent",
]
