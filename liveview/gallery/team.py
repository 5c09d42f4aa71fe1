"""A nested form: a team with an address (a nested model) and members (a list of models) added
and removed as rows, with every kind of input: radio buttons, a number, a date, a multi-select,
a textarea, a checkbox and a select per row.

Rows are added and removed by the form itself (the `_sort` / `_drop` params the `add_row` and
`remove_row` helpers render), so the LiveView only validates.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from pydantic import BaseModel, EmailStr, Field

from liveview import LiveView, LiveViewSocket
from liveview.forms import to_form
from liveview.gallery.example import Example


class Address(BaseModel):
    street: str = Field(min_length=1)
    city: str = Field(min_length=2)
    country: Literal["France", "Germany", "Kenya", "Japan", "Brazil"] = "France"


class Member(BaseModel):
    name: str = Field(min_length=1)
    email: EmailStr
    role: Literal["developer", "designer", "manager"] = "developer"


class Team(BaseModel):
    name: str = Field(min_length=2, max_length=60, title="Team name")
    plan: Literal["free", "team", "enterprise"] = "free"
    size: int = Field(ge=1, le=500, title="Seats")
    starts: datetime.date = Field(title="Start date")
    languages: list[Literal["Python", "Elixir", "JavaScript", "Rust"]] = Field(min_length=1)
    about: str = Field(default="", max_length=500)
    public: bool = Field(default=False, title="List the team publicly")
    address: Address
    members: list[Member] = Field(min_length=1, max_length=8)


class TeamForm(LiveView):
    template = """
    {% from "liveview/forms.html" import input, add_row, remove_row %}
    <h1>New team</h1>
    <form id="{{ form.id }}" class="lv-form" phx-change="validate" phx-submit="save" novalidate>
      {{ input(form["name"]) }}
      {{ input(form["plan"], type="radio") }}
      <div class="lv-columns">
        {{ input(form["size"], min=1, max=500) }}
        {{ input(form["starts"]) }}
      </div>
      {{ input(form["languages"]) }}
      {{ input(form["about"], type="textarea", rows=3) }}
      {{ input(form["public"]) }}
      {% for address in form["address"].forms %}
      <fieldset id="address" class="lv-group">
        <legend>Address</legend>
        {{ input(address["street"]) }}
        <div class="lv-columns">
          {{ input(address["city"]) }}
          {{ input(address["country"]) }}
        </div>
      </fieldset>
      {% endfor %}
      <fieldset id="members" class="lv-group">
        <legend>Members</legend>
        {% for member in form["members"].forms %}
        <div class="lv-row" id="member-{{ member.index }}">
          {{ input(member["name"]) }}
          {{ input(member["email"], phx_debounce="blur") }}
          {{ input(member["role"]) }}
          {{ remove_row(form["members"], member, label="Remove") }}
        </div>
        {% endfor %}
        {% for message in form["members"].errors %}<p class="lv-error">{{ message }}</p>{% endfor %}
        {{ add_row(form["members"], label="Add a member", id="add-member") }}
      </fieldset>
      <button id="save" type="submit">Create team</button>
    </form>
    {% if saved %}<pre id="saved">{{ saved }}</pre>{% endif %}
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.page_title = "New team"
        starter = {"members_sort": ["new"]}  # one empty member row to start with
        socket.assign(form=to_form(Team, starter), saved="")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event in ("validate", "save"):
            action = "submit" if event == "save" else "validate"
            form = to_form(Team, payload.get("team"), action=action)
            saved = form.data.model_dump_json(indent=2) if event == "save" and form.valid else ""
            socket.assign(form=form, saved=saved)
        else:
            await super().handle_event(event, payload, socket)


EXAMPLES = [
    Example(
        "/team",
        TeamForm,
        title="Team",
        description="A nested form: an address, member rows added and removed.",
        hint="Add members and remove some; each row shows its own errors.",
        section="Forms",
    ),
]
