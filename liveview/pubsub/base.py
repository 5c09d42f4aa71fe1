"""The PubSub interface, the message rules and the wire format: what every backend shares.

Messages
--------
A message is a JSON value: a dict with str keys, a list, a str, an int within the signed 64-bit
range, a finite float, a bool or None, nested at most `MAX_DEPTH` containers deep. A tuple is
accepted and becomes a list (subclasses of these types become the plain type). `publish` checks
this on every backend and refuses anything else with a `TypeError` naming where it is (for
example ``message['a'][2] is a set, not a JSON value``), so nothing works in-process and then
breaks over a broker. The checked copy is what subscribers get: equal to what was published,
untouched by later mutation of the original, and shared by all subscribers in the process, so
handlers must treat it as read-only.

Wire format
-----------
Remote backends (Redis, PostgreSQL) carry each message as one UTF-8 JSON object, encoded with
orjson by `encode_envelope` and read back by `decode_envelope`::

    {"topic": "counter", "message": {"type": "inc"}, "origin": "5f0c2a9e3b7d1c44.3",
     "exclude": "5f0c2a9e3b7d1c44.17"}

``topic``
    Required; a non-empty string.
``message``
    Required; any JSON value under the rules above (may be null).
``origin``
    Optional; the `PubSub.node_id` of the publishing instance. An instance skips envelopes
    carrying its own node id: it delivered them to its own subscribers when publishing.
``exclude``
    Optional; the subscription id that must not receive the message (Phoenix's
    ``broadcast_from``). Subscription ids are unique across processes and hosts.

Absent and null mean the same. Other keys are ignored, so fields can be added later. An outside
program needs only the two required keys: ``{"topic": "counter", "message": {"type": "inc"}}``.
Integers outside 64 bits in outside input are read as floats (orjson); integers between 2**63
and 2**64 are refused like at publish.

Brokers with a channel per topic (Redis: ``<prefix><topic>``) read payloads with
`decode_payload`, which also takes a bare message, so outside programs need no envelope: a
payload is an envelope when it is a JSON object with a ``topic`` equal to the channel's topic, a
``message`` key, and no keys but ``topic``, ``message``, ``origin`` and ``exclude``; any other
JSON value is the message itself. To send a message that has that shape, wrap it in an envelope.

Broker loss
-----------
`publish` raises `PubSubUnavailable` when the broker cannot be reached in bounded time. After a
lost connection comes back, every subscription of a topic that was subscribed again receives a
`PubSubGap` (before any message received on that topic afterwards): messages may have been
missed, so state should be reloaded. The in-process backend never sends one.
"""

from __future__ import annotations

import abc
import asyncio
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Self, TypeAlias

import orjson

from liveview.pubsub.hub import Handler, Hub, Subscription, logger, unique_id

JSONValue: TypeAlias = dict[str, "JSONValue"] | list["JSONValue"] | str | int | float | bool | None
"""A message as subscribers receive it."""

JSONLike: TypeAlias = (
    Mapping[str, "JSONLike"] | Sequence["JSONLike"] | str | int | float | bool | None
)
"""What `publish` accepts, to the type checker (dicts are invariant, so `JSONValue` would refuse
a `dict[str, int]`). The run-time check is the real rule: only dicts, lists and tuples pass."""

MAX_DEPTH = 250
"""Deepest nesting of containers in a message; orjson refuses deeper, and so do we, everywhere."""

CLOSE_TIMEOUT = 5.0
"""Seconds `close` waits for cancelled handlers to finish."""

_INT_MIN = -(1 << 63)
_INT_MAX = (1 << 63) - 1


# -- messages ---------------------------------------------------------------------------------


class _NotJSON(Exception):
    """Raised deep inside a message; each enclosing container adds its step to `path`."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.path: list[str] = []


def to_json_value(value: object, name: str = "message") -> JSONValue:
    """Return a checked, normalized copy of `value`, or raise TypeError saying where it is not JSON.

    `name` starts the path in the error, e.g. ``message['a'][2]``.
    """
    try:
        return _copy(value, MAX_DEPTH)
    except _NotJSON as error:
        steps = error.path[::-1]
        if len(steps) > 12:  # the nesting limit would make paths hundreds of steps long
            steps = [*steps[:6], "...", *steps[-3:]]
        raise TypeError(f"{name}{''.join(steps)} {error.problem}") from None


def _copy(value: object, depth: int) -> JSONValue:
    # Exact types first: the common case, and cheaper than isinstance.
    if type(value) is str:
        if not value.isascii():
            _check_unicode(value)
        return value
    if type(value) is int:
        if _INT_MIN <= value <= _INT_MAX:
            return value
        raise _NotJSON("is an int outside the signed 64-bit range, not a JSON value")
    if type(value) is float:
        if math.isfinite(value):
            return value
        raise _NotJSON(f"is {value!r}, not a JSON value (floats must be finite)")
    if value is None or type(value) is bool:
        return value
    if type(value) is dict:
        return _copy_dict(value, depth)
    if type(value) is list or type(value) is tuple:
        return _copy_list(value, depth)
    return _copy_subclass(value, depth)


def _copy_dict(value: dict[object, object], depth: int) -> dict[str, JSONValue]:
    if depth == 0:
        raise _too_deep()
    copy: dict[str, JSONValue] = {}
    for key, item in value.items():
        if type(key) is not str:
            if not isinstance(key, str):
                raise _NotJSON(
                    f"has the key {_short_repr(key)} ({_type_name(key)}): "
                    "JSON object keys must be str"
                )
            key = str.__str__(key)
        if not key.isascii():
            _check_unicode(key, f"has the key {key!r}, which")
        try:
            copy[key] = _copy(item, depth - 1)
        except _NotJSON as error:
            error.path.append(f"[{key!r}]")
            raise
    return copy


def _copy_list(value: list[object] | tuple[object, ...], depth: int) -> list[JSONValue]:
    if depth == 0:
        raise _too_deep()
    copy: list[JSONValue] = []
    for index, item in enumerate(value):
        try:
            copy.append(_copy(item, depth - 1))
        except _NotJSON as error:
            error.path.append(f"[{index}]")
            raise
    return copy


def _copy_subclass(value: object, depth: int) -> JSONValue:
    """Subclasses (StrEnum, IntEnum, OrderedDict, namedtuple...) become the plain type."""
    if isinstance(value, str):
        return _copy(str.__str__(value), depth)
    if isinstance(value, int):  # bool cannot be subclassed, and was handled before
        return _copy(int.__int__(value), depth)
    if isinstance(value, float):
        return _copy(float.__float__(value), depth)
    if isinstance(value, dict):
        return _copy_dict(value, depth)
    if isinstance(value, list | tuple):
        return _copy_list(value, depth)
    name = _type_name(value)
    article = "an" if name[0].lower() in "aeiou" else "a"
    raise _NotJSON(f"is {article} {name}, not a JSON value")


def _check_unicode(text: str, subject: str = "is a str that") -> None:
    """orjson (so every broker) refuses lone surrogates; refuse them here too."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _NotJSON(f"{subject} holds a lone surrogate, not valid Unicode") from None


def _too_deep() -> _NotJSON:
    return _NotJSON(f"nests more than {MAX_DEPTH} containers deep (a reference cycle?)")


def _type_name(value: object) -> str:
    kind = type(value)
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def _short_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception:
        return "<unrepresentable>"
    return text if len(text) <= 60 else text[:57] + "..."


def _check_topic(topic: object) -> None:
    if not isinstance(topic, str):
        raise TypeError(f"topic must be a str, not {_type_name(topic)}")
    if not topic:
        raise ValueError("topic must not be empty")
    if not topic.isascii():
        try:
            topic.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"topic {topic!r} holds a lone surrogate, not valid Unicode") from None


def _check_id(value: object, name: str) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a subscription id (str) or None, not {_type_name(value)}")


# -- wire format ------------------------------------------------------------------------------


class MalformedMessage(ValueError):
    """Bytes from a broker that are not an envelope (see the module docstring)."""


class PubSubUnavailable(ConnectionError):
    """The broker could not be reached in time: the message did not (surely) reach other nodes.

    Raised by `publish` and `start` of remote backends; never by the in-process one.
    """


class MessageTooLarge(ValueError):
    """A message whose wire form is larger than the broker carries (PostgreSQL NOTIFY: under 8000
    bytes), refused at `publish` before anyone, local subscribers included, got it.

    `size` is the encoded envelope's length in bytes, `limit` the largest the broker takes.
    """

    def __init__(self, text: str, *, size: int, limit: int) -> None:
        super().__init__(text)
        self.size = size
        self.limit = limit


@dataclass(frozen=True, slots=True)
class PubSubGap:
    """Handed to every subscription of `topic` when the connection to the broker came back.

    Messages published on `topic` while it was lost may never arrive: a LiveView gets this in
    `handle_info` and should reload what it shows from the source of truth.
    """

    topic: str


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
    _check_topic(topic)
    _check_id(origin, "origin")
    _check_id(exclude, "exclude")
    return _encode(topic, to_json_value(message), origin, exclude)


def _encode(topic: str, message: JSONValue, origin: str | None, exclude: str | None) -> bytes:
    """Encode an envelope whose parts are already checked (the publish path checks them once)."""
    envelope: dict[str, JSONValue] = {"topic": topic, "message": message}
    if origin is not None:
        envelope["origin"] = origin
    if exclude is not None:
        envelope["exclude"] = exclude
    return orjson.dumps(envelope)


Data: TypeAlias = bytes | bytearray | memoryview | str


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
    try:
        message = to_json_value(envelope["message"])
    except TypeError as error:
        raise MalformedMessage(str(error)) from None
    return Envelope(topic, message, origin, exclude)


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
    message rules refuse, and for envelopes with a bad ``origin`` or ``exclude``.
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
    try:
        return Envelope(topic, to_json_value(value))
    except TypeError as error:
        raise MalformedMessage(str(error)) from None


def _preview(data: Data) -> str:
    head = data[:80]
    text = repr(head.tobytes() if isinstance(head, memoryview) else head)
    return text + ("..." if len(data) > 80 else "")


# -- the interface ----------------------------------------------------------------------------


class PubSub(abc.ABC):
    """Publish JSON messages to topics; subscribe handlers to topics.

    Backends supply only transport: `_broadcast`, and `_connect`/`_disconnect` if they hold a
    connection. Checking messages, subscription ids, bookkeeping and local delivery (through
    a `Hub`) live here, identical for all. A remote backend delivers its own messages locally
    in `_broadcast` (no broker round trip) and hands envelopes from the broker to `_receive`,
    which skips its own. Backends that subscribe per topic at the broker extend
    `subscribe`/`unsubscribe` and can see `self._hub.topics()`; `broker.BrokerPubSub` does that,
    with reconnection and gap notices, for backends over a network broker.
    """

    def __init__(self, *, hub: Hub | None = None) -> None:
        self._hub = Hub() if hub is None else hub
        self._subscriptions: dict[str, Subscription] = {}
        self._started = False
        self._node_id = unique_id()

    @property
    def node_id(self) -> str:
        """This instance's `origin` on the wire; renewed by `start`, so forked workers differ."""
        return self._node_id

    @property
    def subscription_count(self) -> int:
        """Live subscriptions made through this instance (tests count leaks with it)."""
        return len(self._subscriptions)

    async def start(self) -> None:
        """Connect the transport; starting a started instance does nothing."""
        if self._started:
            return
        self._node_id = unique_id()
        await self._connect()
        self._started = True

    async def close(self) -> None:
        """Remove this instance's subscriptions, cancel their running handlers, disconnect.

        The instance can be started again afterwards.
        """
        subscriptions = list(self._subscriptions.values())
        self._subscriptions.clear()
        running = [self._hub.unsubscribe(s) for s in subscriptions]
        await _cancel([task for task in running if task is not None])
        if self._started:
            self._started = False
            await self._disconnect()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def publish(self, topic: str, message: JSONLike, *, exclude: str | None = None) -> None:
        """Send `message` to every subscriber of `topic` but the subscription `exclude`.

        Raises TypeError, naming the path, if the message is not a JSON value.
        """
        _check_topic(topic)
        _check_id(exclude, "exclude")
        await self._broadcast(topic, to_json_value(message), exclude)

    async def subscribe(self, topic: str, handler: Handler) -> str:
        """Call `handler(message)` for each message on `topic`; return the subscription id.

        A coroutine function is awaited; each subscription gets its messages in publish order.
        """
        _check_topic(topic)
        if not callable(handler):
            raise TypeError(f"handler must be callable, not {_type_name(handler)}")
        subscription = self._hub.subscribe(topic, handler)
        self._subscriptions[subscription.id] = subscription
        return subscription.id

    async def unsubscribe(self, topic: str, subscription_id: str) -> None:
        """Stop a subscription made through this instance; unknown ids are ignored.

        Messages already queued for it are dropped; a handler already running finishes.
        """
        _check_topic(topic)
        subscription = self._subscriptions.get(subscription_id)
        if subscription is None or subscription.topic != topic:
            return
        del self._subscriptions[subscription_id]
        self._hub.unsubscribe(subscription)

    @abc.abstractmethod
    async def _broadcast(self, topic: str, message: JSONValue, exclude: str | None) -> None:
        """Deliver a checked message to subscribers here (`self._hub`) and on other nodes."""

    async def _connect(self) -> None:
        """Open the transport (called by `start`)."""
        return None

    async def _disconnect(self) -> None:
        """Close the transport (called by `close` after a `start`)."""
        return None

    def _receive(self, envelope: Envelope) -> None:
        """Deliver an envelope from the broker to local subscribers, unless it came from here."""
        if envelope.origin != self._node_id:
            self._hub.deliver(envelope.topic, envelope.message, envelope.exclude)


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel handlers still running and wait (bounded) for them to finish."""
    loop = asyncio.get_running_loop()
    current = asyncio.current_task()
    # A handler may close its own pubsub; a task of another (closed) loop cannot be waited for.
    tasks = [t for t in tasks if t is not current and t.get_loop() is loop]
    for task in tasks:
        task.cancel()
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=CLOSE_TIMEOUT)
        if pending:
            logger.warning("%d pubsub handlers ignored cancellation at close", len(pending))
