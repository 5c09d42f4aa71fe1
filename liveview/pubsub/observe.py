"""The pub/sub telemetry events (`liveview.telemetry`): what backends emit, in one place.

Backends call these only while a handler is attached (`telemetry.hooks.pubsub`), so the
events cost nothing otherwise. Sizes are bytes of the message as the broker carries it (the
envelope's payload), or as JSON for the in-process backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from liveview import telemetry

if TYPE_CHECKING:
    from liveview.pubsub.base import PubSub


def published(pubsub: PubSub, topic: str, size: int, duration: int) -> None:
    """`liveview.pubsub.publish`: this process published a message, and (for a broker
    backend) the broker took it `duration` nanoseconds after `publish` was called."""
    telemetry.emit(
        "liveview.pubsub.publish",
        {"bytes": size, "duration": duration},
        {"topic": topic, "backend": type(pubsub).__name__},
    )


def delivered(pubsub: PubSub, topic: str, size: int, subscribers: int, origin: str) -> None:
    """`liveview.pubsub.deliver`: a message handed to this process's `subscribers` of `topic`,
    published here (`origin` "local") or received from the broker ("remote")."""
    telemetry.emit(
        "liveview.pubsub.deliver",
        {"bytes": size, "subscribers": subscribers},
        {"topic": topic, "backend": type(pubsub).__name__, "origin": origin},
    )


def gap(pubsub: PubSub, topic: str, subscribers: int) -> None:
    """`liveview.pubsub.gap`: the connection to the broker came back, and the subscribers of
    `topic` were told that messages may have been missed (`PubSubGap`)."""
    telemetry.emit(
        "liveview.pubsub.gap",
        {"subscribers": subscribers},
        {"topic": topic, "backend": type(pubsub).__name__},
    )
