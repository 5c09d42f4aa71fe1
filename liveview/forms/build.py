"""`to_form`: params validated by a pydantic model, as a `Form`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from liveview.forms.errors import Errors, errors_by_path
from liveview.forms.form import Form, FormField, Validation, form_name
from liveview.forms.params import UNUSED, clean
from liveview.forms.schema import ModelSpec, model_spec


def to_form(
    source: type[BaseModel] | BaseModel | Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    *,
    as_: str | None = None,
    action: str | None = None,
    context: Any = None,
) -> Form:
    """A form over `source`, validated with `params` (the form's own part of the event:
    `payload.get("signup")`).

    `source` is a pydantic model class (a new record: its defaults fill what params lack), an
    instance (an edit: its values do), or a plain dict (Phoenix's map form: values, no
    validation). `as_` names the form (default: the model's name in snake case; a dict's form
    has none, so its inputs are named `email`); `action` decides which errors show: None none,
    `"submit"` all, anything else (`"validate"`) those of the fields the user has used.
    `context` is handed to the model's validators (`ValidationInfo.context`).

    Params that are not a dict (a string, a list: bad input) count as empty.
    """
    given = params if isinstance(params, Mapping) else ({} if params is not None else None)
    if isinstance(source, Mapping):
        return _dict_form(source, given, as_, action)
    instance = source if isinstance(source, BaseModel) else None
    model = type(source) if instance is not None else source
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"to_form takes a pydantic model, an instance or a dict, not {source!r}")
    spec = model_spec(model)
    name = form_name(model) if as_ is None else as_
    if instance is not None and given is None:
        validation = Validation(action, instance, {})
    else:
        validation = _validate(spec, instance, given, action, context)
    return Form(
        source=source,
        spec=spec,
        name=name or None,
        id=name or None,
        params=given,
        data=instance,
        validation=validation,
    )


def _validate(
    spec: ModelSpec,
    instance: BaseModel | None,
    params: Mapping[str, Any] | None,
    action: str | None,
    context: Any,
) -> Validation:
    payload = clean(spec, params) if params is not None else {}
    if instance is not None:
        payload = _over(instance, payload)
    errors: Errors = {}
    data: Any = None
    try:
        data = spec.model.model_validate(payload, context=context, by_alias=False, by_name=True)
    except ValidationError as error:
        errors = errors_by_path(spec, error)
    return Validation(action, data, errors)


def _over(instance: BaseModel, payload: dict[str, Any]) -> dict[str, Any]:
    """The instance's values with `payload`'s over them (nested models merged field by
    field; rows replaced)."""
    merged: dict[str, Any] = {}
    for name in type(instance).model_fields:
        value = getattr(instance, name)
        if name in payload:
            given = payload[name]
            if isinstance(value, BaseModel) and isinstance(given, dict):
                merged[name] = _over(value, given)
            else:
                merged[name] = given
        else:
            merged[name] = value
    return merged


def _dict_form(
    data: Mapping[str, Any],
    params: Mapping[str, Any] | None,
    as_: str | None,
    action: str | None,
) -> Form:
    values = dict(data)
    if params is not None:
        values.update((k, v) for k, v in params.items() if not str(k).startswith(UNUSED))
    return Form(
        source=data,
        spec=None,
        name=as_ or None,
        id=as_ or None,
        params=params,
        data=data,
        validation=Validation(action, values, {}),
    )


def inputs_for(field: FormField) -> list[Form]:
    """The sub-forms of a nested model or list of models field (Phoenix's `inputs_for`)."""
    return field.forms
