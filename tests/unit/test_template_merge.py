"""Diffs applied the way the client applies them give the HTML of a fresh full render.

They are merged by the client model, ``liveview.testing.tree.merge_diff``, which is strict: it
raises where the real client would break (a diff without ``"s"`` into a slot holding a string,
``"k"`` into a non-comprehension, ``"k"`` without ``"kc"``, an incomplete new entry...; its own
tests are in ``test_testing_tree.py``). Every diff also goes through JSON, as on the wire.
"""

from __future__ import annotations

from typing import Any

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from liveview.template import RenderState, Template
from liveview.testing.tree import merge_diff, to_html


def _check_complete(node: Any) -> None:
    """Every slot of every node and entry is present (no 'undefined' in the HTML)."""
    if not isinstance(node, dict):
        return
    slots = len(node["s"]) - 1
    if "k" in node:
        for index in range(node["k"]["kc"]):
            entry = node["k"][str(index)]
            assert set(entry) == {str(i) for i in range(slots)}, entry
            for value in entry.values():
                _check_complete(value)
    else:
        for index in range(slots):
            assert str(index) in node, (index, node)
            _check_complete(node[str(index)])


# -- the corpus ---------------------------------------------------------------------------------

TEMPLATES = [
    "<p>{{ s }}</p><p title=\"{{ s }}\" data-n='{{ n }}'>{{ n }}</p>",
    "{% if a %}<b>{{ s }}</b>{% elif b %}<i>{{ n }}</i>{% else %}<u>{{ s }}{{ n }}</u>{% endif %}",
    "{% if a %}<b>{{ s }}</b>{% else %}<b>{{ s }}</b>{% endif %}!",
    "<ul>{% for x in xs %}<li class=\"{{ 'on' if x.on }}\">{{ loop.index }}. {{ x.name }}</li>"
    "{% else %}<li>empty {{ s }}</li>{% endfor %}</ul>",
    "{% for x in xs %}{{ x.name }}{% for t in x.tags %}<t>{{ t }}{{ loop.index }}</t>{% endfor %}"
    "{% endfor %}",
    "{% for row in rows %}<tr>{% for c in row %}<td>{{ c }}{% if c > n %}+{% endif %}</td>"
    "{% endfor %}</tr>{% endfor %}",
    "{% if a %}{% for x in xs %}{% if x.on %}<b>{{ x.name }}</b>{% else %}{{ s }}{% endif %}"
    "{% endfor %}{% else %}{% for r in rows %}{{ r|length }}{% endfor %}{% endif %}",
    "{% set label = s|upper ~ n %}{% set twice = label ~ label %}<h1>{{ twice }}</h1>{{ label }}",
    "{% if a %}{% set cls = 'on' %}{% elif b %}{% set cls = s %}{% endif %}<p class=\"{{ cls }}\">"
    "{{ n }}</p>",
    "{% for x in xs if x.on %}{{ loop.index }}/{{ loop.length }}:{{ x.name }} "
    "{% else %}none{% endfor %}",
    "{% for k, v in pairs %}{{ k }}={{ v }}{% if not loop.last %}&{% endif %}{% endfor %}",
    "{% for x in xs %}{% set y = x.name ~ s %}<i>{{ y }}</i>{{ n }}{% endfor %}",
    "{% macro tag(t) %}<em>{{ t }}</em>{% endmacro %}{{ tag(s) }}{% for x in xs %}{{ tag(x.name) }}"
    "{% endfor %}",
    "{% with m = n * 2 %}{{ m }}{{ s }}{% endwith %}"
    "{% filter upper %}{{ s }}{% endfilter %}{{ n }}",
    "{% set ns = namespace(total=0) %}{% for r in rows %}{% for c in r %}"
    "{% set ns.total = ns.total + c %}{% endfor %}{% endfor %}<b>{{ ns.total }}</b>{{ s }}",
    "{% set block %}<q>{{ s }}</q>{{ n }}{% endset %}{{ block }}{{ block|length }}",
    "{{ m }}{{ s|safe if a else s }}{{ nothing }}{{ no }}{{ missing }}{{ xs|length }}",
    "{% for x in xs %}{% for y in xs %}{{ loop.index }}{% endfor %}{{ loop.index }}|{% endfor %}",
    "{% if xs %}{% for x in xs %}{{ x.name }}{% endfor %}{% endif %}{% if rows %}[{{ rows[0] }}]"
    "{% endif %}",
    "{% for i in range(n) %}<i>{{ i }}</i>{% endfor %}{% include 'inc.html' %}",
    "  {%- for x in xs %}\n  <li>{{ x.name -}} </li>\n{%- endfor %}\n{% raw %}{{ x }}{% endraw %}",
    # sets in loop bodies last one iteration; stateful helpers are called as in a full render
    "{% for x in xs %}[{{ s }}]{% set s = s ~ x.name %}{{ s }}{% endfor %}{{ s }}",
    "{% set j = joiner(', ') %}{% for x in xs %}{{ j() }}{{ x.name }}{% endfor %}|{{ s }}",
    "{% set c = cycler('odd', 'even') %}{% for x in xs %}<li class=\"{{ c.next() }}\">"
    "{{ x.name }}</li>{% endfor %}{{ c.current }}{% if a %}{{ c.next() ~ n }}{% endif %}",
    "{% for r in rows %}{% for c in r %}{% if loop.changed(c) %}<h>{{ c }}</h>{% endif %}"
    "{{ c > n }}{% if loop.changed(n) %}*{% endif %}{% endfor %}{% endfor %}",
    "{% set seen = [] %}{% for x in xs %}{% if x.on %}{% set _ = seen.append(x.name) %}"
    "{% endif %}{% endfor %}{{ seen|join(',') }}{{ n }}",
]

ENVIRONMENT = jinja2.Environment(
    autoescape=True, loader=jinja2.DictLoader({"inc.html": "<inc>{{ s }}{{ n }}</inc>"})
)
JINJA = ENVIRONMENT.overlay(finalize=lambda value: "" if value is None or value is False else value)
COMPILED = [
    Template(source, f"t{index}", environment=ENVIRONMENT) for index, source in enumerate(TEMPLATES)
]

text = st.text(alphabet="ab<&\"' ", max_size=4)
item = st.fixed_dictionaries(
    {"name": text, "on": st.booleans(), "tags": st.lists(text, max_size=3)}
)
assigns_strategy = st.fixed_dictionaries(
    {
        "a": st.booleans(),
        "b": st.booleans(),
        "n": st.integers(0, 3),
        "s": text,
        "m": st.sampled_from([Markup("<br>"), Markup("&amp;"), "<raw>"]),
        "xs": st.lists(item, max_size=4),
        "rows": st.lists(st.lists(st.integers(0, 4), max_size=3), max_size=3),
        "pairs": st.lists(st.tuples(text, st.integers(0, 9)), max_size=3),
        "nothing": st.none(),
        "no": st.just(False),
    }
)


def changed_between(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    return {key for key in new if old.get(key) != new[key]}


def run_sequence(template: Template, states: list[dict[str, Any]], all_changed: bool) -> None:
    state = RenderState()
    tree: dict[str, Any] | None = None
    previous: dict[str, Any] = {}
    for assigns in states:
        changed = set(assigns) if all_changed else changed_between(previous, assigns)
        diff = state.render(template, assigns, changed)
        tree = merge_diff(tree, diff)
        _check_complete(tree)
        expected = template.render_html(assigns)
        assert to_html(tree) == expected
        fresh = RenderState().render(template, assigns)
        assert to_html(fresh) == expected
        previous = assigns


@pytest.mark.parametrize("index", range(len(TEMPLATES)))
@settings(max_examples=40, deadline=None)
@given(states=st.lists(assigns_strategy, min_size=1, max_size=6), all_changed=st.booleans())
def test_merged_diffs_render_like_a_full_render(
    index: int, states: list[dict[str, Any]], all_changed: bool
) -> None:
    run_sequence(COMPILED[index], states, all_changed)


@pytest.mark.parametrize("index", range(len(TEMPLATES)))
@settings(max_examples=20, deadline=None)
@given(assigns=assigns_strategy)
def test_render_html_equals_html_of_the_full_tree(index: int, assigns: dict[str, Any]) -> None:
    template = COMPILED[index]
    tree = RenderState().render(template, assigns)
    _check_complete(merge_diff(None, tree))  # template tables resolved
    assert template.render_html(assigns) == to_html(tree)


@pytest.mark.parametrize("index", range(len(TEMPLATES)))
def test_jinja_renders_the_same_html(index: int) -> None:
    """Our HTML is Jinja's own, given our one difference: None/False render empty."""
    assigns = {
        "a": True,
        "b": False,
        "n": 2,
        "s": "<&'\">",
        "m": Markup("<br>"),
        "xs": [
            {"name": "x<", "on": True, "tags": ["t1", "t2"]},
            {"name": "y", "on": False, "tags": []},
        ],
        "rows": [[1, 3], [], [4]],
        "pairs": [("k&", 1), ("j", 2)],
        "nothing": None,
        "no": False,
    }
    jinja = JINJA.from_string(TEMPLATES[index]).render(assigns)
    assert COMPILED[index].render_html(assigns) == jinja
