from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liveview.channel.params import (
    MAX_FORM_DEPTH,
    MAX_FORM_FIELDS,
    MAX_FORM_SIZE,
    FormTooLarge,
    decode_form,
    form_payload,
    split_key,
)


def test_split_key() -> None:
    assert split_key("name") == ["name"]
    assert split_key("user[name]") == ["user", "name"]
    assert split_key("user[tags][]") == ["user", "tags", ""]
    assert split_key("a[b][c]") == ["a", "b", "c"]


def test_nested_maps_and_lists() -> None:
    encoded = "user%5Bname%5D=Al&user%5Btags%5D%5B%5D=a&user%5Btags%5D%5B%5D=b&q=x+y"
    assert decode_form(encoded) == {"user": {"name": "Al", "tags": ["a", "b"]}, "q": "x y"}


def test_list_of_maps_starts_a_new_map_on_repeated_key() -> None:
    encoded = "rows[][id]=1&rows[][name]=a&rows[][id]=2&rows[][name]=b"
    assert decode_form(encoded) == {"rows": [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}]}


def test_blank_values_kept_as_strings() -> None:
    assert decode_form("a=&b=0") == {"a": "", "b": "0"}


def test_unused_markers_are_kept_like_phoenix() -> None:
    assert decode_form("user[_unused_email]=&user[email]=") == {
        "user": {"_unused_email": "", "email": ""}
    }


def test_meta_merged_and_target_split() -> None:
    payload = form_payload("user%5Bname%5D=Al", {"_target": "user[name]", "extra": "1"})
    assert payload == {"user": {"name": "Al"}, "_target": ["user", "name"], "extra": "1"}


def test_unknown_target_dropped_and_non_string_value_tolerated() -> None:
    assert form_payload(None, {"_target": "undefined"}) == {}


# --- caps: what a hostile form costs ----------------------------------------------------------


def test_keys_up_to_the_depth_cap_decode() -> None:
    key = "a" + "[b]" * MAX_FORM_DEPTH
    expected: Any = "1"
    for name in ["b"] * MAX_FORM_DEPTH + ["a"]:
        expected = {name: expected}
    assert decode_form(key + "=1") == expected
    assert split_key(key) == ["a"] + ["b"] * MAX_FORM_DEPTH


@pytest.mark.parametrize("segments", [MAX_FORM_DEPTH + 1, 2_000, 340_000])
def test_a_key_deeper_than_the_cap_is_refused(segments: int) -> None:
    key = "a" + "[b]" * segments  # 340,000 segments: a 1 MB key
    with pytest.raises(FormTooLarge) as refused:
        decode_form(key + "=1")
    assert refused.value.reason == "form too deep: more than 100 levels of brackets"
    with pytest.raises(FormTooLarge):
        form_payload("a=1", {"_target": key})  # the client's `_target` is a key too


def test_lists_count_as_levels() -> None:
    decode_form("a" + "[]" * MAX_FORM_DEPTH + "=1")
    with pytest.raises(FormTooLarge):
        decode_form("a" + "[]" * (MAX_FORM_DEPTH + 1) + "=1")


def test_more_fields_than_the_cap_are_refused() -> None:
    at_cap = "&".join(f"f{n}=" for n in range(MAX_FORM_FIELDS))
    assert len(decode_form(at_cap)) == MAX_FORM_FIELDS
    with pytest.raises(FormTooLarge) as refused:
        decode_form(at_cap + "&one=more")
    assert refused.value.reason == f"form too large: more than {MAX_FORM_FIELDS} fields"


def test_a_form_longer_than_the_cap_is_refused() -> None:
    at_cap = "a=" + "x" * (MAX_FORM_SIZE - 2)
    assert decode_form(at_cap) == {"a": "x" * (MAX_FORM_SIZE - 2)}
    with pytest.raises(FormTooLarge) as refused:
        decode_form(at_cap + "x")
    assert refused.value.reason == f"form too large: more than {MAX_FORM_SIZE} characters"
    assert isinstance(refused.value, ValueError)


# --- the same decoding as before, and nothing but the defined error -----------------------------


def _reference_split(name: str) -> list[str]:
    """The decoder as it was before the caps (recursive, quadratic): the oracle for shapes under
    the caps."""
    bracket = name.find("[")
    if bracket <= 0:
        return [name]
    parts = [name[:bracket]]
    rest = name[bracket:]
    while rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            break
        parts.append(rest[1:end])
        rest = rest[end + 1 :]
    return parts


def _reference_put(target: dict[str, Any], segments: list[str], value: str) -> None:
    key = segments[0]
    if len(segments) == 1:
        target[key] = value
        return
    if segments[1] == "":
        existing = target.get(key)
        items = existing if isinstance(existing, list) else []
        target[key] = items
        if len(segments) == 2:
            items.append(value)
        else:
            if not items or not isinstance(items[-1], dict) or segments[2] in items[-1]:
                items.append({})
            _reference_put(items[-1], segments[2:], value)
        return
    child = target.get(key)
    if not isinstance(child, dict):
        child = {}
        target[key] = child
    _reference_put(child, segments[1:], value)


def _reference_decode(encoded: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in parse_qsl(encoded, keep_blank_values=True):
        if name:
            _reference_put(result, _reference_split(name), value)
    return result


segment = st.text(alphabet="ab_[]", max_size=3)
names = st.builds(
    lambda root, segments, tail: root + "".join(f"[{s}]" for s in segments) + tail,
    st.text(alphabet="ab[", max_size=2),
    st.lists(segment, max_size=6),
    st.sampled_from(["", "]", "[", "[a", "a", "[]"]),
)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(pairs=st.lists(st.tuples(names, st.sampled_from(["", "1", "x y"])), max_size=8))
def test_forms_decode_as_they_did_before_the_caps(pairs: list[tuple[str, str]]) -> None:
    encoded = urlencode(pairs)
    assert decode_form(encoded) == _reference_decode(encoded)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(encoded=st.text(alphabet="ab[]=&%+5B", max_size=40))
def test_raw_strings_decode_as_they_did_before_the_caps(encoded: str) -> None:
    assert decode_form(encoded) == _reference_decode(encoded)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    segments=st.integers(0, 2 * MAX_FORM_DEPTH).flatmap(
        lambda n: st.lists(st.sampled_from(["", "b", "c", "[", "b["]), min_size=n, max_size=n)
    ),
    tail=st.sampled_from(["", "]", "[", "[]", "x", "[x"]),
)
def test_any_depth_decodes_or_is_refused_with_the_defined_error(
    segments: list[str], tail: str
) -> None:
    key = "a" + "".join(f"[{s}]" for s in segments) + tail
    depth = len(_reference_split(key)) - 1
    try:
        decoded = decode_form(key + "=1")
    except FormTooLarge as refused:
        assert depth > MAX_FORM_DEPTH
        assert refused.reason == "form too deep: more than 100 levels of brackets"
    else:
        assert depth <= MAX_FORM_DEPTH
        assert decoded == _reference_decode(key + "=1")
