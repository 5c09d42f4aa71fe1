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


# binary frames (upload chunks) ----------------------------------------------------------------

PUSH_KIND = 0
"""The first byte of a client's binary push (the V2 serializer's kinds: 0 push, 1 reply,
2 broadcast; a client only sends pushes)."""


class BinaryFrame(NamedTuple):
    """A client push with a binary payload: `[0, len(join_ref), len(ref), len(topic),
    len(event)]`, the four fields in UTF-8, then the payload bytes to the end."""

    join_ref: str
    ref: str
    topic: str
    event: str
    payload: memoryview


def decode_binary(data: bytes) -> BinaryFrame:
    """Read a binary push; `MalformedFrame` (with `ref`/`topic` when they could be read) for
    anything else: another kind, lengths past the end, fields that are not UTF-8."""
    if len(data) < 5:
        raise MalformedFrame("binary frame shorter than its header")
    if data[0] != PUSH_KIND:
        raise MalformedFrame(f"binary frame of kind {data[0]}, not a push")
    lengths = data[1:5]
    end = 5 + sum(lengths)
    if end > len(data):
        raise MalformedFrame("binary frame shorter than its header says")
    fields: list[str] = []
    offset = 5
    try:
        for length in lengths:
            fields.append(data[offset : offset + length].decode())
            offset += length
    except UnicodeDecodeError:
        raise MalformedFrame("binary frame fields are not UTF-8") from None
    join_ref, ref, topic, event = fields
    if not topic or not event or not ref:
        raise MalformedFrame("binary frame without topic, event or ref", ref=ref or None)
    return BinaryFrame(join_ref, ref, topic, event, memoryview(data)[end:])


def encode_binary(join_ref: str, ref: str, topic: str, event: str, payload: bytes) -> bytes:
    """A binary push as the client's serializer makes it (tests, benches)."""
    fields = [value.encode() for value in (join_ref, ref, topic, event)]
    if any(len(field) > 255 for field in fields):
        raise ValueError("binary frame fields are at most 255 bytes")
    return bytes([PUSH_KIND, *(len(field) for field in fields)]) + b"".join(fields) + payload
