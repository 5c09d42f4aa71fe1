"""The message rules: what may be published, checked the same way on every backend.

A message is a JSON value: a dict with str keys, a list, a str, an int within the signed 64-bit
range, a finite float, a bool or None, nested at most `MAX_DEPTH` containers deep. A tuple is
accepted and becomes a list (subclasses of these types become the plain type). `publish` checks
this on every backend and refuses anything else with a `TypeError` naming where it is (for
example `message['a'][2] is a set, not a JSON value`), so nothing works in-process and then
breaks over a broker. The checked copy is what subscribers get: equal to what was published,
untouched by later mutation of the original, and shared by all subscribers in the process, so
handlers must treat it as read-only.

Topics are non-empty str of valid Unicode; subscription ids (`exclude`, `origin`) are str.

`check_parsed` applies the same rules, without a copy, to what orjson just read from a broker.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TypeAlias

JSONValue: TypeAlias = dict[str, "JSONValue"] | list["JSONValue"] | str | int | float | bool | None
"""A message as subscribers receive it."""

JSONLike: TypeAlias = (
    Mapping[str, "JSONLike"] | Sequence["JSONLike"] | str | int | float | bool | None
)
"""What `publish` accepts, to the type checker (dicts are invariant, so `JSONValue` would refuse
a `dict[str, int]`). The run-time check is the real rule: only dicts, lists and tuples pass."""

MAX_DEPTH = 250
"""Deepest nesting of containers in a message; orjson refuses deeper, and so do we, everywhere."""

_INT_MIN = -(1 << 63)
_INT_MAX = (1 << 63) - 1


class _NotJSON(Exception):
    """Raised deep inside a message; each enclosing container adds its step to `path`."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.path: list[str] = []


def to_json_value(value: object, name: str = "message") -> JSONValue:
    """Return a checked, normalized copy of `value`, or raise TypeError saying where it is not JSON.

    `name` starts the path in the error, e.g. `message['a'][2]`.
    """
    try:
        return _copy(value, MAX_DEPTH)
    except _NotJSON as error:
        raise TypeError(f"{name}{_path(error)} {error.problem}") from None


def _path(error: _NotJSON) -> str:
    steps = error.path[::-1]
    if len(steps) > 12:  # the nesting limit would make paths hundreds of steps long
        steps = [*steps[:6], "...", *steps[-3:]]
    return "".join(steps)


class LargeFloat(Exception):
    """`check_parsed` met a float of magnitude 2**63 or more: it may have been an integer literal.

    orjson reads an integer literal outside -2**63 .. 2**64 - 1 as the nearest float, silently,
    and has no option to refuse it; such a float is at least 2**63 in magnitude, like a float
    literal as large (`1e19`). Only the source can tell them apart: `liveview.pubsub.wire` reads
    it again with the standard library, which keeps every integer an int.
    """


_LARGE = 2.0**63


def check_parsed(value: object, name: str = "message") -> JSONValue:
    """Check what `orjson.loads` just returned against the message rules, and return it as is.

    Cheaper than `to_json_value`, which it agrees with: orjson's output is held by nobody else,
    so it needs no copy, and it can hold no subclass, tuple, non-str key, lone surrogate or
    non-finite float, so only the int range, the depth and large floats are left to check.
    Raises TypeError like `to_json_value`, or `LargeFloat`.
    """
    try:
        _check_parsed(value, MAX_DEPTH)
    except _NotJSON as error:
        raise TypeError(f"{name}{_path(error)} {error.problem}") from None
    return value  # type: ignore[return-value]  # checked above


def _check_parsed(value: object, depth: int) -> None:
    # Strings, bools and None (most leaves) need nothing, and are skipped without a call.
    if type(value) is dict:
        if depth == 0:
            raise _too_deep()
        for key, item in value.items():
            if type(item) not in _NOTHING_TO_CHECK:
                try:
                    _check_parsed(item, depth - 1)
                except _NotJSON as error:
                    error.path.append(f"[{key!r}]")
                    raise
    elif type(value) is list:
        if depth == 0:
            raise _too_deep()
        for index, item in enumerate(value):
            if type(item) not in _NOTHING_TO_CHECK:
                try:
                    _check_parsed(item, depth - 1)
                except _NotJSON as error:
                    error.path.append(f"[{index}]")
                    raise
    elif type(value) is int:
        if value > _INT_MAX:  # orjson reads 2**63 .. 2**64 - 1 as ints
            raise _NotJSON(_INT_PROBLEM)
    elif type(value) is float and not -_LARGE < value < _LARGE:
        raise LargeFloat


_NOTHING_TO_CHECK = frozenset({str, bool, type(None)})
_INT_PROBLEM = "is an int outside the signed 64-bit range, not a JSON value"


def _copy(value: object, depth: int) -> JSONValue:
    # Exact types first: the common case, and cheaper than isinstance.
    if type(value) is str:
        if not value.isascii():
            _check_unicode(value)
        return value
    if type(value) is int:
        if _INT_MIN <= value <= _INT_MAX:
            return value
        raise _NotJSON(_INT_PROBLEM)
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
                    f"has the key {_short_repr(key)} ({type_name(key)}): "
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
    name = type_name(value)
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


def type_name(value: object) -> str:
    """The name of `value`'s type for error messages: `set`, or `decimal.Decimal`."""
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


def check_topic(topic: object) -> None:
    """Raise TypeError or ValueError unless `topic` is a non-empty str of valid Unicode."""
    if not isinstance(topic, str):
        raise TypeError(f"topic must be a str, not {type_name(topic)}")
    if not topic:
        raise ValueError("topic must not be empty")
    if not topic.isascii():
        try:
            topic.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"topic {topic!r} holds a lone surrogate, not valid Unicode") from None


def check_id(value: object, name: str) -> None:
    """Raise TypeError unless `value` (the argument `name`) is a subscription id or None."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a subscription id (str) or None, not {type_name(value)}")
