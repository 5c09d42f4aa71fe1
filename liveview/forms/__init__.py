"""Forms over pydantic models: `to_form(Model, params, action=...)` gives a `Form` whose fields
carry their input's name, id, value as typed and the errors to show (Phoenix's `to_form` and
`used_input?`). Template helpers: `{% from "liveview/forms.html" import input %}`."""

from liveview.forms.build import inputs_for, to_form
from liveview.forms.form import Form, FormField

__all__ = ["Form", "FormField", "inputs_for", "to_form"]
