"""A field's value as an input's `value` attribute holds it (Phoenix's `normalize_value`).

What the user typed is a string and stays as it is; a value from the data (a model instance, a
default) is written the way the input type reads it back: `2026-12-06` for a date,
`2026-12-06T09:30` for a datetime, `true` for a boolean. A list or a map where one value
belongs (bad input) writes nothing: it is not something the input could have held.
"""

from __future__ import annotations

import datetime
import enum
from typing import Any

from pydantic import SecretStr


def input_value(value: Any) -> str:
    """The `value` attribute of an input showing `value`."""
    if value is None or isinstance(value, SecretStr):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None).isoformat(timespec=_timespec(value))
    if isinstance(value, datetime.time):
        return value.replace(tzinfo=None).isoformat(timespec=_timespec(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return input_value(value.value)
    if isinstance(value, list | tuple | set | frozenset | dict):
        return ""
    return str(value)


def _timespec(value: datetime.datetime | datetime.time) -> str:
    return "minutes" if value.second == 0 and value.microsecond == 0 else "seconds"


def input_values(value: Any) -> list[str]:
    """The values of a multiple input (a multi-select, a checkbox group)."""
    if isinstance(value, list | tuple | set | frozenset):
        return [input_value(item) for item in value]
    return [] if value is None or value == "" else [input_value(value)]


def checked(value: Any) -> bool:
    """Whether a checkbox showing `value` is checked (`true`, `on` and True are)."""
    if isinstance(value, str):
        return value.lower() in ("true", "on", "1", "yes")
    return value is True
