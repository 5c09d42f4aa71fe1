"""Live components given the same attributes again: with the default `update`, a dict, list or
tuple equal to the one a component holds does not re-render it (a page of row components
re-assigning its list renders only the row that changed), and one changed in place does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from markupsafe import Markup

from liveview import ComponentSocket, LiveComponent, LiveView, LiveViewApp, LiveViewSocket
from liveview.template import Template

renders: list[Any] = []


LINE = Template('<li id="line-{{ id }}">{{ row.text }}{% for t in tags %}.{{ t }}{% endfor %}</li>')


class Line(LiveComponent):
    """Counts its renders (a `render` override is called for each one)."""

    def render(self, assigns: Any) -> Template:
        renders.append(assigns["id"])
        return LINE


class OwnUpdate(LiveComponent):
    template = '<p id="own-{{ id }}">{{ row.text }}</p>'

    async def update(self, assigns: dict[str, Any], socket: ComponentSocket) -> None:
        socket.assign(**assigns)


class Lines(LiveView):
    template = (
        "<ul>{% for row in rows %}"
        "{{ live_component(Line, id=row.id, row=row, tags=row.get('tags', ())) }}"
        "{% endfor %}</ul>"
        "{{ live_component(OwnUpdate, id='own', row=rows[0]) }}"
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(rows=[{"id": i, "text": f"r{i}"} for i in range(3)])

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> Any:
        rows = socket.assigns.rows
        if event == "replace":  # a copy of the list, one row a new dict: the Phoenix way
            rows = list(rows)
            rows[payload["i"]] = {**rows[payload["i"]], "text": payload["text"]}
        elif event == "in-place":  # the same list and dict, changed in place
            rows[payload["i"]]["text"] = payload["text"]
        elif event == "copies":  # every row an equal new dict
            rows = [dict(row) for row in rows]
        elif event == "markup":
            rows = list(rows)
            rows[payload["i"]] = {**rows[payload["i"]], "text": Markup(rows[payload["i"]]["text"])}
        elif event == "tags":  # JSON has no tuples and no objects: "as" makes them
            tags = payload["tags"]
            if payload.get("as") == "tuple":
                tags = tuple(tags)
            elif payload.get("as") == "objects":
                tags = [object() for _ in tags]
            rows = list(rows)
            rows[payload["i"]] = {**rows[payload["i"]], "tags": tags}
        socket.assign(rows=rows)


@pytest.fixture
async def view() -> AsyncIterator[Any]:
    from liveview.testing import LiveViewTestClient

    async with LiveViewTestClient(LiveViewApp(routes={"/": Lines})) as client:
        renders.clear()
        live = await client.live("/")
        renders.clear()
        yield live


async def click(view: Any, event: str, **value: Any) -> dict[str, Any]:
    response = await view.push("event", {"type": "click", "event": event, "value": value})
    diff: dict[str, Any] = response.get("diff", {})
    return diff


async def test_a_new_row_dict_renders_only_its_component(view: Any) -> None:
    diff = await click(view, "replace", i=1, text="new")
    assert renders == [1]
    assert list(diff["c"]) == [str(view.cid_of("#line-1"))]
    assert '<li id="line-1">new</li>' in view.html


async def test_a_row_changed_in_place_renders_again(view: Any) -> None:
    await click(view, "in-place", i=2, text="changed")
    assert renders == [2]
    assert '<li id="line-2">changed</li>' in view.html
    await click(view, "in-place", i=2, text="again")  # the same dict, changed once more
    assert renders == [2, 2]
    assert '<li id="line-2">again</li>' in view.html


async def test_equal_new_dicts_render_nothing_and_are_then_the_ones_watched(view: Any) -> None:
    diff = await click(view, "copies")
    assert renders == [] and "c" not in diff
    await click(view, "in-place", i=0, text="moved on")  # a change to one of the copies
    assert renders == [0]
    assert '<li id="line-0">moved on</li>' in view.html


async def test_markup_of_the_same_text_counts_as_a_change(view: Any) -> None:
    await click(view, "markup", i=0)
    assert renders == [0]


@pytest.mark.parametrize(
    ("before", "after", "renders_again"),
    [
        ({"tags": ["a"]}, {"tags": ["a"]}, False),
        ({"tags": ["a"]}, {"tags": ["b"]}, True),
        ({"tags": ["a"]}, {"tags": ["a"], "as": "tuple"}, True),  # another type
        ({"tags": ["a"], "as": "tuple"}, {"tags": ["a"], "as": "tuple"}, False),
        ({"tags": [1]}, {"tags": [True]}, True),
        ({"tags": [1]}, {"tags": [1.0]}, True),
        ({"tags": [{"k": 1}]}, {"tags": [{"k": 1}]}, False),
        ({"tags": [{"k": 1}]}, {"tags": [{"k": 2}]}, True),
        # not plain data: always a change, as in assign
        ({"tags": [1], "as": "objects"}, {"tags": [1], "as": "objects"}, True),
    ],
    ids=repr,
)
async def test_lists_compare_by_their_contents(
    view: Any, before: dict[str, Any], after: dict[str, Any], renders_again: bool
) -> None:
    await click(view, "tags", i=0, **before)
    renders.clear()
    await click(view, "tags", i=0, **after)
    assert renders == ([0] if renders_again else [])


async def test_a_component_with_its_own_update_is_called_and_renders_as_before(
    view: Any,
) -> None:
    diff = await click(view, "copies")  # OwnUpdate gets an equal new dict: assign marks it
    own = str(view.cid_of("#own-own"))
    assert "c" not in diff or set(diff["c"]) <= {own}
    await click(view, "in-place", i=0, text="x")
    assert '<p id="own-own">x</p>' in view.html
