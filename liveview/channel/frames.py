"""Phoenix V2 JSON frames: `[join_ref, ref, topic, event, payload]`, both directions.

Decoding is strict: anything that is not a five-element array of the right types is a
`MalformedFrame`, so the connection can answer it (or drop it) without guessing.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

from liveview.channel.protocol import REPLY
from liveview.js import json_default


class MalformedFrame(ValueError):
    """A text frame that is not a valid V2 message; `ref`/`topic` are kept when readable."""

    def __init__(self, reason: str, *, ref: str | None = None, topic: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ref = ref
        self.topic = topic


class Frame(NamedTuple):
    join_ref: str | None
    ref: str | None
    topic: str
    event: str
    payload: dict[str, Any]
    size: int = 0
    """The length of the text it was read from (what it holds while it waits)."""


def decode(text: str | bytes) -> Frame:
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise MalformedFrame("frame is not JSON") from None
    if not isinstance(data, list) or len(data) != 5:
        raise MalformedFrame("frame is not a five-element array")
    join_ref, ref, topic, event, payload = data
    if not isinstance(topic, str) or not topic:
        raise MalformedFrame("topic must be a non-empty string")
    if ref is not None and not isinstance(ref, str):
        raise MalformedFrame("ref must be a string or null", topic=topic)
    if join_ref is not None and not isinstance(join_ref, str):
        raise MalformedFrame("join_ref must be a string or null", ref=ref, topic=topic)
    if not isinstance(event, str) or not event:
        raise MalformedFrame("event must be a non-empty string", ref=ref, topic=topic)
    if not isinstance(payload, dict):
        raise MalformedFrame("payload must be an object", ref=ref, topic=topic)
    return Frame(join_ref, ref, topic, event, payload, len(text))


def encode(join_ref: str | None, ref: str | None, topic: str, event: str, payload: Any) -> str:
    """A frame as text; a `JS` in ``payload`` (a pushed event, a reply) goes as its commands."""
    return orjson.dumps([join_ref, ref, topic, event, payload], default=json_default).decode()


def reply(join_ref: str | None, ref: str | None, topic: str, status: str, response: Any) -> str:
    return encode(join_ref, ref, topic, REPLY, {"status": status, "response": response})


def push_prefix(join_ref: str | None, topic: str, event: str) -> str:
    """The text of a push frame up to its payload: ``prefix + payload_json + "]"`` is the frame.

    Lets a payload encoded once (a diff shared by many LiveViews) go out on every channel
    without encoding it again per recipient.
    """
    return orjson.dumps([join_ref, None, topic, event])[:-1].decode() + ","
