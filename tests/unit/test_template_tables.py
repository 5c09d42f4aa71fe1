"""Statics a comprehension's entries repeat go once into its template table ``p``."""

from __future__ import annotations

from liveview.template import RenderState, Template
from tests.template_client import ClientView

CARD = "{% macro card(v) %}<b>{{ v }}</b>{% endmacro %}"
LIST = CARD + "<ul>{% for x in xs %}<li>{{ card(x) }}</li>{% endfor %}</ul>"


def test_a_macro_in_a_loop_sends_its_statics_once() -> None:
    view = ClientView(LIST, xs=["a", "b"])
    assert view.first["0"] == {
        "s": ["<li>", "</li>"],
        "p": {"0": ["<b>", "</b>"]},
        "k": {"0": {"0": {"s": 0, "0": "a"}}, "1": {"0": {"s": 0, "0": "b"}}, "kc": 2},
    }


def test_a_diff_with_new_entries_carries_a_table_when_they_repeat_statics() -> None:
    view = ClientView(LIST, xs=[])
    assert view.set(xs=["a", "b"]) == {
        "0": {
            "s": ["<li>", "</li>"],
            "p": {"0": ["<b>", "</b>"]},
            "k": {"0": {"0": {"s": 0, "0": "a"}}, "1": {"0": {"s": 0, "0": "b"}}, "kc": 2},
        }
    }
    new = {"s": ["<b>", "</b>"], "0": "c"}  # one new entry: its statics as they are
    assert view.set(xs=["a", "b", "c"]) == {"0": {"k": {"2": {"0": new}, "kc": 3}}}
    view.set(xs=["z", "y", "a", "b", "c"])  # moves and new entries, merged by the client model


def test_the_outermost_comprehension_holds_the_table_of_everything_below() -> None:
    source = (
        "{% for r in rows %}<tr>{% for c in r %}<td>{% if c %}<b>{{ c }}</b>{% endif %}</td>"
        "{% endfor %}</tr>{% endfor %}"
    )
    view = ClientView(source, rows=[[1, 2], [3]])
    outer = view.first["0"]
    assert outer["p"] == {"0": ["<td>", "</td>"], "1": ["<b>", "</b>"]}
    inner = outer["k"]["0"]["0"]
    assert inner["s"] == 0 and "p" not in inner
    assert inner["k"]["0"]["0"] == {"s": 1, "0": "1"}
    view.set(rows=[[1, 0], [3, 4], [5, 6]])
    view.set(rows=[[6, 5], [4, 3], [2, 1]])


def test_statics_sent_once_stay_where_they_are() -> None:
    tree = RenderState().render(Template(LIST), {"xs": ["a"]})
    assert tree["0"]["k"]["0"] == {"0": {"s": ["<b>", "</b>"], "0": "a"}}
    assert "p" not in tree["0"]
