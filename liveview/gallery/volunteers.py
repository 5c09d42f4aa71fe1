"""Volunteers (LiveViewJS's multi-player form example): a validated form adds people to a shared
list, each row has a check-in toggle, and every tab on the list follows through pub/sub.

The list is kept per process in `VOLUNTEERS`, fed from the messages each process receives (so a
page opened later in any process starts in step); a real app keeps it in its database.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from pydantic import BaseModel, Field, field_validator

from liveview import LiveView, LiveViewSocket, PubSubGap, PubSubUnavailable
from liveview.forms import to_form
from liveview.gallery.example import Example

TOPIC = "volunteers"
VOLUNTEERS: dict[str, dict[str, Any]] = {}  # id -> {"id", "name", "phone", "checked_in"}
PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{5,18}[0-9]$")


class Volunteer(BaseModel):
    name: str = Field(min_length=2, max_length=100)
    phone: str = Field(max_length=20)

    @field_validator("name", "phone", mode="before")
    @classmethod
    def stripped(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("phone")
    @classmethod
    def phone_number(cls, phone: str) -> str:
        if not PHONE.match(phone):
            raise ValueError("should be a phone number, like 555-123-4567")
        return phone


class Volunteers(LiveView):
    template = """
    {% from "liveview/forms.html" import input %}
    <h1>Volunteers</h1>
    <p class="hint">Open this page in a second tab: people added or checked in here show there.</p>
    <form id="{{ form.id }}" class="lv-form lv-inline" phx-change="validate" phx-submit="save"
          novalidate>
      {{ input(form["name"], placeholder="Name", autocomplete="off") }}
      {{ input(form["phone"], type="tel", placeholder="555-123-4567", autocomplete="off") }}
      <button id="add" type="submit" phx-disable-with="Saving…">Add volunteer</button>
    </form>
    {% if notice %}<p id="notice" class="notice">{{ notice }}</p>{% endif %}
    <table id="volunteers" class="list">
      <thead><tr><th>Name</th><th>Phone</th><th>Status</th></tr></thead>
      <tbody>
      {% for v in volunteers %}
        <tr id="volunteer-{{ v.id }}" class="{{ 'in' if v.checked_in else 'out' }}">
          <td class="name">{{ v.name }}</td><td class="phone">{{ v.phone }}</td>
          <td><button class="toggle" phx-click="toggle" phx-value-id="{{ v.id }}">
            {{ "Checked in" if v.checked_in else "Check in" }}</button></td>
        </tr>
      {% else %}
        <tr><td colspan="3" class="empty">Nobody yet.</td></tr>
      {% endfor %}
      </tbody>
    </table>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.page_title = "Volunteers"
        socket.assign(form=to_form(Volunteer), volunteers=list(VOLUNTEERS.values()), notice="")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "validate":
            socket.assign(form=to_form(Volunteer, payload.get("volunteer"), action="validate"))
        elif event == "save":
            form = to_form(Volunteer, payload.get("volunteer"), action="submit")
            if not form.valid:
                socket.assign(form=form)
                return
            row = {"id": secrets.token_hex(4), **form.data.model_dump(), "checked_in": False}
            if await self.publish(socket, row):
                socket.assign(form=to_form(Volunteer))  # saved: an empty form again
        elif event == "toggle":
            found = VOLUNTEERS.get(str(payload.get("id")))
            if found is not None:
                await self.publish(socket, {**found, "checked_in": not found["checked_in"]})
        else:
            await super().handle_event(event, payload, socket)

    async def publish(self, socket: LiveViewSocket, row: dict[str, Any]) -> bool:
        """Send the row to every tab (this one too: its handle_info shows it)."""
        try:
            await socket.pubsub.publish(TOPIC, {"volunteer": row})
        except PubSubUnavailable:
            socket.assign(notice="Not saved: the other servers cannot be reached right now.")
            return False
        socket.assign(notice="")
        return True

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if isinstance(info, PubSubGap):  # messages may have been missed: show what we have
            socket.assign(volunteers=list(VOLUNTEERS.values()))
        elif isinstance(info, dict) and isinstance(info.get("volunteer"), dict):
            row = info["volunteer"]
            VOLUNTEERS[row["id"]] = row  # the same for every LiveView of this process
            socket.assign(volunteers=list(VOLUNTEERS.values()))


EXAMPLES = [
    Example(
        "/volunteers",
        Volunteers,
        title="Volunteers",
        description="A validated form adding to a list every tab shares.",
        hint="Open this page in a second window. Add a volunteer in one, check them in in the "
        "other.",
        section="Forms",
        multiplayer=True,
    ),
]
