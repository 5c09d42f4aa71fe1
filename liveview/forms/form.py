"""`Form` and `FormField`: a model's fields as a template renders them, with the errors to show.

A form holds three things: the params the browser sent (what the user typed, kept as typed even
when invalid), the data (a model instance, its defaults, or a dict) for what the params do not
say, and the outcome of validating both with pydantic. Which errors a field shows follows
Phoenix: none before an action is taken (`action=None`, the form as first rendered); after one,
those of the fields the user has used (the client marks the others with `_unused_` keys); all
of them once the form is submitted (`action="submit"`).

Nested models and lists of models are sub-forms (`form["phones"].forms`), sharing their parent's
validation: a sub-form is a window on the same errors, under its path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from pydantic import BaseModel

from liveview.forms import params as params_
from liveview.forms.errors import Errors, Path, dotted
from liveview.forms.schema import FieldSpec, ModelSpec
from liveview.forms.values import checked, input_value, input_values

SUBMIT: Final = "submit"
"""The action under which every error shows, used or not."""


class Validation:
    """What a form and its sub-forms share: the errors by absolute path, and the data."""

    __slots__ = ("action", "data", "errors", "version")

    def __init__(self, action: str | None, data: Any, errors: Errors) -> None:
        self.action = action
        self.data = data
        self.errors = errors
        self.version = 0  # bumped by add_error: what fields worked out before is stale


class Form:
    """A form over a model (or a plain dict): `form["email"]` is a `FormField`.

    `name` prefixes its inputs' names (`signup` -> `signup[email]`), `id` their ids; `params`
    are what the browser sent (None before it sent anything); `index` is a row's place in a
    list of models. Made by `to_form`; sub-forms by `FormField.forms`.
    """

    __slots__ = (
        "_data",
        "_fields",
        "_path",
        "_spec",
        "_validation",
        "id",
        "index",
        "name",
        "params",
        "source",
    )

    def __init__(
        self,
        *,
        source: Any,
        spec: ModelSpec | None,
        name: str | None,
        id: str | None,
        params: Mapping[str, Any] | None,
        data: Any,
        validation: Validation,
        path: Path = (),
        index: int | None = None,
    ) -> None:
        self.source = source
        self.name = name
        self.id = id
        self.params = params
        self.index = index
        self._spec = spec
        self._data = data
        self._validation = validation
        self._path = path
        self._fields: dict[str, FormField] = {}

    # --- fields --------------------------------------------------------------------------

    def __getitem__(self, key: str) -> FormField:
        field = self._fields.get(key)
        if field is None:
            spec = None
            if self._spec is not None:
                spec = self._spec.fields.get(key)
                if spec is None:
                    known = ", ".join(self._spec.fields)
                    raise KeyError(f"{self._spec.model.__name__} has no field {key!r} ({known})")
            field = FormField(self, key, spec)
            self._fields[key] = field
        return field

    def __contains__(self, key: object) -> bool:
        if self._spec is not None:
            return key in self._spec.fields
        return isinstance(key, str)

    def __iter__(self) -> Iterator[FormField]:
        """The fields in the model's order (a dict form: its data's keys, then the params')."""
        if self._spec is not None:
            keys: list[str] = list(self._spec.fields)
        else:
            seen = dict.fromkeys(self._data if isinstance(self._data, Mapping) else ())
            seen.update(dict.fromkeys(k for k in self.params or () if _is_input_key(k)))
            keys = [key for key in seen if isinstance(key, str)]
        return (self[key] for key in keys)

    @property
    def fields(self) -> list[FormField]:
        """Every field, in order (`{% for field in form.fields %}`)."""
        return list(self)

    # --- validation ----------------------------------------------------------------------

    @property
    def action(self) -> str | None:
        return self._validation.action

    @property
    def valid(self) -> bool:
        """No error anywhere in this form (shown or not)."""
        path, size = self._path, len(self._path)
        return not any(p[:size] == path for p in self._validation.errors)

    @property
    def data(self) -> Any:
        """The validated model instance (a dict for a dict form) when the form is valid, else
        None; a sub-form gives its part of it."""
        if not self.valid:
            return None
        data = self._validation.data
        for key in self._path:
            if isinstance(key, int) or isinstance(data, Mapping):
                data = data[key]
            else:
                data = getattr(data, key)
        return data

    @property
    def all_errors(self) -> dict[str, list[str]]:
        """Every error of the form by dotted path (`"phones.0.number"`; `""`: the model's own),
        shown or not."""
        size = len(self._path)
        return {
            dotted(path[size:]): list(messages)
            for path, messages in self._validation.errors.items()
            if path[:size] == self._path
        }

    @property
    def errors(self) -> dict[str, list[str]]:
        """The errors to show, by dotted path: see the module's docstring."""
        size = len(self._path)
        return {
            dotted(path[size:]): list(messages)
            for path, messages in self._validation.errors.items()
            if path[:size] == self._path and self.shows(path[size:])
        }

    @property
    def model_errors(self) -> list[str]:
        """Errors of the model as a whole (a `model_validator`), when they show: a top-level
        form's once submitted, a sub-form's as its field's."""
        return list(self._validation.errors.get(self._path, ())) if self.shows(()) else []

    def shows(self, path: Path) -> bool:
        """Whether the error at `path` (relative to this form) is one to show."""
        action = self._validation.action
        if action is None:
            return False
        if action == SUBMIT:
            return True
        if not path:
            return False
        form: Form = self
        at = 0
        while True:
            key = path[at]
            if not isinstance(key, str) or key not in form:
                return False  # not a field (an error added at a path of one's own)
            field = form[key]
            at += 1
            if field.spec is not None and field.spec.kind == "models" and at < len(path):
                index = path[at]
                at += 1
                rows = field.forms
                if not isinstance(index, int) or index >= len(rows):
                    return field.used
                if at == len(path):
                    return rows[index].used
                form = rows[index]
            elif field.spec is not None and field.spec.kind == "model" and at < len(path):
                form = field.forms[0]
            else:
                return field.used

    @property
    def used(self) -> bool:
        """Whether any input of the form has been used."""
        params = self.params
        return params is not None and any(params_.used(params, key) for key in params)

    def add_error(self, path: str | Path, message: str) -> None:
        """Add an error (a check pydantic cannot make: "already taken"); the form is then
        invalid. `path` is a field (`"email"`), dotted (`"phones.0.number"`) or a tuple; `""`
        is the model's own. Do it before assigning the form."""
        if isinstance(path, str):
            parts: Path = tuple(int(p) if p.isdigit() else p for p in path.split(".") if p)
        else:
            parts = tuple(path)
        messages = self._validation.errors.setdefault(self._path + parts, [])
        if message not in messages:
            messages.append(message)
            self._validation.version += 1

    def __repr__(self) -> str:
        state = "valid" if self.valid else f"errors={self.all_errors!r}"
        return f"<Form {self.name or ''!s} action={self.action!r} {state}>"

    # --- for FormField -------------------------------------------------------------------

    def _data_value(self, key: str, spec: FieldSpec | None) -> Any:
        data = self._data
        if isinstance(data, BaseModel):
            return getattr(data, key, None)
        if isinstance(data, Mapping) and key in data:
            return data[key]
        return spec.default() if spec is not None else None


class FormField:
    """One field of a form: its input's `name`, `id` and `value`, and the errors to show.

    `value` is what the user typed (a string, as sent, even when invalid) once the browser has
    sent the field; before that the data's value (typed: an `int`, a `date`). `input_value` is
    it as an input's `value` attribute; `checked` and `selected(option)` for checkboxes,
    selects and radios.
    """

    __slots__ = ("_errors", "_forms", "field", "form", "id", "name", "spec")

    def __init__(self, form: Form, field: str, spec: FieldSpec | None) -> None:
        self.form = form
        self.field = field
        self.spec = spec
        self.name = f"{form.name}[{field}]" if form.name else field
        self.id = f"{form.id}_{field}" if form.id else field
        self._forms: list[Form] | None = None
        self._errors: tuple[int, list[str]] | None = None  # (validation version, messages)

    @property
    def value(self) -> Any:
        params = self.form.params
        spec = self.spec
        if params is not None:
            if spec is not None and spec.kind == "models":
                raw = params.get(self.field)
                if raw is not None and not isinstance(raw, list | tuple | Mapping):
                    return raw  # not rows: as sent
                if params_.has_rows(params, self.field):
                    return params_.rows(params, self.field)
            elif self.field in params:
                return params[self.field]
        return self.form._data_value(self.field, spec)

    @property
    def used(self) -> bool:
        """Whether the user has used this input (Phoenix's `used_input?`)."""
        params = self.form.params
        return params is not None and params_.used(params, self.field)

    @property
    def errors(self) -> list[str]:
        """The messages to show for this field (see `Form.shows`)."""
        version = self.form._validation.version
        cached = self._errors
        if cached is None or cached[0] != version:
            shown = self.all_errors if self.form.shows((self.field,)) else []
            cached = self._errors = (version, shown)
        return list(cached[1])

    @property
    def all_errors(self) -> list[str]:
        """Every message for this field, shown or not."""
        form = self.form
        return list(form._validation.errors.get((*form._path, self.field), ()))

    @property
    def valid(self) -> bool:
        return not self.all_errors

    # --- what inputs need ----------------------------------------------------------------

    @property
    def label(self) -> str:
        return self.spec.label if self.spec is not None else _humanize(self.field)

    @property
    def type(self) -> str:
        """The input type the annotation asks for: `text`, `email`, `number`, `date`,
        `checkbox`, `select`..."""
        return self.spec.input_type if self.spec is not None else "text"

    @property
    def options(self) -> list[tuple[str, str]]:
        """(value, label) of a `Literal` or `Enum` choice."""
        return list(self.spec.options) if self.spec is not None else []

    def choices(self, given: Any = None) -> list[tuple[str, str]]:
        """The (value, label) pairs to offer: `given` (pairs, or values that are their own
        labels) or else `options`."""
        if given is None:
            return self.options
        if isinstance(given, Mapping):
            given = given.items()
        pairs: list[tuple[str, str]] = []
        for option in given:
            if isinstance(option, list | tuple) and len(option) == 2:
                pairs.append((input_value(option[0]), str(option[1])))
            else:
                pairs.append((input_value(option), input_value(option)))
        return pairs

    @property
    def required(self) -> bool:
        return self.spec is not None and self.spec.required

    @property
    def multiple(self) -> bool:
        """Several values (a `list[...]` of a choice): a multi-select or a checkbox group."""
        return self.spec is not None and self.spec.kind == "values"

    @property
    def input_value(self) -> str:
        return input_value(self.value)

    @property
    def checked(self) -> bool:
        return checked(self.value)

    def selected(self, option: Any) -> bool:
        """Whether `option` (an option's value) is the value, or among the values."""
        text = input_value(option)
        if self.multiple:
            return text in input_values(self.value)
        return input_value(self.value) == text

    # --- nested forms --------------------------------------------------------------------

    @property
    def forms(self) -> list[Form]:
        """The sub-forms of a nested model (one) or a list of models (one per row); `[]` for
        other fields. Loop over them in a template: `{% for phone in form.phones.forms %}`."""
        if self._forms is None:
            self._forms = self._sub_forms()
        return self._forms

    @property
    def sort_name(self) -> str:
        """The name of a list's `_sort` input: a checkbox of that name adds a row."""
        return self._list_key(params_.SORT)

    @property
    def drop_name(self) -> str:
        """The name of a list's `_drop` input: a checkbox of that name with a row's index as
        value removes the row."""
        return self._list_key(params_.DROP)

    def _list_key(self, suffix: str) -> str:
        key = self.field + suffix
        return (f"{self.form.name}[{key}]" if self.form.name else key) + "[]"

    def _sub_forms(self) -> list[Form]:
        spec = self.spec
        if spec is None or spec.kind not in ("model", "models"):
            return []
        form, key = self.form, self.field
        params = form.params
        sub_spec = spec.model_spec
        if spec.kind == "model":
            sub_params = None if params is None else params.get(key)
            return [
                self._sub_form(
                    sub_spec,
                    sub_params if isinstance(sub_params, Mapping) else None,
                    form._data_value(key, spec),
                    (key,),
                    self.name,
                    self.id,
                    None,
                )
            ]
        found: list[tuple[Mapping[str, Any] | None, Any]]
        if params is not None and params_.has_rows(params, key):
            found = [
                (row if isinstance(row, Mapping) else {}, None) for row in params_.rows(params, key)
            ]
        else:
            data = form._data_value(key, spec)
            found = [(None, row) for row in (data if isinstance(data, list | tuple) else ())]
        return [
            self._sub_form(
                sub_spec,
                row_params,
                row_data,
                (key, index),
                f"{self.name}[{index}]",
                f"{self.id}_{index}",
                index,
            )
            for index, (row_params, row_data) in enumerate(found)
        ]

    def _sub_form(
        self,
        spec: ModelSpec | None,
        params: Mapping[str, Any] | None,
        data: Any,
        path: Path,
        name: str,
        id: str,
        index: int | None,
    ) -> Form:
        form = self.form
        return Form(
            source=spec.model if spec is not None else None,
            spec=spec,
            name=name,
            id=id,
            params=params,
            data=data,
            validation=form._validation,
            path=form._path + path,
            index=index,
        )

    def __repr__(self) -> str:
        return f"<FormField {self.name} value={self.value!r} errors={self.errors!r}>"


def _humanize(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _is_input_key(key: object) -> bool:
    return isinstance(key, str) and not key.startswith(params_.UNUSED)


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def form_name(model: type[BaseModel]) -> str:
    """The default name of a model's form: its class name in snake case (`SignUp` ->
    `sign_up`)."""
    return _CAMEL.sub("_", model.__name__).lower()
