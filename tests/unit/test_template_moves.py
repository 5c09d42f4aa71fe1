"""Moves in comprehension diffs (liveview/template/moves.py): smaller diffs, same client tree."""

from __future__ import annotations

import itertools

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liveview.template import RenderState, Template, slots
from tests.template_client import ClientView

LIST = "<ul>{% for x in xs %}<li>{{ x }}</li>{% endfor %}</ul>"


def test_prepending_sends_the_new_entry_and_moves_the_others() -> None:
    view = ClientView(LIST, xs=["a", "b", "c"])
    assert view.set(xs=["z", "a", "b", "c"]) == {
        "0": {"k": {"0": {"0": "z"}, "1": 0, "2": 1, "3": 2, "kc": 4, "km": True}}
    }


def test_removing_the_first_entry_moves_the_rest_up() -> None:
    view = ClientView(LIST, xs=["a", "b", "c", "d"])
    diff = view.set(xs=["b", "c", "d"])
    assert diff == {"0": {"k": {"0": 1, "1": 2, "2": 3, "kc": 3, "km": True}}}


def test_a_moved_entry_carries_the_slots_that_differ() -> None:
    # the row number changes for every row after an insertion; the rest moves with the row
    view = ClientView(
        '{% for x in xs %}<li id="r{{ loop.index }}">{{ x }}</li>{% endfor %}',
        xs=["first entry", "second entry", "third entry"],
    )
    assert view.set(xs=["new", "first entry", "second entry", "third entry"]) == {
        "0": {
            "k": {
                "0": {"1": "new"},
                "1": [0, {"0": "2"}],
                "2": [1, {"0": "3"}],
                "3": [2, {"0": "4"}],
                "kc": 4,
                "km": True,
            }
        }
    }


def test_moves_are_left_out_when_the_flag_costs_more_than_they_save() -> None:
    view = ClientView(LIST, xs=["a", "b"])
    assert view.set(xs=["b", "x"]) == {"0": {"k": {"0": {"0": "b"}, "1": {"0": "x"}, "kc": 2}}}


def test_one_old_entry_is_the_source_of_at_most_one_move() -> None:
    view = ClientView(LIST, xs=["a", "bbbbbbbbbbbb", "c", "d"])
    diff = view.set(xs=["bbbbbbbbbbbb", "bbbbbbbbbbbb", "bbbbbbbbbbbb", "c", "d"])
    entries = diff["0"]["k"]
    moves = [e for e in entries.values() if type(e) in (int, list)]
    sources = [e if isinstance(e, int) else e[0] for e in moves]
    assert len(sources) == len(set(sources))
    assert entries["km"] is True


def test_moves_inside_moved_rows_of_a_nested_loop() -> None:
    source = (
        "{% for row in rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}"
    )
    view = ClientView(source, rows=[["a", "b"], ["c", "d"]])
    diff = view.set(rows=[["x"], ["a", "b"], ["c", "d"]])
    entries = diff["0"]["k"]
    assert entries["1"] == 0 and entries["2"] == 1 and entries["km"] is True


def test_no_move_when_the_shifted_entry_differs_as_much() -> None:
    # the fan-out bench's list: the class moves down one row, the row number does not
    source = (
        "{% for i in range(3) %}<li class=\"{{ 'even' if (count + i) % 2 == 0 else 'odd' }}\">"
        "Item {{ i + 1 }}: {{ count * 10 + i }}</li>{% endfor %}"
    )
    view = ClientView(source, count=5)
    assert view.set(count=6) == {
        "0": {
            "k": {
                "0": {"0": "even", "2": "60"},
                "1": {"0": "odd", "2": "61"},
                "2": {"0": "even", "2": "62"},
                "kc": 3,
            }
        }
    }


# -- properties --------------------------------------------------------------------------------

ITEM_TEMPLATES = [
    LIST,
    "{% for x in xs %}<li class=\"{{ loop.cycle('odd', 'even') }}\">{{ loop.index }}: {{ x }}"
    "{% if x|length > 1 %}<b>{{ x }}</b>{% endif %}</li>{% endfor %}",
    "{% for x in xs %}<p>{% for c in x %}<i>{{ c }}</i>{% endfor %}</p>{% endfor %}",
]

words = st.lists(st.sampled_from(["a", "b", "cc", "dd", "eee", "a b"]), max_size=8)


def _size_without_moves(
    monkeypatch: pytest.MonkeyPatch, source: str, before: list[str], after: list[str]
) -> int:
    with monkeypatch.context() as patch:
        patch.setattr(slots, "with_moves", lambda *args: None)
        state = RenderState()
        template = Template(source)
        state.render(template, {"xs": before})
        return len(orjson.dumps(state.render(template, {"xs": after}, {"xs"})))


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(source=st.sampled_from(ITEM_TEMPLATES), lists=st.lists(words, min_size=2, max_size=5))
def test_moves_keep_the_client_tree_right_and_never_grow_a_diff(
    source: str, lists: list[list[str]]
) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        view = ClientView(source, xs=lists[0])  # set() checks the merged tree against a full render
        for before, after in itertools.pairwise(lists):
            diff = view.set(xs=after)
            plain = _size_without_moves(monkeypatch, source, before, after)
            assert len(orjson.dumps(diff)) <= plain
