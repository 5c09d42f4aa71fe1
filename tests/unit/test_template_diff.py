"""Diff engine: what a render sends once the client holds a tree (every diff is also merged
by the client model and checked against a full render, see ``ClientView``)."""

from __future__ import annotations

from typing import Any

import pytest

from liveview.template import Template
from tests.template_client import ClientView

# -- plain slots -------------------------------------------------------------------------------


def test_only_the_changed_slot_is_sent() -> None:
    view = ClientView("<p>{{ a }}</p><p>{{ b }}</p>", a="1", b="2")
    assert view.set(b="3") == {"1": "3"}


def test_nothing_changed_is_an_empty_dict() -> None:
    view = ClientView("<p>{{ a }}</p>", a="1")
    assert view.set() == {}
    assert view.set(a="1") == {}  # named as changed, same string: nothing to send


def test_a_string_is_sent_only_when_it_differs_from_the_last_sent() -> None:
    view = ClientView("{{ n % 2 }}", n=1)
    assert view.set(n=3) == {}
    assert view.set(n=4) == {"0": "0"}


def test_first_render_reset_and_changed_none_give_full_trees() -> None:
    view = ClientView("<p>{{ a }}</p>", a="1")
    assert view.first == {"s": ["<p>", "</p>"], "0": "1"}
    assert view.state.render(view.template, {"a": "1"}, None) == view.first
    view.state.reset()
    assert view.state.render(view.template, {"a": "2"}, {"a"}) == {"s": ["<p>", "</p>"], "0": "2"}


def test_another_template_gives_a_full_tree() -> None:
    view = ClientView("<p>{{ a }}</p>", a="1")
    other = Template("<div>{{ a }}</div>")
    assert view.state.render(other, {"a": "1"}, {"a"}) == {"s": ["<div>", "</div>"], "0": "1"}
    assert view.state.render(other, {"a": "2"}, {"a"}) == {"0": "2"}


def test_a_failed_render_forgets_the_prints() -> None:
    view = ClientView("{{ 10 // n }}", n=1)
    with pytest.raises(ZeroDivisionError):
        view.set(n=0)
    assert view.set(n=5) == {"s": ["", ""], "0": "2"}  # full: the client must rejoin


# -- conditionals ------------------------------------------------------------------------------


def test_same_branch_sends_only_changed_slots_inside() -> None:
    view = ClientView("{% if on %}<b>{{ x }}</b><i>{{ y }}</i>{% endif %}", on=True, x="1", y="2")
    assert view.set(y="3") == {"0": {"1": "3"}}
    assert view.set(on=1) == {}  # still the same branch, nothing inside changed


def test_branch_switch_sends_the_full_node_with_statics() -> None:
    view = ClientView(
        "{% if on %}<b>{{ x }}</b>{% else %}<i>{{ y }}</i>{% endif %}", on=True, x="1", y="2"
    )
    assert view.set(on=False) == {"0": {"s": ["<i>", "</i>"], "0": "2"}}
    assert view.set(on=True) == {"0": {"s": ["<b>", "</b>"], "0": "1"}}


def test_branch_switch_with_identical_shape_still_sends_statics() -> None:
    view = ClientView(
        "{% if on %}<b>{{ x }}</b>{% else %}<b>{{ x }}</b>{% endif %}", on=True, x="1"
    )
    assert view.set(on=False) == {"0": {"s": ["<b>", "</b>"], "0": "1"}}


def test_elif_switches() -> None:
    view = ClientView("{% if n == 1 %}one{% elif n == 2 %}two{{ m }}{% endif %}", n=1, m="!")
    assert view.set(n=2) == {"0": {"s": ["two", ""], "0": "!"}}
    assert view.set(n=3) == {"0": ""}
    assert view.set(n=4) == {}
    assert view.set(n=2) == {"0": {"s": ["two", ""], "0": "!"}}


def test_nested_conditionals_diff_at_depth() -> None:
    view = ClientView(
        "{% if a %}<div>{% if b %}<p>{{ x }}</p>{% else %}no{% endif %}</div>{% endif %}",
        a=True,
        b=True,
        x="1",
    )
    assert view.set(x="2") == {"0": {"0": {"0": "2"}}}
    assert view.set(b=False) == {"0": {"0": {"s": ["no"]}}}


# -- comprehensions ----------------------------------------------------------------------------


LIST = "<ul>{% for x in xs %}<li>{{ x }}</li>{% endfor %}</ul>"


def test_changing_one_entry_sends_only_that_entry() -> None:
    view = ClientView(LIST, xs=["a", "b", "c"])
    assert view.set(xs=["a", "B", "c"]) == {"0": {"k": {"1": {"0": "B"}, "kc": 3}}}


def test_unchanged_list_is_omitted() -> None:
    view = ClientView(LIST, xs=["a", "b"])
    assert view.set(xs=["a", "b"]) == {}


def test_growing_sends_new_entries_complete() -> None:
    view = ClientView(
        "{% for x in xs %}<li>{{ x.a }}{{ x.b }}</li>{% endfor %}", xs=[{"a": 1, "b": 2}]
    )
    diff = view.set(xs=[{"a": 1, "b": 2}, {"a": 3, "b": 4}])
    assert diff == {"0": {"k": {"1": {"0": "3", "1": "4"}, "kc": 2}}}


def test_shrinking_sends_only_the_count() -> None:
    view = ClientView(LIST, xs=["a", "b", "c"])
    assert view.set(xs=["a", "b"]) == {"0": {"k": {"kc": 2}}}
    assert view.set(xs=["z"]) == {"0": {"k": {"0": {"0": "z"}, "kc": 1}}}


def test_emptying_and_refilling_a_list() -> None:
    view = ClientView(LIST, xs=["a"])
    assert view.set(xs=[]) == {"0": {"k": {"kc": 0}}}
    assert view.set(xs=[]) == {}
    assert view.set(xs=["b", "c"]) == {"0": {"k": {"0": {"0": "b"}, "1": {"0": "c"}, "kc": 2}}}


def test_list_that_started_empty_is_sent_complete_when_filled() -> None:
    view = ClientView(LIST, xs=[])
    assert view.first["0"] == ""
    assert view.set(xs=["a"]) == {"0": {"s": ["<li>", "</li>"], "k": {"0": {"0": "a"}, "kc": 1}}}


def test_switching_between_loop_and_else_sends_statics() -> None:
    view = ClientView(
        "{% for x in xs %}<li>{{ x }}</li>{% else %}<p>none{{ n }}</p>{% endfor %}", xs=["a"], n="!"
    )
    assert view.set(xs=[]) == {"0": {"s": ["<p>none", "</p>"], "0": "!"}}
    assert view.set(n="?") == {"0": {"0": "?"}}
    assert view.set(xs=["b"]) == {"0": {"s": ["<li>", "</li>"], "k": {"0": {"0": "b"}, "kc": 1}}}


def test_nested_loops_growing_and_shrinking() -> None:
    source = (
        "{% for row in rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}"
    )
    view = ClientView(source, rows=[[1, 2], [3]])
    assert view.set(rows=[[1, 2, 9], [3]]) == {
        "0": {"k": {"0": {"0": {"k": {"2": {"0": "9"}, "kc": 3}}}, "kc": 2}}
    }
    assert view.set(rows=[[1], [3]]) == {"0": {"k": {"0": {"0": {"k": {"kc": 1}}}, "kc": 2}}}
    assert view.set(rows=[[1], [3], [4, 5]]) == {
        "0": {
            "k": {
                "2": {
                    "0": {"s": ["<td>", "</td>"], "k": {"0": {"0": "4"}, "1": {"0": "5"}, "kc": 2}}
                },
                "kc": 3,
            }
        }
    }
    assert view.set(rows=[[1]]) == {"0": {"k": {"kc": 1}}}
    assert view.set(rows=[[]]) == {"0": {"k": {"0": {"0": {"k": {"kc": 0}}}, "kc": 1}}}


def test_inner_list_that_was_empty_in_an_existing_entry_is_sent_complete() -> None:
    source = (
        "{% for row in rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}"
    )
    view = ClientView(source, rows=[[]])
    assert view.set(rows=[[7]]) == {
        "0": {"k": {"0": {"0": {"s": ["<td>", "</td>"], "k": {"0": {"0": "7"}, "kc": 1}}}, "kc": 1}}
    }


def test_conditional_inside_loop_switches_per_entry() -> None:
    source = (
        "{% for x in xs %}{% if x > 1 %}<b>{{ x }}</b>{% else %}<i>{{ x }}</i>{% endif %}"
        "{% endfor %}"
    )
    view = ClientView(source, xs=[1, 2])
    assert view.set(xs=[3, 2]) == {
        "0": {"k": {"0": {"0": {"s": ["<b>", "</b>"], "0": "3"}}, "kc": 2}}
    }
    assert view.set(xs=[4, 2]) == {"0": {"k": {"0": {"0": {"0": "4"}}, "kc": 2}}}


def test_loop_inside_conditional_switching_branch_and_back() -> None:
    source = "{% if show %}<ul>{% for x in xs %}<li>{{ x }}</li>{% endfor %}</ul>{% endif %}"
    view = ClientView(source, show=True, xs=["a"])
    assert view.set(xs=["a", "b"]) == {"0": {"0": {"k": {"1": {"0": "b"}, "kc": 2}}}}
    assert view.set(show=False) == {"0": ""}
    assert view.set(show=True) == {
        "0": {
            "s": ["<ul>", "</ul>"],
            "0": {"s": ["<li>", "</li>"], "k": {"0": {"0": "a"}, "1": {"0": "b"}, "kc": 2}},
        }
    }


def test_set_in_a_loop_body_is_not_seen_by_the_next_entry() -> None:
    view = ClientView(
        '{% for x in xs %}[{{ a }}]{% set a = a ~ "x" %}{{ a }}{% endfor %}', xs=[1], a=""
    )
    assert view.set(xs=[1, 2]) == {"0": {"k": {"1": {"0": "", "1": "x"}, "kc": 2}}}
    assert view.set(a="y") == {
        "0": {"k": {"0": {"0": "y", "1": "yx"}, "1": {"0": "y", "1": "yx"}, "kc": 2}}
    }


def test_loop_index_changes_follow_insertions() -> None:
    view = ClientView("{% for x in xs %}{{ loop.index }}{{ x }}{% endfor %}", xs=["b"])
    assert view.set(xs=["a", "b"]) == {
        "0": {"k": {"0": {"1": "a"}, "1": {"0": "2", "1": "b"}, "kc": 2}}
    }


def test_count_is_always_sent_with_entries() -> None:
    view = ClientView(LIST, xs=list("abcdef"))
    for xs in [list("abcdeF"), list("ab"), list("Abcdefgh"), []]:
        diff = view.set(xs=xs)
        assert diff["0"]["k"]["kc"] == len(xs)


def test_diff_statics_are_the_shared_compiled_lists() -> None:
    view = ClientView("{% if a %}<b>{{ x }}</b>{% else %}<i>{{ x }}</i>{% endif %}", a=True, x=1)
    branch = view.set(a=False)["0"]["s"]
    assert view.set(a=True)["0"]["s"] is view.first["0"]["s"]
    assert view.set(a=False)["0"]["s"] is branch


def test_slot_values_are_only_strings_or_objects() -> None:
    def check(value: Any, key: str = "") -> None:
        if key in ("kc",):
            assert type(value) is int
        elif key == "s":
            assert all(type(part) is str for part in value)
        elif isinstance(value, dict):
            for inner_key, inner in value.items():
                check(inner, inner_key)
        else:
            assert type(value) is str, (key, value)

    view = ClientView(
        "{{ n }}{% for x in xs %}{{ x }}{{ loop.index }}{% endfor %}"
        "{% if n %}{{ n * 2 }}{% endif %}",
        n=1,
        xs=[1, 2.5, None],
    )
    check(view.first)
    check(view.set(n=2, xs=[3]))
