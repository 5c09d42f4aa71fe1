"""pydantic's validation errors as a form shows them: messages by field path.

A path names the form field an error belongs to, as deep as fields go: `("email",)`,
`("address", "city")`, `("phones", 0, "number")`; `()` is the model as a whole (a
`model_validator`). An error inside one field's value (the second item of a multi-select) is
that field's. Messages are pydantic's own, without the `Value error, ` prefix it puts before
what a validator raised.
"""

from __future__ import annotations

from pydantic import ValidationError

from liveview.forms.schema import ModelSpec

Path = tuple[int | str, ...]
Errors = dict[Path, list[str]]

_PREFIXES = ("Value error, ", "Assertion failed, ")


def errors_by_path(spec: ModelSpec, error: ValidationError) -> Errors:
    """Each error of `error` under the path of the field it belongs to, in pydantic's order."""
    found: Errors = {}
    for detail in error.errors(include_url=False, include_context=False, include_input=False):
        messages = found.setdefault(spec.locate(tuple(detail["loc"])), [])
        message = human(detail["msg"])
        if message not in messages:
            messages.append(message)
    return found


def human(message: str) -> str:
    """pydantic's message for the person who typed the value."""
    for prefix in _PREFIXES:
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def dotted(path: Path) -> str:
    """`("phones", 0, "number")` -> `"phones.0.number"` (the keys of `Form.errors`)."""
    return ".".join(str(part) for part in path)
