"""Decoding of form events: URL-encoded values into nested dicts, the way Phoenix (Plug) does.

`user[name]=Al&user[tags][]=a&user[tags][]=b` becomes
`{"user": {"name": "Al", "tags": ["a", "b"]}}`; values stay strings. The client's `meta`
(`_target` and the form's phx-value-* attributes) is merged in, and `_target` becomes the list of
key segments of the input that changed (`"user[name]"` -> `["user", "name"]`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl


def split_key(name: str) -> list[str]:
    """`a[b][]` -> `["a", "b", ""]` (an empty segment means "append to a list")."""
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


def _put(target: dict[str, Any], segments: list[str], value: str) -> None:
    key = segments[0]
    if len(segments) == 1:
        target[key] = value
        return
    nxt = segments[1]
    if nxt == "":
        existing = target.get(key)
        items = existing if isinstance(existing, list) else []
        target[key] = items
        if len(segments) == 2:
            items.append(value)
        else:
            # `a[][b]=1`: start a new map when the last one already has this key.
            sub_key = segments[2]
            if not items or not isinstance(items[-1], dict) or sub_key in items[-1]:
                items.append({})
            _put(items[-1], segments[2:], value)
        return
    child = target.get(key)
    if not isinstance(child, dict):
        child = {}
        target[key] = child
    _put(child, segments[1:], value)


def decode_form(encoded: str) -> dict[str, Any]:
    """Plug-style decoding of an `application/x-www-form-urlencoded` string."""
    result: dict[str, Any] = {}
    for name, value in parse_qsl(encoded, keep_blank_values=True):
        if name:
            _put(result, split_key(name), value)
    return result


def form_payload(value: object, meta: object) -> dict[str, Any]:
    """The dict a form event hands to `handle_event`: decoded values plus the client's meta."""
    payload = decode_form(value) if isinstance(value, str) else {}
    if isinstance(meta, dict):
        for key, item in meta.items():
            if key == "_target":
                if isinstance(item, str) and item != "undefined":
                    payload["_target"] = split_key(item)
            else:
                payload[key] = item
    return payload
