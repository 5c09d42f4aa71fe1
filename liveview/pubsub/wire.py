"""The wire format of the remote backends: one message with its routing, as one JSON object.

Remote backends (Redis, PostgreSQL) carry each message as one UTF-8 JSON object, encoded with
orjson by `encode_envelope` and read back by `decode_envelope`:

    {"topic": "counter", "message": {"type": "inc"}, "origin": "5f0c2a9e3b7d1c44.3",
     "exclude": "5f0c2a9e3b7d1c44.17"}

- `topic`: required; a non-empty string.
- `message`: required; any JSON value under the message rules of `liveview.pubsub.messages`
  (may be null).
- `origin`: optional; the `PubSub.node_id` of the publishing instance. An instance skips
  envelopes carrying its own node id: it delivered them to its own subscribers when publishing.
- `exclude`: optional; the subscription id that must not receive the message (Phoenix's
  `broadcast_from`). Subscription ids are unique across processes and hosts.

Absent and null mean the same. Other keys are ignored, so fields can be added later. An outside
program needs only the two required keys: `{"topic": "counter", "message": {"type": "inc"}}`.
An integer outside the signed 64-bit range in the message is refused, like at publish: orjson
reads one beyond 64 bits as a float, silently, so a float of magnitude 2**63 or more sends the
payload to a second reading by the standard library, which tells `1e19` from an integer literal.

Brokers with a channel per topic (Redis: `<prefix><topic>`) read payloads with `decode_payload`,
which also takes a bare message, so outside programs need no envelope: a payload is an envelope
when it is a JSON object with a `topic` equal to the channel's topic, a `message` key, and no
keys but `topic`, `message`, `origin` and `exclude`; any other JSON value is the message itself.
To send a message that has that shape, wrap it in an envelope.

These are tools for backend authors and outside programs; an app needs none of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TypeAlias

import orjson

from liveview.pubsub.messages import (
    MAX_DEPTH,
    JSONLike,
    JSONValue,
    LargeFloat,
    check_id,
    check_parsed,
    check_topic,
    to_json_value,
)

Data: TypeAlias = bytes | bytearray | memoryview | str
"""A payload as a broker client hands it over."""


class MalformedMessage(ValueError):
    """Bytes from a broker that are not an envelope (see the module docstring)."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """One message on the wire, with its routing."""

    topic: str
    message: JSONValue
    origin: str | None = None
    exclude: str | None = None


def encode_envelope(
    topic: str, message: JSONLike, origin: str | None = None, exclude: str | None = None
) -> bytes:
    """Encode a message for a broker; the message is checked like at `publish`."""
    check_topic(topic)
    check_id(origin, "origin")
    check_id(exclude, "exclude")
    return encode_checked(topic, to_json_value(message), origin, exclude)


def encode_checked(
    topic: str, message: JSONValue, origin: str | None, exclude: str | None
) -> bytes:
    """Encode an envelope whose parts are already checked (the publish path checks them once)."""
    envelope: dict[str, JSONValue] = {"topic": topic, "message": message}
    if origin is not None:
        envelope["origin"] = origin
    if exclude is not None:
        envelope["exclude"] = exclude
    return orjson.dumps(envelope)


def decode_envelope(data: Data) -> Envelope:
    """Read an envelope from a broker; raise MalformedMessage for anything else."""
    try:
        envelope = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise MalformedMessage(f"not JSON ({error}): {_preview(data)}") from None
    if type(envelope) is not dict:
        raise MalformedMessage(f"not a JSON object: {_preview(data)}")
    topic = envelope.get("topic")
    if not isinstance(topic, str) or not topic:
        raise MalformedMessage(f"no non-empty string 'topic': {_preview(data)}")
    if "message" not in envelope:
        raise MalformedMessage(f"no 'message': {_preview(data)}")
    return _checked(data, topic, envelope)


def _checked(data: Data, topic: str, envelope: dict[str, object]) -> Envelope:
    """The envelope of a decoded object that has a topic and a message."""
    origin = _optional_id(data, envelope, "origin")
    exclude = _optional_id(data, envelope, "exclude")
    return Envelope(topic, _message(data, envelope["message"], True), origin, exclude)


def _message(data: Data, message: object, in_envelope: bool) -> JSONValue:
    """The checked message of a payload, `message` as orjson read it (the envelope's or all)."""
    try:
        return check_parsed(message)
    except TypeError as error:
        raise MalformedMessage(str(error)) from None
    except LargeFloat:
        pass
    # Rare: a float of 2**63 or more, which orjson also makes of larger integer literals.
    try:
        exact = json.loads(data if isinstance(data, str) else bytes(data))
    except RecursionError:  # orjson reads 1024 levels; the message rules allow fewer anyway
        raise MalformedMessage(f"nests more than {MAX_DEPTH} containers deep") from None
    except ValueError as error:  # not expected: the standard library reads what orjson reads
        raise MalformedMessage(f"not JSON ({error}): {_preview(data)}") from None
    try:
        return to_json_value(exact["message"] if in_envelope else exact)
    except TypeError as error:
        raise MalformedMessage(str(error)) from None


def _optional_id(data: Data, envelope: dict[str, object], key: str) -> str | None:
    value = envelope.get(key)
    if value is None or isinstance(value, str):
        return value
    raise MalformedMessage(f"{key!r} is neither a string nor null: {_preview(data)}")


_ENVELOPE_KEYS = frozenset({"topic", "message", "origin", "exclude"})


def decode_payload(topic: str, data: Data) -> Envelope:
    """Read a payload from the broker channel of `topic`: an envelope, or a bare message.

    The rule (see the module docstring) lets `redis-cli PUBLISH liveview:counter '{"n": 1}'`
    work without an envelope. Raises MalformedMessage for what is not JSON, for values the
    message rules refuse (an integer beyond 64 bits too, which orjson alone would read as a
    float), and for envelopes with a bad `origin` or `exclude`.
    """
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise MalformedMessage(f"not JSON ({error}): {_preview(data)}") from None
    if (
        type(value) is dict
        and value.get("topic") == topic
        and "message" in value
        and _ENVELOPE_KEYS.issuperset(value)
    ):
        return _checked(data, topic, value)
    return Envelope(topic, _message(data, value, False))


def payload_size(data: Data) -> int:
    """A payload's size in bytes (a broker client may hand over text: PostgreSQL's does)."""
    if isinstance(data, str):
        return len(data) if data.isascii() else len(data.encode("utf-8", "surrogatepass"))
    if isinstance(data, memoryview):
        return data.nbytes
    return len(data)


def _preview(data: Data) -> str:
    head = data[:80]
    text = repr(head.tobytes() if isinstance(head, memoryview) else head)
    return text + ("..." if len(data) > 80 else "")
