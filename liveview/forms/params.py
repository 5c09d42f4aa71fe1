"""From a form's params, as the client sends them, to what the model validates.

The 1.2 client sends every input of the form on each change, as strings, plus an
`_unused_<name>` key for each input the user has not focused yet (see `used`). Before pydantic
sees them, params are read the way the form's inputs mean them:

* keys that are not fields are dropped (`_unused_*` keys, a stray input, a hostile extra);
* an empty input where a string is not what the field takes (`""` for an `int`, a `date`) is
  None for a field that may be None or has a default (so the error says "a valid integer"),
  and left out for a required one ("Field required");
* the empty values a multi-select's hidden input adds are dropped;
* rows of a list of models arrive as `{"0": {...}, "1": {...}}` (`phones[0][number]`), and are
  put in order, with the `<field>_sort` and `<field>_drop` lists applied (Ecto's `sort_param` /
  `drop_param`: a row added or removed by a checkbox, with no server code).

Anything else is left as it came (a list where a string belongs, a string where a model
belongs) for pydantic to refuse with a message. Only the fields of the model are visited, so the
work is bounded by the model's shape, not the payload's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from liveview.forms.schema import FieldSpec, ModelSpec

UNUSED: Final = "_unused_"
SORT: Final = "_sort"
DROP: Final = "_drop"

MISSING: Final = object()
"""An empty input of a required field that takes no string: left out, so "Field required"."""

MAX_DEPTH: Final = 64
"""Levels of nested models read; deeper params (a recursive model, a hostile payload) are left
for pydantic, which has its own recursion guard."""


def used(params: object, key: str) -> bool:
    """Whether the user has used the input(s) of `key` (Phoenix's `used_input?`): the key was
    sent without its `_unused_` twin, or, for a nested map, any key in it was used."""
    pending: list[tuple[object, str]] = [(params, key)]
    while pending:  # a loop, not recursion: a nested map comes from the client
        params, key = pending.pop()
        if key.startswith(UNUSED) or not isinstance(params, Mapping) or key not in params:
            continue
        if UNUSED + key in params:
            continue
        value = params[key]
        if not isinstance(value, Mapping):
            return True
        pending.extend((value, inner) for inner in value if isinstance(inner, str))
    return False


def has_rows(params: Mapping[str, Any], key: str) -> bool:
    """Whether the params hold the rows of list field `key` (its sort or drop list counts: the
    form sends them when every row was removed)."""
    return key in params or key + SORT in params or key + DROP in params


def rows(params: Mapping[str, Any], key: str) -> list[Any]:
    """The rows of list field `key` in order: indexed rows by index, then the `_sort` list's
    order (an index not among the rows is a new, empty row), less the `_drop` list's."""
    value = params.get(key)
    if isinstance(value, list | tuple):
        items = {str(index): row for index, row in enumerate(value)}
    elif isinstance(value, Mapping):
        items = {str(index): row for index, row in value.items()}
    else:
        items = {}  # none, or not rows at all (which `clean` leaves for pydantic to refuse)
    sort = _strings(params.get(key + SORT))
    drop = set(_strings(params.get(key + DROP)))
    listed = set(sort)
    order = sorted((index for index in items if index not in listed), key=_index_order)
    result = [items[index] for index in order if index not in drop]
    seen: set[str] = set()
    for index in sort:
        if index in items:
            if index not in seen and index not in drop:
                result.append(items[index])
            seen.add(index)
        elif index:
            result.append({})
    return result


def _strings(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return [value] if isinstance(value, str) else []


def _index_order(index: str) -> tuple[int, int, str]:
    if index.isascii() and index.isdigit() and len(index) <= 18:
        return (0, int(index), "")
    return (1, 0, index)


def clean(spec: ModelSpec, params: object, depth: int = 0) -> dict[str, Any]:
    """The params of a form of `spec` as its model should validate them."""
    if not isinstance(params, Mapping):
        return {}
    cleaned: dict[str, Any] = {}
    for name, field in spec.fields.items():
        if field.kind == "models":
            value = params.get(name)
            if value is not None and not isinstance(value, list | tuple | Mapping):
                cleaned[name] = value
            elif has_rows(params, name):
                cleaned[name] = _rows(field, rows(params, name), depth)
        elif name in params:
            value = _value(field, params[name], depth)
            if value is not MISSING:
                cleaned[name] = value
    return cleaned


def _value(field: FieldSpec, value: Any, depth: int) -> Any:
    if field.kind == "value":
        if value == "" and (field.nullable or not field.text):
            return MISSING if field.required and not field.nullable else None
        return value
    if field.kind == "values":
        if isinstance(value, list):
            return [item for item in value if item != ""]
        return value
    sub = field.model_spec
    if sub is None or depth >= MAX_DEPTH or not isinstance(value, Mapping):
        return value
    return clean(sub, value, depth + 1)


def _rows(field: FieldSpec, found: list[Any], depth: int) -> list[Any]:
    sub = field.model_spec
    if sub is None or depth >= MAX_DEPTH:
        return found
    return [clean(sub, row, depth + 1) if isinstance(row, Mapping) else row for row in found]
