"""A LiveView with loops and conditionals for the browser conformance check.

A small board of items: a draft previewed as it is typed, items added, toggled, tagged,
moved, removed, filtered and reversed; details switch a nested loop on and off. Its whole
state is in the page, in the `#permalink` link (`?state=<json>`): GET that URL and the dead
render shows the same state, which is what the browser test compares the live DOM with.
"""

from __future__ import annotations

import json
from typing import Any

from liveview import LiveView, LiveViewApp, LiveViewSocket

TEMPLATE = """
<h1 id="heading" title="{{ title }}">{{ title }}{% if todos %} ({{ todos|length }}){% endif %}</h1>
<a id="permalink" href="?state={{ {
  "title": title, "draft": draft, "filter": filter, "details": details,
  "todos": todos, "next_id": next_id,
}|tojson|urlencode }}">permalink</a>

<form id="rename" phx-change="rename" onsubmit="return false">
  <input id="title-input" name="title" value="{{ title }}" autocomplete="off">
</form>

<form id="add" phx-change="draft" phx-submit="add">
  <input id="draft" name="draft" value="{{ draft }}" autocomplete="off">
  <button id="add-button" type="submit">Add</button>
</form>
{% if draft %}<p id="preview" data-draft='{{ draft }}'>Preview: <b>{{ draft }}</b></p>{% endif %}

<form id="filters" phx-change="filter">
  <select id="filter" name="filter">
    {%- for value in ["all", "open", "done"] %}
    <option value="{{ value }}"{% if value == filter %} selected{% endif %}>{{ value }}</option>
    {%- endfor %}
  </select>
  <label><input id="details" type="checkbox" name="details" value="on"
    {%- if details %} checked{% endif %}> details</label>
</form>

<button id="reverse" phx-click="reverse">Reverse</button>
<button id="clear-done" phx-click="clear_done"
  {%- if not todos|selectattr("done")|list %} disabled{% endif %}>Clear done</button>

<ul id="items">
{%- for item in todos if filter == "all" or (filter == "done") == item.done %}
  {%- set label = "Reopen" if item.done else "Done" %}
  <li id="item-{{ item.id }}" data-n="{{ loop.index }}/{{ loop.length }}"
    class="{% if item.done %}done{% else %}open{% endif %}{% if loop.first %} first{% endif %}">
    <span class="title">{{ item.title }}</span>
    {% if item.done %}<s>done</s>
    {%- elif item.tags %}<em>{{ item.tags|length }} tag{{ "s" if item.tags|length > 1 }}</em>
    {%- else %}<i>new</i>{% endif %}
    <button class="toggle" phx-click="toggle" phx-value-id="{{ item.id }}">{{ label }}</button>
    <button class="tag" phx-click="tag" phx-value-id="{{ item.id }}">+tag</button>
    <button class="up" phx-click="up" phx-value-id="{{ item.id }}"
      {%- if loop.first %} disabled{% endif %}>up</button>
    <button class="remove" phx-click="remove" phx-value-id="{{ item.id }}">x</button>
    {%- if details %}
    <ul class="tags">
      {%- for tag in item.tags %}<li title='{{ tag }}'>{{ loop.index }}. {{ tag }}</li>
      {%- else %}<li class="none">no tags</li>{% endfor -%}
    </ul>
    {%- endif %}
  </li>
{%- else %}
  <li id="empty">Nothing {% if filter != "all" %}{{ filter }} {% endif %}here.</li>
{%- endfor %}
</ul>
<p id="count">{{ todos|length }} items, {{ todos|selectattr("done")|list|length }} done</p>
"""

DEFAULTS: dict[str, Any] = {
    "title": "Board",
    "draft": "",
    "filter": "all",
    "details": False,
    "todos": [],
    "next_id": 1,
}


class Board(LiveView):
    template = TEMPLATE

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        state = dict(DEFAULTS)
        if "state" in params:
            state.update(json.loads(params["state"]))
        socket.assign(**state)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        assigns = socket.assigns
        todos: list[dict[str, Any]] = [dict(item) for item in assigns.todos]
        if event == "rename":
            socket.assign(title=payload.get("title", ""))
        elif event == "draft":
            socket.assign(draft=payload.get("draft", ""))
        elif event == "add":
            title = payload.get("draft", "").strip()
            if title:
                todos.append({"id": assigns.next_id, "title": title, "done": False, "tags": []})
                socket.assign(todos=todos, next_id=assigns.next_id + 1)
            socket.assign(draft="")
        elif event == "filter":
            socket.assign(
                filter=payload.get("filter", "all"), details=payload.get("details") == "on"
            )
        elif event == "reverse":
            socket.assign(todos=todos[::-1])
        elif event == "clear_done":
            socket.assign(todos=[item for item in todos if not item["done"]])
        elif event in ("toggle", "tag", "up", "remove"):
            index = next(i for i, item in enumerate(todos) if str(item["id"]) == payload["id"])
            item = todos[index]
            if event == "toggle":
                item["done"] = not item["done"]
            elif event == "tag":
                item["tags"] = [*item["tags"], f"t{len(item['tags']) + 1} <&\"'> é"]
            elif event == "up" and index > 0:
                todos[index - 1], todos[index] = todos[index], todos[index - 1]
            elif event == "remove":
                del todos[index]
            socket.assign(todos=todos)
        else:
            await super().handle_event(event, payload, socket)


app = LiveViewApp(routes={"/board": Board}, secret="e2e-secret")
