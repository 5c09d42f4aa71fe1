"""What a form needs to know about a pydantic model: each field's kind, input type and options.

Worked out once per model class (`model_spec`), from the annotations pydantic resolved. A field
is one of four kinds, which decide how its params are read and how errors are placed:

* `value`: one input (`str`, `int`, `date`, `bool`, a `Literal` or `Enum` choice...);
* `values`: several values of one input (`list[Literal[...]]`: a multi-select, checkboxes);
* `model`: a nested model, its inputs named `signup[address][city]`;
* `models`: a list of models, one row each: `signup[phones][0][number]`.

Sub-models are looked up lazily, so a recursive model (`children: list["Node"]`) is fine.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, EmailStr, SecretStr
from pydantic.fields import FieldInfo

Kind = Literal["value", "values", "model", "models"]

_INPUT_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "checkbox"),  # before int: bool is an int
    (int, "number"),
    (float, "number"),
    (decimal.Decimal, "number"),
    (datetime.datetime, "datetime-local"),  # before date: a datetime is a date
    (datetime.date, "date"),
    (datetime.time, "time"),
    (SecretStr, "password"),
)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a model, as a form sees it."""

    name: str
    kind: Kind
    input_type: str
    """The HTML input type that fits the annotation (`select` for a choice; `checkbox`...)."""
    label: str
    required: bool
    nullable: bool
    """None is valid: an empty input is sent as None."""
    text: bool
    """A string is valid as it is: an empty input stays `""` (else it becomes None)."""
    options: tuple[tuple[str, str], ...]
    """(value, label) of a `Literal` or `Enum` choice, in declaration order."""
    info: FieldInfo
    model: type[BaseModel] | None = None

    @property
    def model_spec(self) -> ModelSpec | None:
        return None if self.model is None else model_spec(self.model)

    def default(self) -> Any:
        """The value the field has when neither params nor data give one."""
        if self.required:
            return [] if self.kind in ("values", "models") else None
        return self.info.get_default(call_default_factory=True)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    model: type[BaseModel]
    fields: Mapping[str, FieldSpec]
    by_alias: Mapping[str, FieldSpec]
    """Fields by the name pydantic's error locations use (the alias when there is one)."""

    def locate(self, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
        """The path of the form field an error at pydantic's `loc` belongs to: as deep as the
        location names fields of this model, its sub-models and their rows (`("phones", 0,
        "number")`); a location inside a field's own value (`("langs", 1)`, a union member)
        stops at that field."""
        path: list[int | str] = []
        spec: ModelSpec | None = self
        at = 0
        while spec is not None and at < len(loc):
            key = loc[at]
            field = spec.by_alias.get(key) if isinstance(key, str) else None
            if field is None:
                break
            path.append(field.name)
            at += 1
            spec = None
            if field.kind == "model":
                spec = field.model_spec
            elif field.kind == "models" and at < len(loc) and isinstance(loc[at], int):
                path.append(loc[at])
                at += 1
                spec = field.model_spec
        return tuple(path)


@functools.cache
def model_spec(model: type[BaseModel]) -> ModelSpec:
    """The spec of `model`, computed once per class."""
    fields = {name: _field_spec(name, info) for name, info in model.model_fields.items()}
    by_alias = dict(fields)
    for name, info in model.model_fields.items():
        if info.alias:
            by_alias[info.alias] = fields[name]
    return ModelSpec(model, fields, by_alias)


def _field_spec(name: str, info: FieldInfo) -> FieldSpec:
    annotation, nullable = _strip_optional(info.annotation)
    kind: Kind = "value"
    model: type[BaseModel] | None = None
    inner = annotation
    if _is_model(annotation):
        kind, model = "model", annotation
    elif typing.get_origin(annotation) in (list, tuple, set, frozenset):
        args = typing.get_args(annotation)
        inner, _ = _strip_optional(args[0] if args else Any)
        if _is_model(inner):
            kind, model = "models", inner
        else:
            kind = "values"
    options = _options(inner)
    return FieldSpec(
        name=name,
        kind=kind,
        input_type=_input_type(name, inner, options),
        label=info.title or name.replace("_", " ").capitalize(),
        required=info.is_required(),
        nullable=nullable,
        text=_admits_text(inner),
        options=options,
        info=info,
        model=model,
    )


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    """`X | None` -> (X, True); `Annotated[X, ...]` -> X."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        inner = args[0] if len(args) == 1 else annotation
        return _strip_optional(inner)[0], nullable
    return annotation, annotation is None or annotation is type(None)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _options(annotation: Any) -> tuple[tuple[str, str], ...]:
    if typing.get_origin(annotation) is Literal:
        return tuple((_option_value(v), str(v)) for v in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return tuple(
            (_option_value(member.value), member.name.replace("_", " ").capitalize())
            for member in annotation
        )
    return ()


def _option_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _input_type(name: str, annotation: Any, options: tuple[tuple[str, str], ...]) -> str:
    if options:
        return "select"
    if annotation is EmailStr:
        return "email"
    if isinstance(annotation, type):
        for base, input_type in _INPUT_TYPES:
            if issubclass(annotation, base):
                return input_type
    return "password" if "password" in name else "text"


def _admits_text(annotation: Any) -> bool:
    """Whether `""` is worth validating as it is (a string type, a choice, anything)."""
    if annotation is Any or annotation is EmailStr:
        return True
    if typing.get_origin(annotation) is Literal:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_admits_text(arg) for arg in typing.get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, (str, enum.Enum, SecretStr))
