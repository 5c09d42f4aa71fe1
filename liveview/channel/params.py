"""Decoding of form events: URL-encoded values into nested dicts, the way Phoenix (Plug) does.

`user[name]=Al&user[tags][]=a&user[tags][]=b` becomes
`{"user": {"name": "Al", "tags": ["a", "b"]}}`; values stay strings. The client's `meta`
(`_target` and the form's phx-value-* attributes) is merged in, and `_target` becomes the list of
key segments of the input that changed (`"user[name]"` -> `["user", "name"]`).

Any visitor can send a form event, and it is decoded on the event loop, so the decoding is linear
in the value's length (one pass over each key, no recursion) and capped: a key nested more than
`MAX_FORM_DEPTH` levels, more than `MAX_FORM_FIELDS` fields or a value longer than `MAX_FORM_SIZE`
raise `FormTooLarge` before anything more is decoded, and the event gets an error reply naming
the cap. Plug caps the body of a URL-encoded request (1,000,000 bytes) but not the nesting; Rack 2
caps the nesting at 100, as here. A form within the caps decodes as it always did.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import parse_qsl

MAX_FORM_DEPTH: Final = 100
"""Levels of brackets in one key: `a[b][c]` has 2, `a[][b]` too."""

MAX_FORM_FIELDS: Final = 10_000
"""`&`-separated fields in one form value (each costs a few hundred bytes once decoded)."""

MAX_FORM_SIZE: Final = 1_048_576
"""Characters of the URL-encoded value (ASCII as the client encodes it, so also its bytes)."""


class FormTooLarge(ValueError):
    """A form event over one of the caps; `reason` is what the error reply tells the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


TOO_DEEP: Final = f"form too deep: more than {MAX_FORM_DEPTH} levels of brackets"


def split_key(name: str) -> list[str]:
    """`a[b][]` -> `["a", "b", ""]` (an empty segment means "append to a list").

    One pass with an index, so a long key costs its length once; FormTooLarge past
    `MAX_FORM_DEPTH` segments, without slicing the rest of the key.
    """
    bracket = name.find("[")
    if bracket <= 0:
        return [name]
    closes = name.count("]")
    if closes <= MAX_FORM_DEPTH and name[-1] == "]":
        # The usual shape, `a[b][c]`, split in C: when the key holds no `]` but the segments'
        # own, each `][` separates two segments (otherwise the loop below decides).
        segments = name[bracket + 1 : -1].split("][")
        if len(segments) == closes:
            return [name[:bracket], *segments]
    parts = [name[:bracket]]
    size = len(name)
    at = bracket
    while at < size and name[at] == "[":
        end = name.find("]", at + 1)
        if end < 0:
            break
        if len(parts) > MAX_FORM_DEPTH:
            raise FormTooLarge(TOO_DEEP)
        parts.append(name[at + 1 : end])
        at = end + 1
    return parts


def _put(target: dict[str, Any], segments: list[str], value: str) -> None:
    """Store `value` at the path `segments`, creating maps and lists on the way (a loop: the
    depth is capped, but the stack should not depend on client data)."""
    last = len(segments) - 1
    at = 0
    while at < last:
        key = segments[at]
        if segments[at + 1] == "":
            existing = target.get(key)
            items = existing if isinstance(existing, list) else []
            target[key] = items
            if at + 1 == last:
                items.append(value)
                return
            # `a[][b]=1`: start a new map when the last one already has this key.
            sub_key = segments[at + 2]
            if not items or not isinstance(items[-1], dict) or sub_key in items[-1]:
                items.append({})
            target = items[-1]
            at += 2
        else:
            child = target.get(key)
            if not isinstance(child, dict):
                child = {}
                target[key] = child
            target = child
            at += 1
    target[segments[last]] = value


def decode_form(encoded: str) -> dict[str, Any]:
    """Plug-style decoding of an `application/x-www-form-urlencoded` string; FormTooLarge over
    a cap (the size and the field count are checked before anything is split)."""
    if len(encoded) > MAX_FORM_SIZE:
        raise FormTooLarge(f"form too large: more than {MAX_FORM_SIZE} characters")
    if encoded.count("&") >= MAX_FORM_FIELDS:
        raise FormTooLarge(f"form too large: more than {MAX_FORM_FIELDS} fields")
    result: dict[str, Any] = {}
    for name, value in parse_qsl(encoded, keep_blank_values=True):
        if name:
            _put(result, split_key(name), value)
    return result


def form_payload(value: object, meta: object) -> dict[str, Any]:
    """The dict a form event hands to `handle_event`: decoded values plus the client's meta.
    FormTooLarge when the value, or the `_target` key, is over a cap."""
    payload = decode_form(value) if isinstance(value, str) else {}
    if isinstance(meta, dict):
        for key, item in meta.items():
            if key == "_target":
                if isinstance(item, str) and item != "undefined":
                    payload["_target"] = split_key(item)
            else:
                payload[key] = item
    return payload
