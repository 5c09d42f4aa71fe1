"""The client model, `liveview.testing.tree`: `merge_diff` merges as the official client does
and rejects what would break it; `to_html` renders as the client's `toString`.

That the official client really breaks on each rejected diff (and renders each accepted one as
`to_html` does) is checked against its own code in `tests/conformance/test_tree_model.py`.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from liveview.testing import DiffRejected, merge_diff, to_html
from liveview.testing.tree import TopLevel, extract
from tests.tree_cases import BAD_DIFFS, GOOD_STEPS, LIST, BadDiff, GoodSteps

# -- merging -------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", GOOD_STEPS, ids=lambda case: case.name)
def test_merged_steps_render_as_the_client_renders_them(case: GoodSteps) -> None:
    tree: dict[str, Any] | None = None
    for step, html in zip(case.steps, case.html, strict=True):
        tree = merge_diff(tree, step)
        assert to_html(tree) == html


def test_merge_modifies_neither_argument() -> None:
    tree = copy.deepcopy(LIST)
    diff = {"0": {"k": {"0": 1, "1": [0, {"0": "A"}], "kc": 2, "km": True}}}
    before = copy.deepcopy(diff)
    merged = merge_diff(tree, diff)
    assert to_html(merged) == "<i>b</i><i>A</i>"
    assert tree == LIST and diff == before


def test_merged_trees_carry_no_template_tables() -> None:
    tree = merge_diff(None, {"s": 0, "p": {"0": ["<b>", "</b>"]}, "0": "x"})
    assert tree == {"s": ["<b>", "</b>"], "0": "x"}


def test_a_new_root_drops_the_old_components() -> None:
    tree = merge_diff(None, {"s": ["", ""], "0": 1, "c": {"1": {"s": ["<c>", "</c>"], "0": "a"}}})
    tree = merge_diff(tree, {"s": ["<p>", "</p>"], "0": "x"})
    assert tree == {"s": ["<p>", "</p>"], "0": "x"}


def test_the_diff_goes_through_json() -> None:
    tree = merge_diff(None, {"s": ("<p>", "</p>"), "0": "x"})
    assert tree["s"] == ["<p>", "</p>"]
    with pytest.raises(TypeError):
        merge_diff(tree, {"0": object()})


# -- what the client would break on --------------------------------------------------------------


@pytest.mark.parametrize("case", BAD_DIFFS, ids=lambda case: case.name)
def test_merge_rejects_what_the_client_would_break_on(case: BadDiff) -> None:
    tree = copy.deepcopy(case.tree)
    with pytest.raises(DiffRejected, match=re.escape(case.rejected)):
        merge_diff(tree, case.diff)
    assert tree == case.tree


def test_merge_rejects_what_the_client_would_choke_on() -> None:
    with pytest.raises(DiffRejected):
        merge_diff({"s": ["", ""], "0": "text"}, {"0": {"0": "x"}})
    with pytest.raises(DiffRejected):
        merge_diff({"s": ["", ""], "0": {"s": [""], "k": {"kc": 0}}}, {"0": {"k": {"0": {}}}})


def test_the_error_says_where() -> None:
    with pytest.raises(DiffRejected) as info:
        merge_diff(LIST, {"0": {"k": {"0": 5, "kc": 1, "km": True}}})
    assert info.value.path == ("0", "k", "0")
    assert str(info.value) == "at 0.k.0: a move from old position 5, of 2"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("key", ["e", "t", "r"])
def test_top_level_keys_must_be_taken_off_first(key: str) -> None:
    with pytest.raises(DiffRejected, match="extract"):
        merge_diff(LIST, {key: None})


def test_extract_takes_off_events_title_and_reply() -> None:
    diff = {"0": "x", "e": [["scroll", {"to": 1}]], "t": "Title", "r": {"ok": True}}
    rest, top = extract(diff)
    assert rest == {"0": "x"}
    assert top == TopLevel(events=[["scroll", {"to": 1}]], title="Title", reply={"ok": True})
    assert extract({"0": "x"}) == ({"0": "x"}, TopLevel(events=[], title=None, reply=None))
    assert "e" in diff  # the caller's diff is left alone


# -- to_html against the client's toString rules -------------------------------------------------


def test_to_html_interleaves_and_repeats_comprehension_statics() -> None:
    tree = {
        "s": ["<ul>", "</ul>", ""],
        "0": {"s": ["<li>", "</li>"], "k": {"0": {"0": "a"}, "1": {"0": "b"}, "kc": 2}},
        "1": {"s": ["<p>", "</p>"], "0": "x"},
    }
    assert to_html(tree) == "<ul><li>a</li><li>b</li></ul><p>x</p>"


def test_to_html_respects_kc_over_extra_entries() -> None:
    tree = {
        "s": ["", ""],
        "0": {"s": ["<i>", "</i>"], "k": {"0": {"0": "a"}, "1": {"0": "b"}, "kc": 1}},
    }
    assert to_html(tree) == "<i>a</i>"


def test_to_html_resolves_template_tables_and_components() -> None:
    tree = {
        "s": 0,
        "p": {"0": ["<main>", "", "</main>"], "1": ["<b>", "</b>"]},
        "0": {"s": 1, "0": "x"},
        "1": 1,
        "c": {
            "1": {
                "s": ["<c>", "</c>"],
                "0": {"s": ["<i>", "</i>"], "k": {"0": {"0": "y"}, "kc": 1}},
            }
        },
    }
    assert to_html(tree) == "<main><b>x</b><c><i>y</i></c></main>"


def test_to_html_renders_stray_values_like_javascript() -> None:
    assert to_html({"s": ["[", "][", "][", "]"], "0": None, "1": True}) == "[null][true][undefined]"
    with pytest.raises(ValueError, match="missing component"):
        to_html({"s": ["", ""], "0": 3})
