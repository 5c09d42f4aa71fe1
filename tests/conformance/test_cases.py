"""Hand-picked corners, checked like the generated cases (client HTML == full render at every
step): what the generator reaches only rarely, kept explicit."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from tests.conformance.checker import Step, check_case
from tests.conformance.client import ClientHarness

S = Step.of

CASES: dict[str, tuple[str, list[Step]]] = {
    "namespace counter across a loop": (
        "{% set ns = namespace(c=0) %}{% for x in xs %}{% set ns.c = ns.c + x %}{{ ns.c }}"
        "{% endfor %}={{ ns.c }}",
        [S({"xs": [1, 2]}), S({"xs": [1, 3]}, ["xs"]), S({"xs": []}, ["xs"])],
    ),
    "macro called with an assign and a loop variable": (
        "{% macro m(v) %}<b>{{ v }}</b>{% endmacro %}{{ m(a) }}{% for x in xs %}{{ m(x) }}"
        "{% endfor %}",
        [
            S({"xs": [1, 2], "a": "<"}),
            S({"xs": [2], "a": "&"}, ["xs", "a"]),
            S({"xs": [2], "a": "q"}, ["a"]),
        ],
    ),
    "set in an if leaks, shadowing an assign": (
        '{% if f %}{% set a = "x" %}{% endif %}{{ a }}',
        [
            S({"f": True, "a": "1"}),
            S({"f": False, "a": "1"}, ["f"]),
            S({"f": True, "a": "2"}, ["f", "a"]),
        ],
    ),
    "loop.last flips when the loop grows": (
        "{% for x in xs %}{% if loop.last %}L{% else %}<i>{{ x }}</i>{% endif %}{% endfor %}",
        [S({"xs": [1, 2]}), S({"xs": [1, 2, 3]}, ["xs"]), S({"xs": [3, 2, 1]}, ["xs"])],
    ),
    "outer loop index kept in a set, nested loop": (
        "{% for x in xs %}{% set t = loop.index %}{% for y in x %}{{ t }}{{ loop.index }}{{ y }}"
        "{% endfor %}{% endfor %}",
        [S({"xs": [[1], [2, 3]]}), S({"xs": [[2, 3], [1]]}, ["xs"]), S({"xs": [[], [1]]}, ["xs"])],
    ),
    "for/else switching between entries and the else node": (
        "{% for x in xs %}{{ x }}{% else %}<p>{{ a }}</p>{% endfor %}",
        [
            S({"xs": [], "a": "1"}),
            S({"xs": [], "a": "2"}, ["a"]),
            S({"xs": [1], "a": "2"}, ["xs"]),
            S({"xs": [], "a": "3"}, ["xs", "a"]),
        ],
    ),
    "an if that only sets (no slot of its own)": (
        "{% if f %}{% set t = a %}{% else %}{% set t = b %}{% endif %}<p>{{ t }}</p>",
        [
            S({"f": True, "a": "1", "b": "2"}),
            S({"f": False, "a": "1", "b": "2"}, ["f"]),
            S({"f": False, "a": "1", "b": "3"}, ["b"]),
            S({"f": False, "a": "4", "b": "3"}, ["a"]),
        ],
    ),
    "dict attribute access and Markup becoming a plain string": (
        "{{ cfg.title }}{% if cfg.on %}on{% endif %}{{ a }}",
        [
            S({"cfg": {"title": "x", "on": True}, "a": Markup("<b>")}),
            S({"cfg": {"title": "y", "on": False}, "a": "<b>"}, ["cfg", "a"]),
        ],
    ),
    "loop filter, loop.length, and a set computed from the list": (
        '{% set t = xs|map(attribute="name")|join(",") %}{{ t }}{% for x in xs if x.on %}'
        "{{ loop.index }}/{{ loop.length }}{{ x.name }}{% endfor %}",
        [
            S({"xs": [{"name": "a", "on": True}, {"name": "b", "on": False}]}),
            S({"xs": [{"name": "a", "on": True}, {"name": "b", "on": True}]}, ["xs"]),
        ],
    ),
    "set shadowing the loop variable, then the list": (
        '{% for x in xs %}{% set x = x ~ "!" %}{{ x }}{% endfor %}{% set xs = ["z"] %}'
        "{{ xs|join }}",
        [S({"xs": [1, 2]}), S({"xs": [3]}, ["xs"])],
    ),
    "previtem and nextitem": (
        "{% for x in xs %}{{ loop.previtem is defined }}{{ loop.nextitem }}{% endfor %}",
        [S({"xs": [1, 2]}), S({"xs": [1, 2, 3]}, ["xs"]), S({"xs": [2]}, ["xs"])],
    ),
    "opaque statements (with, filter) reading assigns and loop variables": (
        "{% with a = b %}{{ a }}{% endwith %}{{ a }}{% filter upper %}{% for x in xs %}{{ x }}"
        "{{ a }}{% endfor %}{% endfilter %}",
        [
            S({"xs": [1, 2], "a": "a", "b": "b"}),
            S({"xs": [1, 2], "a": "c", "b": "b"}, ["a"]),
            S({"xs": [1], "a": "c", "b": "d"}, ["b", "xs"]),
        ],
    ),
    "nothing changes, then everything, then a full render": (
        "<p class=\"{{ a }}\">{% for x in xs %}<i title='{{ x }}'>{{ loop.index }}</i>"
        "{% endfor %}</p>",
        [
            S({"a": "<&\"'>", "xs": ["é", "😀"]}),
            S({"a": "<&\"'>", "xs": ["é", "😀"]}, []),
            S({"a": "b", "xs": ["'", '"']}, ["a", "xs"]),
            S({"a": "c", "xs": []}, None),
        ],
    ),
    "comprehension inside a comprehension entry, inner loop emptied": (
        "<ul>{% for x in xs %}<li>{{ x.name }}{% for w in x.sub %}<b>{{ w }}</b>{% endfor %}"
        "</li>{% endfor %}</ul>",
        [
            S({"xs": [{"name": "a", "sub": ["1", "2"]}, {"name": "b", "sub": []}]}),
            S({"xs": [{"name": "a", "sub": []}, {"name": "b", "sub": ["3"]}]}, ["xs"]),
            S({"xs": [{"name": "b", "sub": ["3"]}]}, ["xs"]),
        ],
    ),
    "macro rows in a loop: an edit, a prepend (moves), a removal": (
        '{% macro card(x, n=0) %}<div class="{{ "on" if x.on }}">{{ x.name }} {{ n }}</div>'
        "{% endmacro %}<ul>{% for x in xs %}<li>{{ card(x, n=loop.index) }}</li>{% endfor %}</ul>",
        [
            S({"xs": [{"name": "a", "on": True}, {"name": "b", "on": False}]}),
            S({"xs": [{"name": "a", "on": True}, {"name": "B", "on": False}]}, ["xs"]),
            S({"xs": [{"name": "z"}, {"name": "a", "on": True}, {"name": "B"}]}, ["xs"]),
            S({"xs": [{"name": "a", "on": True}]}, ["xs"]),
        ],
    ),
    "include in a loop, then an imported macro, reading a set": (
        "{% from 'parts.html' import card %}{% set t = a|upper %}{% for x in xs %}"
        "{% include 'row.html' %}{{ card(x.name, w=t) }}{% endfor %}{% include 'nested.html' %}",
        [
            S({"xs": [{"name": "a", "on": True}], "a": "q", "b": 1, "n": 1, "words": ["w"]}),
            S(
                {"xs": [{"name": "a", "on": False}], "a": "r", "b": 1, "n": 1, "words": []},
                ["xs", "a", "words"],
            ),
            S({"xs": [], "a": "r", "b": 2, "n": 3, "words": []}, ["xs", "b", "n"]),
        ],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_case(client_harness: ClientHarness, name: str) -> None:
    source, steps = CASES[name]
    check_case(client_harness, source, steps)
