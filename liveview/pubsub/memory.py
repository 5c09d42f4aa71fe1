"""SingleProcessPubSub: pub/sub within one process, the default backend.

Every instance shares one process-wide hub (as in LiveViewJS), so a data model or background task
that makes its own `SingleProcessPubSub()` reaches the LiveViews subscribed through the app's.
Nothing is serialized: subscribers get the checked copy `publish` makes. Starting is optional;
closing an instance removes only the subscriptions made through it.
"""

from __future__ import annotations

import time

from liveview.pubsub import observe
from liveview.pubsub.base import PubSub
from liveview.pubsub.hub import Hub, json_size
from liveview.pubsub.messages import JSONValue
from liveview.telemetry import hooks as _telemetry

_hub = Hub()


class SingleProcessPubSub(PubSub):
    """In-process pub/sub; all instances in the process see each other's messages."""

    def __init__(self) -> None:
        super().__init__(hub=_hub)

    async def _broadcast(self, topic: str, message: JSONValue, exclude: str | None) -> None:
        if _telemetry.pubsub:
            self._observed_broadcast(topic, message, exclude)
        else:
            self._hub.deliver(topic, message, exclude)

    def _observed_broadcast(self, topic: str, message: JSONValue, exclude: str | None) -> None:
        """`_broadcast` with its telemetry events (the size: the message as JSON)."""
        began = time.perf_counter_ns()
        size = json_size(message)
        observe.delivered(self, topic, size, self._hub.subscribers(topic), "local")
        self._hub.deliver(topic, message, exclude, size)
        observe.published(self, topic, size, time.perf_counter_ns() - began)
