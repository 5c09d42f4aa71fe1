"""The message rules and the wire format shared by every backend (`messages`, `wire`)."""

from __future__ import annotations

import collections
import enum
import json
import math
import re
from typing import Any, NamedTuple

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from liveview.pubsub.messages import MAX_DEPTH, LargeFloat, check_parsed, to_json_value
from liveview.pubsub.wire import (
    Envelope,
    MalformedMessage,
    decode_envelope,
    decode_payload,
    encode_envelope,
)
from tests.pubsub_contract import typed

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


# -- message rules ----------------------------------------------------------------------------


@given(json_values)
def test_json_values_are_copied_equal(value: Any) -> None:
    assert typed(to_json_value(value)) == typed(value)


@given(json_values)
def test_what_passes_the_check_survives_the_wire(value: Any) -> None:
    envelope = decode_envelope(encode_envelope("t", value))
    assert typed(envelope.message) == typed(value)


def test_copy_is_deep_and_tuples_become_lists() -> None:
    inner = {"x": [1]}
    message = {"a": inner, "t": (1, (2,))}
    copy = to_json_value(message)
    assert copy == {"a": {"x": [1]}, "t": [1, [2]]}
    assert isinstance(copy, dict)
    assert copy["a"] is not inner
    assert copy["a"]["x"] is not inner["x"]  # type: ignore[index,call-overload]


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Kind(str, enum.Enum):  # noqa: UP042 - the old mixin, whose str() is "Kind.BIG"
    BIG = "big"


class Size(enum.StrEnum):
    SMALL = "small"


class Point(NamedTuple):
    x: int
    y: float


def test_subclasses_become_the_plain_type() -> None:
    copy = to_json_value(
        {
            "level": Level.HIGH,
            "kind": Kind.BIG,
            Kind.BIG: collections.OrderedDict(b=1, a=2),
            "point": Point(1, 2.5),
            "counts": collections.Counter("aab"),
        }
    )
    assert typed(copy) == typed(
        {
            "level": 3,
            "kind": "big",
            "big": {"b": 1, "a": 2},
            "point": [1, 2.5],
            "counts": {"a": 2, "b": 1},
        }
    )


def test_plain_enum_is_refused() -> None:
    with pytest.raises(TypeError, match=r"message\[.c.\] is a [\w.]*Color, not a JSON value"):
        to_json_value({"c": Color.RED})


def test_int_range_is_signed_64_bit() -> None:
    assert to_json_value([2**63 - 1, -(2**63)]) == [2**63 - 1, -(2**63)]
    for bad in (2**63, -(2**63) - 1):
        with pytest.raises(TypeError, match="64-bit"):
            to_json_value(bad)


def test_bools_stay_bools() -> None:
    assert typed(to_json_value([True, False, 1, 0])) == typed([True, False, 1, 0])


def test_depth_limit_matches_orjson_in_an_envelope() -> None:
    def nested(depth: int) -> Any:
        value: Any = 1
        for _ in range(depth):
            value = [value]
        return value

    orjson.dumps({"message": nested(MAX_DEPTH)})  # the limit fits the wire
    assert to_json_value(nested(MAX_DEPTH)) == nested(MAX_DEPTH)
    with pytest.raises(TypeError, match=f"nests more than {MAX_DEPTH} containers"):
        to_json_value(nested(MAX_DEPTH + 1))


def test_long_paths_are_shortened() -> None:
    value: Any = {1}
    for _ in range(40):
        value = {"k": value}
    with pytest.raises(TypeError) as caught:
        to_json_value(value)
    assert str(caught.value).startswith("message['k']['k']")
    assert "..." in str(caught.value) and len(str(caught.value)) < 200


def test_error_names_the_root_given() -> None:
    with pytest.raises(TypeError, match=re.escape("info[0] is a set")):
        to_json_value([set()], name="info")


def test_unrepresentable_key_is_still_reported() -> None:
    class Odd:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

        def __hash__(self) -> int:
            return 1

    with pytest.raises(TypeError, match=re.escape("has the key <unrepresentable>")):
        to_json_value({Odd(): 1})


# -- wire format ------------------------------------------------------------------------------


def test_envelope_round_trip() -> None:
    data = encode_envelope("room:1", {"a": (1, 2)}, origin="n.1", exclude="n.2")
    assert decode_envelope(data) == Envelope("room:1", {"a": [1, 2]}, "n.1", "n.2")


def test_envelope_layout_is_the_documented_one() -> None:
    data = encode_envelope("t", {"x": 1}, origin="o", exclude="e")
    assert orjson.loads(data) == {"topic": "t", "message": {"x": 1}, "origin": "o", "exclude": "e"}
    assert orjson.loads(encode_envelope("t", None)) == {"topic": "t", "message": None}


def test_outside_programs_need_only_topic_and_message() -> None:
    text = '{"topic": "counter", "message": {"type": "inc", "by": 2}}'
    assert decode_envelope(text) == Envelope("counter", {"type": "inc", "by": 2})
    assert decode_envelope(text.encode()) == decode_envelope(memoryview(text.encode()))
    assert decode_envelope(bytearray(text.encode())).topic == "counter"


def test_nulls_and_unknown_keys_are_accepted() -> None:
    data = b'{"topic":"t","message":null,"origin":null,"exclude":null,"v":2,"extra":[1]}'
    assert decode_envelope(data) == Envelope("t", None)


def test_encode_checks_like_publish() -> None:
    with pytest.raises(TypeError, match=re.escape("message['s'] is a set")):
        encode_envelope("t", {"s": {1}})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="topic"):
        encode_envelope("", 1)
    with pytest.raises(TypeError, match="origin"):
        encode_envelope("t", 1, origin=5)  # type: ignore[arg-type]
    assert not math.isnan(decode_envelope(encode_envelope("t", 1.5)).message)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not JSON"),
        (b"hello from redis-cli", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b'{"topic": "t", "message": 1', "not JSON"),
        (b"NaN", "not JSON"),
        (b'{"topic":"t","message":1e400}', "not JSON"),
        (b'"just a string"', "not a JSON object"),
        (b"[1, 2]", "not a JSON object"),
        (b"null", "not a JSON object"),
        (b'{"message": 1}', "'topic'"),
        (b'{"topic": "", "message": 1}', "'topic'"),
        (b'{"topic": 7, "message": 1}', "'topic'"),
        (b'{"topic": "t"}', "no 'message'"),
        (b'{"topic": "t", "message": 1, "origin": 3}', "'origin'"),
        (b'{"topic": "t", "message": 1, "exclude": ["x"]}', "'exclude'"),
        (b'{"topic": "t", "message": 9223372036854775808}', "64-bit"),
        (b'{"topic": "t", "message": "\\ud800"}', "not JSON"),
        (b"[" * 2000 + b"]" * 2000, "not JSON"),
    ],
)
def test_garbage_raises_malformed_message(data: bytes, reason: str) -> None:
    with pytest.raises(MalformedMessage, match=re.escape(reason)):
        decode_envelope(data)


def test_malformed_message_is_a_value_error_with_a_short_preview() -> None:
    with pytest.raises(ValueError) as caught:
        decode_envelope(b"x" * 10_000)
    assert isinstance(caught.value, MalformedMessage)
    assert len(str(caught.value)) < 300


# orjson reads an integer literal beyond its range (-2**63 to 2**64 - 1) as a float, silently
# losing digits; a broker's payload holding one is refused, like `publish` refuses the int.
BIG_INTS = [
    (b'{"n": 123456789012345678901234567890}', "message['n']"),
    (b"18446744073709551616", "message"),
    (b"-9223372036854775809", "message"),
    (b'[1.5, {"a": [0, -123456789012345678901234567890]}]', "message[1]['a'][1]"),
]


@pytest.mark.parametrize(("data", "path"), BIG_INTS)
def test_integers_beyond_64_bits_from_a_broker_are_refused(data: bytes, path: str) -> None:
    reason = f"{path} is an int outside the signed 64-bit range"
    with pytest.raises(MalformedMessage, match=re.escape(reason)):
        decode_payload("t", data)
    with pytest.raises(MalformedMessage, match=re.escape(reason)):
        decode_envelope(b'{"topic": "t", "message": %s}' % data)
    with pytest.raises(MalformedMessage, match=re.escape(reason)):
        decode_payload("t", memoryview(b'{"topic": "t", "message": %s, "origin": "o"}' % data))
    with pytest.raises(MalformedMessage, match=re.escape(reason)):
        decode_payload("t", data.decode())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[1e19, -9.3e18, 1E300, 18446744073709551616.0]", [1e19, -9.3e18, 1e300, 2.0**64]),
        (b"-9223372036854775808.0", -(2.0**63)),
        (b'{"s": "123456789012345678901234567890", "f": 1e30}', {"s": "1234567890" * 3, "f": 1e30}),
    ],
)
def test_large_floats_from_a_broker_stay_floats(data: bytes, message: Any) -> None:
    """Only integer literals are refused: floats as large, written as floats, are read as such."""
    assert typed(decode_payload("t", data).message) == typed(message)
    assert typed(decode_envelope(b'{"topic": "t", "message": %s}' % data).message) == typed(message)


def test_an_envelope_key_that_is_not_the_message_may_hold_a_big_int() -> None:
    data = b'{"topic": "t", "message": 2e70, "v": 123456789012345678901234567890}'
    assert typed(decode_envelope(data).message) == typed(2e70)


edges = [2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64, 10**30, 1e19, 2.0**63, -(2.0**63)]
any_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(edges)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@given(any_json)
def test_a_broker_payload_is_read_as_publish_checks_it(value: Any) -> None:
    """Written by any JSON encoder (the standard library's keeps big ints), a message is refused
    by the decoder when `publish` refuses it, with the same reason, and otherwise read exactly."""
    data = json.dumps({"topic": "t", "message": value}).encode()
    try:
        expected = to_json_value(value)
    except TypeError as error:
        with pytest.raises(MalformedMessage) as refused:
            decode_envelope(data)
        assert str(refused.value) == str(error)
    else:
        assert typed(decode_envelope(data).message) == typed(expected)


def test_check_parsed_refuses_what_to_json_value_refuses() -> None:
    deep = orjson.loads(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    assert check_parsed(deep) == deep
    with pytest.raises(TypeError, match="nests more than"):
        check_parsed([deep])
    with pytest.raises(TypeError, match=re.escape("info['a'][0] is an int outside")):
        check_parsed({"a": [2**63]}, name="info")
    with pytest.raises(LargeFloat):
        check_parsed([1, {"x": -(2.0**63)}])
    message = {"a": [1, 2.0**63 - 1024]}
    assert check_parsed(message) is message  # checked, not copied


def test_a_large_float_in_a_payload_nested_too_deep_is_refused_as_such() -> None:
    for depth in (300, 1000):  # the second reading, by the standard library, stops at ~1000
        data = b"[1e19," + b"[" * depth + b"]" * depth + b"]"
        with pytest.raises(MalformedMessage, match="nests more than 250 containers deep"):
            decode_payload("t", data)
