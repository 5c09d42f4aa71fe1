"""Diffs the official client breaks on, for the client model's tests.

Each case is a tree the client holds (``None``: nothing yet, the diff is the join's), a diff
that breaks the client, a fragment of the ``DiffRejected`` message ``merge_diff`` must raise,
and what the official client does with it: ``THROWS``, or the HTML it renders instead of what
the diff meant (``undefined``, a stale or a lost update). ``tests/unit/test_testing_tree.py``
checks the model rejects each; ``tests/conformance/test_tree_model.py`` checks the official
client does what is written here.
"""

from __future__ import annotations

from typing import Any, NamedTuple

THROWS = None


class BadDiff(NamedTuple):
    name: str
    tree: dict[str, Any] | None
    diff: dict[str, Any]
    rejected: str
    client: str | None


P = {"s": ["<p>", "</p>"], "0": "a"}
LIST = {
    "s": ["", ""],
    "0": {"s": ["<i>", "</i>"], "k": {"0": {"0": "a"}, "1": {"0": "b"}, "kc": 2}},
}
PAIRS = {"s": ["", ""], "0": {"s": ["<i>", "|", "</i>"], "k": {"0": {"0": "a", "1": "b"}, "kc": 1}}}
NESTED = {"s": ["", ""], "0": {"s": ["<i>", "</i>"], "k": {"0": {"0": P}, "kc": 1}}}
COMPONENT = {"s": ["", ""], "0": 1, "c": {"1": {"s": ["<c>", "</c>"], "0": "a"}}}

BAD_DIFFS = [
    BadDiff("first tree without statics", None, {"0": "a"}, "first tree has no statics", THROWS),
    BadDiff(
        "node without statics into a string",
        {"s": ["", ""], "0": "text"},
        {"0": {"0": "x"}},
        "without statics `s`, and no old node",
        THROWS,
    ),
    BadDiff(
        "node without statics into a component id",
        COMPONENT,
        {"0": {"0": "x"}},
        "without statics `s`, and no old node",
        THROWS,
    ),
    BadDiff(
        "new entry with a node without statics",
        NESTED,
        {"0": {"k": {"1": {"0": {"0": "x"}}, "kc": 2}}},
        "without statics `s`, and no old node",
        THROWS,
    ),
    BadDiff(
        "comprehension diff into a plain node",
        {"s": ["", ""], "0": P},
        {"0": {"k": {"0": {"0": "x"}, "kc": 1}}},
        "for a node without `k`",
        THROWS,
    ),
    BadDiff("k without kc", LIST, {"0": {"k": {"0": {"0": "x"}}}}, "`kc` missing", ""),
    BadDiff(
        "move without km",
        LIST,
        {"0": {"k": {"0": 1, "1": 0, "kc": 2}}},
        "a move without `km`",
        THROWS,
    ),
    BadDiff(
        "move from an old position that does not exist",
        LIST,
        {"0": {"k": {"0": 5, "kc": 1, "km": True}}},
        "a move from old position 5, of 2",
        THROWS,
    ),
    BadDiff(
        "move with a diff from an old position that does not exist",
        LIST,
        {"0": {"k": {"0": [2, {"0": "x"}], "kc": 1, "km": True}}},
        "a move from old position 2, of 2",
        THROWS,
    ),
    BadDiff(
        "two moves from one old position",
        LIST,
        {"0": {"k": {"0": 0, "1": [0, {"0": "c"}], "kc": 2, "km": True}}},
        "a second move from old position 0",
        "<i>c</i><i>c</i>",  # meant: <i>a</i><i>c</i>; the two positions share one entry
    ),
    BadDiff(
        "move that is neither a position nor [position, diff]",
        LIST,
        {"0": {"k": {"0": [1], "kc": 2, "km": True}}},
        "not a diff, an old position or [old position, diff]",
        THROWS,
    ),
    BadDiff(
        "new entry missing a slot",
        PAIRS,
        {"0": {"k": {"1": {"0": "c"}, "kc": 2}}},
        "slot missing",
        "<i>a|b</i><i>c|undefined</i>",
    ),
    BadDiff(
        "grown kc without the new entry",
        LIST,
        {"0": {"k": {"kc": 3}}},
        "a new position without an entry",
        THROWS,
    ),
    BadDiff(
        "entry past kc",
        LIST,
        {"0": {"k": {"0": {"0": "x"}, "2": {"0": "y"}, "kc": 2}}},
        "not below `kc` (2)",
        "<i>x</i><i>b</i>",  # the entry is kept, unseen, for a later kc to show
    ),
    BadDiff(
        "slots merged into a comprehension",
        LIST,
        {"0": {"0": "x"}},
        "slots merged into a comprehension",
        "<i>a</i><i>b</i>",
    ),
    BadDiff(
        "slot next to k",
        LIST,
        {"0": {"k": {"kc": 2}, "0": "x"}},
        "next to `k`",
        "<i>a</i><i>b</i>",
    ),
    BadDiff("slot past the statics", P, {"1": "x"}, "no such slot", "<p>a</p>"),
    BadDiff(
        "full node missing a slot",
        P,
        {"s": ["<p>", "|", "</p>"], "0": "a"},
        "slot missing",
        "<p>a|undefined</p>",
    ),
    BadDiff("slot holding null", P, {"0": None}, "a slot holds None", "<p>null</p>"),
    BadDiff(
        "integer statics without a template table",
        None,
        {"s": 0, "0": "a"},
        "template table `p` not there",
        THROWS,
    ),
    BadDiff(
        "new component without statics",
        P,
        {"0": 2, "c": {"2": {"0": "x"}}},
        "a component without statics",
        THROWS,
    ),
    BadDiff(
        "component sharing the statics of one that is not there",
        COMPONENT,
        {"c": {"1": {"s": -2, "0": "x"}}},
        "statics shared with component -2",
        THROWS,
    ),
    BadDiff(
        "component sharing the statics of a new one not in this diff",
        COMPONENT,
        {"0": 2, "c": {"2": {"s": 1, "0": "x"}}},
        "statics shared with component 1",
        THROWS,
    ),
    BadDiff(
        "components sharing statics in a cycle",
        COMPONENT,
        {"0": 2, "c": {"2": {"s": 3, "0": "x"}, "3": {"s": 2, "0": "y"}}},
        "in a cycle",
        THROWS,
    ),
]


class GoodSteps(NamedTuple):
    name: str
    steps: list[dict[str, Any]]  # the join tree, then diffs
    html: list[str]  # what the client renders after each step


GOOD_STEPS = [
    GoodSteps(
        "slots, branches and a comprehension that grows and shrinks",
        [
            {"s": ["<h1>", "</h1>", ""], "0": "t", "1": LIST},
            {"0": "u", "1": {"0": {"k": {"2": {"0": "c"}, "kc": 3}}}},
            {"1": {"s": ["<b>", "</b>"], "0": "x"}},
            {"1": {"0": "y"}},
        ],
        [
            "<h1>t</h1><i>a</i><i>b</i>",
            "<h1>u</h1><i>a</i><i>b</i><i>c</i>",
            "<h1>u</h1><b>x</b>",
            "<h1>u</h1><b>y</b>",
        ],
    ),
    GoodSteps(
        "moves, with and without a diff, and a shrink",
        [
            {
                "s": ["", ""],
                "0": {
                    "s": ["<i>", "</i>"],
                    "k": {"0": {"0": "a"}, "1": {"0": "b"}, "2": {"0": "c"}, "kc": 3},
                },
            },
            {"0": {"k": {"0": 2, "1": [0, {"0": "A"}], "kc": 2, "km": True}}},
            {"0": {"k": {"0": 1, "1": 0, "2": {"0": "d"}, "kc": 3, "km": True}}},
        ],
        ["<i>a</i><i>b</i><i>c</i>", "<i>c</i><i>A</i>", "<i>A</i><i>c</i><i>d</i>"],
    ),
    GoodSteps(
        "template tables at the root and on a comprehension",
        [
            {
                "s": 0,
                "p": {"0": ["<ul>", "</ul>"], "1": ["<b>", "</b>"]},
                "0": {"s": ["<li>", "</li>"], "k": {"0": {"0": {"s": 1, "0": "x"}}, "kc": 1}},
            },
            {"p": {"0": ["<u>", "</u>"]}, "0": {"k": {"1": {"0": {"s": 0, "0": "y"}}, "kc": 2}}},
            {"0": {"p": {"0": ["<s>", "</s>"]}, "k": {"0": {"0": {"s": 0, "0": "z"}}, "kc": 2}}},
        ],
        [
            "<ul><li><b>x</b></li></ul>",
            "<ul><li><b>x</b></li><li><u>y</u></li></ul>",
            "<ul><li><s>z</s></li><li><u>y</u></li></ul>",
        ],
    ),
    GoodSteps(
        "components: new, updated, sharing statics with a new one and with an old one",
        [
            COMPONENT,
            {"c": {"1": {"0": "b"}}},
            {
                "0": {"s": ["", "", "", ""], "0": 1, "1": 2, "2": 3},
                "c": {"2": {"s": ["<d>", "</d>"], "0": "n"}, "3": {"s": 2, "0": "m"}},
            },
            {"0": {"2": 4}, "c": {"4": {"s": -1, "0": "o"}}},
        ],
        ["<c>a</c>", "<c>b</c>", "<c>b</c><d>n</d><d>m</d>", "<c>b</c><d>n</d><c>o</c>"],
    ),
]
