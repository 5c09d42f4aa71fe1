"""SingleProcessPubSub: pub/sub within one process, the default backend.

Every instance shares one process-wide hub (as in LiveViewJS), so a data model or background task
that makes its own `SingleProcessPubSub()` reaches the LiveViews subscribed through the app's.
Nothing is serialized: subscribers get the checked copy `publish` makes. Starting is optional;
closing an instance removes only the subscriptions made through it.
"""

from __future__ import annotations

from liveview.pubsub.base import PubSub
from liveview.pubsub.hub import Hub
from liveview.pubsub.messages import JSONValue

_hub = Hub()


class SingleProcessPubSub(PubSub):
    """In-process pub/sub; all instances in the process see each other's messages."""

    def __init__(self) -> None:
        super().__init__(hub=_hub)

    async def _broadcast(self, topic: str, message: JSONValue, exclude: str | None) -> None:
        self._hub.deliver(topic, message, exclude)
