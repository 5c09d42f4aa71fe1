"""The form bench's app: one 20-field pydantic form validated on every keystroke, rendered with
the package's macros (`/form`) and with hand-written inputs (`/inline`)."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from pydantic import BaseModel, EmailStr, Field

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.forms import to_form


class Twenty(BaseModel):
    first_name: str = Field(min_length=3, max_length=40)
    last_name: str = Field(min_length=3, max_length=40)
    email: EmailStr
    backup_email: EmailStr | None = None
    phone: str = Field(pattern=r"^[0-9 +().-]{7,20}$")
    street: str = Field(min_length=3)
    city: str = Field(min_length=3)
    postcode: str = Field(min_length=4, max_length=10)
    country: Literal["FR", "DE", "KE", "JP", "BR"] = "FR"
    company: str = Field(min_length=3)
    title: str = Field(min_length=3)
    seats: int = Field(ge=1, le=1000)
    age: int = Field(ge=18, le=120)
    budget: int = Field(ge=0)
    starts: datetime.date
    ends: datetime.date
    newsletter: bool = False
    plan: Literal["free", "team", "enterprise"] = "free"
    topics: list[Literal["web", "data", "ops", "ml"]] = []
    notes: str = Field(default="", max_length=2000)


MACROS = """
{% from "liveview/forms.html" import input %}
<form id="twenty" phx-change="validate" phx-submit="save" novalidate>
{% for field in form.fields %}{{ input(field) }}{% endfor %}
</form>
"""

INLINE = """
<form id="twenty" phx-change="validate" phx-submit="save" novalidate>
{% for field in form.fields %}
<div class="lv-field"><label for="{{ field.id }}">{{ field.label }}</label>
{% if field.multiple %}<select id="{{ field.id }}" name="{{ field.name }}[]" multiple>
{% for value, text in field.options %}<option value="{{ value }}"
{%- if field.selected(value) %} selected{% endif %}>{{ text }}</option>{% endfor %}</select>
{% elif field.type == "checkbox" %}<input type="hidden" name="{{ field.name }}" value="false">
<input type="checkbox" id="{{ field.id }}" name="{{ field.name }}" value="true"
{%- if field.checked %} checked{% endif %}>
{% else %}<input id="{{ field.id }}" name="{{ field.name }}" value="{{ field.input_value }}">
{% endif %}
{% for message in field.errors %}<p class="lv-error">{{ message }}</p>{% endfor %}</div>
{% endfor %}
</form>
"""


class Macros(LiveView):
    template = MACROS

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(form=to_form(Twenty))

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        action = "submit" if event == "save" else "validate"
        socket.assign(form=to_form(Twenty, payload.get("twenty"), action=action))


class Inline(Macros):
    template = INLINE


app = LiveViewApp(routes={"/form": Macros, "/inline": Inline}, secret="bench-forms")
