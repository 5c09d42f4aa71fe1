"""Change tracking: a diff render evaluates only what reads a changed assign."""

from __future__ import annotations

from collections import Counter
from typing import Any

import jinja2

from liveview.template import RenderState, Template
from tests.template_client import ClientView


class Calls:
    """Assign-able functions that count their calls: ``calls.fn("name")``."""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()

    def fn(self, name: str, result: Any = None) -> Any:
        def call(*args: Any) -> Any:
            self.count[name] += 1
            return result if result is not None else f"{name}{args}"

        return call


class Probe:
    """An object counting attribute reads and str() conversions."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.reads = 0
        self.strs = 0

    @property
    def name(self) -> str:
        self.reads += 1
        return self.value

    def __str__(self) -> str:
        self.strs += 1
        return self.value


def render(template: Template, state: RenderState, assigns: dict[str, Any], *changed: str) -> Any:
    return state.render(template, assigns, set(changed))


def test_unchanged_slot_is_not_evaluated() -> None:
    calls = Calls()
    probe = Probe("p")
    template = Template(
        "<p>{{ a }}</p><p>{{ expensive() }}</p><p>{{ probe.name }}</p><i>{{ p2 }}</i>"
    )
    assigns = {"a": 1, "expensive": calls.fn("expensive"), "probe": probe, "p2": Probe("q")}
    state = RenderState()
    state.render(template, assigns)
    assert calls.count["expensive"] == 1
    assert probe.reads == 1
    assert assigns["p2"].strs == 1

    assert render(template, state, {**assigns, "a": 2}, "a") == {"0": "2"}
    assert calls.count["expensive"] == 1
    assert probe.reads == 1
    assert assigns["p2"].strs == 1

    render(template, state, assigns, "probe")
    assert probe.reads == 2
    assert calls.count["expensive"] == 1


def test_empty_changed_set_evaluates_nothing() -> None:
    calls = Calls()
    template = Template(
        "{{ f() }}{% if f() %}{{ f() }}{% endif %}{% for x in [f()] %}{{ f() }}{% endfor %}"
    )
    state = RenderState()
    state.render(template, {"f": calls.fn("f", "x")})
    before = calls.count["f"]
    assert render(template, state, {"f": calls.fn("f", "x")}) == {}
    assert calls.count["f"] == before


def test_every_assign_as_changed_evaluates_everything_and_still_diffs() -> None:
    calls = Calls()
    template = Template("{{ f() }}{{ a }}")
    assigns = {"f": calls.fn("f", "same"), "a": 1}
    state = RenderState()
    state.render(template, assigns)
    assert state.render(template, {**assigns, "a": 2}, assigns.keys()) == {"1": "2"}
    assert calls.count["f"] == 2


def test_set_dependencies_are_followed() -> None:
    calls = Calls()
    template = Template(
        "{% set label = make(title) %}{% set shout = label ~ '!' %}"
        "<h1>{{ shout }}</h1><p>{{ other }}</p>"
    )
    assigns = {"make": calls.fn("make", "T"), "title": "t", "other": "o"}
    state = RenderState()
    state.render(template, assigns)
    assert calls.count["make"] == 1
    assert render(template, state, {**assigns, "other": "O"}, "other") == {"1": "O"}
    assert calls.count["make"] == 1  # the set chain is not evaluated for an unrelated change
    assert render(template, state, {**assigns, "title": "u"}, "title") == {}
    assert calls.count["make"] == 2
    assert render(template, state, {**assigns, "make": calls.fn("make", "V")}, "make") == {
        "0": "V!"
    }


def test_set_is_evaluated_when_a_reader_needs_it_for_another_change() -> None:
    calls = Calls()
    template = Template("{% set t = make() %}{{ t ~ b }}")
    assigns = {"make": calls.fn("make", "T"), "b": "1"}
    state = RenderState()
    state.render(template, assigns)
    assert render(template, state, {**assigns, "b": "2"}, "b") == {"0": "T2"}
    assert calls.count["make"] == 2


def test_loop_body_slots_depend_on_loop_variables_or_on_assigns() -> None:
    calls = Calls()
    template = Template(
        "{% for x in xs %}<li class=\"{{ 'on' if x == sel }}\">{{ fmt(x) }}</li>{% endfor %}"
    )
    assigns = {"xs": [1, 2, 3], "sel": 1, "fmt": calls.fn("fmt")}
    state = RenderState()
    state.render(template, assigns)
    assert calls.count["fmt"] == 3
    diff = render(template, state, {**assigns, "sel": 2}, "sel")
    assert diff == {"0": {"k": {"0": {"0": ""}, "1": {"0": "on"}, "kc": 3}}}
    assert calls.count["fmt"] == 3  # fmt(x) reads only x (from xs) and fmt: skipped
    render(template, state, {**assigns, "xs": [1, 2]}, "xs")
    assert calls.count["fmt"] == 5


def test_loop_filter_is_a_dependency_of_the_loop_variable() -> None:
    template = Template("{% for x in xs if x != skip %}{{ x }}{% endfor %}")
    state = RenderState()
    state.render(template, {"xs": [1, 2, 3], "skip": 1})
    diff = render(template, state, {"xs": [1, 2, 3], "skip": 2}, "skip")
    assert diff == {"0": {"k": {"0": {"0": "1"}, "kc": 2}}}  # [2, 3] -> [1, 3]


def test_if_test_is_not_evaluated_for_unrelated_changes() -> None:
    calls = Calls()
    template = Template("{% if check() %}<b>{{ a }}</b><i>{{ b }}</i>{% endif %}<p>{{ c }}</p>")
    assigns = {"check": calls.fn("check", True), "a": 1, "b": 2, "c": 3}
    state = RenderState()
    state.render(template, assigns)
    render(template, state, {**assigns, "c": 4}, "c")
    assert calls.count["check"] == 1
    probe = Probe("x")
    assert render(template, state, {**assigns, "b": probe}, "b") == {"0": {"1": "x"}}
    assert calls.count["check"] == 2
    assert probe.strs == 1


def test_same_branch_evaluates_only_changed_slots_inside() -> None:
    calls = Calls()
    template = Template("{% if on %}<b>{{ f() }}</b><i>{{ b }}</i>{% endif %}")
    assigns = {"on": True, "f": calls.fn("f", "F"), "b": 1}
    state = RenderState()
    state.render(template, assigns)
    assert render(template, state, {**assigns, "b": 2}, "b") == {"0": {"1": "2"}}
    assert calls.count["f"] == 1


def test_sets_inside_if_branches_are_tracked_after_the_if() -> None:
    calls = Calls()
    template = Template(
        "{% if a %}{% set c = make() %}{% else %}{% set c = 'none' %}{% endif %}"
        '<p class="{{ c }}">{{ b }}</p>'
    )
    assigns = {"a": True, "make": calls.fn("make", "made"), "b": 1}
    state = RenderState()
    assert state.render(template, assigns) == {
        "s": ['<p class="', '">', "</p>"],
        "0": "made",
        "1": "1",
    }
    assert render(template, state, {**assigns, "b": 2}, "b") == {"1": "2"}
    assert calls.count["make"] == 1
    assert render(template, state, {**assigns, "a": False}, "a") == {"0": "none"}
    assert render(template, state, {**assigns, "make": calls.fn("make", "again")}, "make") == {
        "0": "again"
    }


def test_set_inside_loop_body_is_tracked_per_entry() -> None:
    calls = Calls()
    template = Template(
        "{% for x in xs %}{% set y = double(x) %}<i>{{ y }}</i><b>{{ sel }}</b>{% endfor %}"
    )
    assigns = {"xs": [1, 2], "double": calls.fn("double", "d"), "sel": "s"}
    state = RenderState()
    state.render(template, assigns)
    assert calls.count["double"] == 2
    assert render(template, state, {**assigns, "sel": "t"}, "sel") == {
        "0": {"k": {"0": {"1": "t"}, "1": {"1": "t"}, "kc": 2}}
    }
    assert calls.count["double"] == 2


def test_full_render_evaluates_each_slot_exactly_once() -> None:
    calls = Calls()
    template = Template(
        "{% set v = f() %}{{ v }}{{ g() }}{% for x in [1, 2] %}{{ h() }}{% endfor %}"
    )
    RenderState().render(
        template, {"f": calls.fn("f", "1"), "g": calls.fn("g"), "h": calls.fn("h")}
    )
    assert calls.count == Counter({"f": 1, "g": 1, "h": 2})
    calls.count.clear()
    Template.render_html(
        template, {"f": calls.fn("f", "1"), "g": calls.fn("g"), "h": calls.fn("h")}
    )
    assert calls.count == Counter({"f": 1, "g": 1, "h": 2})


def test_opaque_statements_are_always_re_evaluated() -> None:
    calls = Calls()
    env = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader({"p.html": "{{ f() }}"}))
    template = Template("{% include 'p.html' ignore missing %}{{ a }}", environment=env)
    assigns = {"f": calls.fn("f", "1"), "a": 1}
    state = RenderState()
    state.render(template, assigns)
    assert render(template, state, {**assigns, "a": 2}, "a") == {"1": "2"}
    assert calls.count["f"] == 2
    assert render(template, state, {**assigns, "f": calls.fn("f", "2")}) == {"0": "2"}


def test_set_before_an_include_is_evaluated_for_it() -> None:
    env = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader({"p.html": "[{{ t }}]"}))
    template = Template("{% set t = title|upper %}{% include 'p.html' %}", environment=env)
    state = RenderState()
    state.render(template, {"title": "a"})
    assert render(template, state, {"title": "b"}, "title") == {"0": {"0": "B"}}
    opaque = Template(
        "{% set t = title|upper %}{% include 'p.html' ignore missing %}", environment=env
    )
    state = RenderState()
    state.render(opaque, {"title": "a"})
    assert render(opaque, state, {"title": "b"}) == {"0": "[B]"}


def test_macro_calls_are_re_evaluated_with_current_values() -> None:
    template = Template("{% macro m() %}<b>{{ x }}</b>{% endmacro %}{{ m() }}{{ m()|upper }}")
    state = RenderState()
    state.render(template, {"x": 1})
    # compiled in place: the slot inside; a call Jinja renders: always, the whole string
    assert render(template, state, {"x": 2}, "x") == {"0": {"0": "2"}, "1": "<B>2</B>"}
    assert render(template, state, {"x": 3}) == {"1": "<B>3</B>"}


def test_namespace_readers_see_updates_made_in_loops() -> None:
    template = Template(
        "{% set ns = namespace(n=0) %}{% for x in xs %}{% set ns.n = ns.n + x %}{% endfor %}"
        "<p>{{ ns.n }}</p><i>{{ other }}</i>"
    )
    state = RenderState()
    state.render(template, {"xs": [1, 2], "other": 1})
    # The loop is a slot too (its entries are empty: the body only sets).
    assert render(template, state, {"xs": [1, 2, 3], "other": 1}, "xs") == {
        "0": {"k": {"2": {}, "kc": 3}},
        "1": "6",
    }
    assert render(template, state, {"xs": [1, 2, 3], "other": 2}, "other") == {"2": "2"}


# -- stateful helpers: Jinja semantics win over change tracking --------------------------------


def test_joiner_in_a_growing_loop_is_called_as_in_a_full_render() -> None:
    view = ClientView(
        '{% set j = joiner(", ") %}{% for w in ws %}{{ j() }}{{ w }}{% endfor %}', ws=["a"]
    )
    assert view.set(ws=["a", "b"]) == {"0": {"k": {"1": {"0": ", ", "1": "b"}, "kc": 2}}}
    assert view.set(ws=["b"]) == {"0": {"k": {"0": {"1": "b"}, "kc": 1}}}


def test_cycler_calls_before_a_changed_slot_are_made_again() -> None:
    view = ClientView(
        '{% set c = cycler("o", "e") %}{{ c.next() }}{{ c.next() ~ a }}{{ b }}', a="x", b=1
    )
    assert view.set(a="y") == {"1": "ey"}  # only what differs is sent
    assert view.set(b=2) == {"2": "2"}


def test_loop_changed_sees_every_earlier_call() -> None:
    view = ClientView(
        "{% for x in xs %}{% if loop.changed(x.g) %}<h>{{ x.g }}</h>{% endif %}{{ x.n }}"
        "{% if loop.changed(a) %}*{% endif %}{% endfor %}",
        xs=[{"g": 1, "n": 1}, {"g": 1, "n": 2}],
        a=1,
    )
    assert view.template.render_html(view.assigns) == "<h>1</h>12"
    view.set(a=2)  # only the second if reads `a`, but the first one's calls count
    assert view.template.render_html(view.assigns) == "<h>1</h>1*<h>1</h>2*"
    view.set(xs=[{"g": 0, "n": 0}, {"g": 1, "n": 1}, {"g": 1, "n": 2}])
    view.set(xs=[{"g": 1, "n": 1}, {"g": 1, "n": 2}])


def test_loop_changed_two_calls_per_entry_and_an_unrelated_change() -> None:
    view = ClientView(
        "{% for x in xs %}{{ loop.changed(n) }}|{{ loop.changed(n) ~ a }};{% endfor %}",
        xs=[1, 2],
        n=1,
        a="a",
    )
    view.set(a="b")
    assert view.template.render_html(view.assigns) == "True|Falseb;|Falseb;"


def test_loop_changed_through_an_alias_in_an_inner_loop() -> None:
    view = ClientView(
        "{% for x in xs %}{% set outer = loop %}{% for y in x %}"
        "{{ outer.changed(y) }}{{ outer.changed(y) ~ a }}{% endfor %}{% endfor %}",
        xs=[[1], [1, 2]],
        a="",
    )
    view.set(a="-")
    view.set(xs=[[2], [1, 2]])


def test_a_set_calling_a_stateful_object_counts_even_when_its_name_is_unread() -> None:
    view = ClientView(
        '{% set c = cycler("a", "b", "c") %}{% set unused = c.next() %}{{ c.next() }}{{ n }}'
        "{% if f %}{% set unused2 = c.next() %}{% endif %}{{ c.current }}",
        n=1,
        f=False,
    )
    assert view.set(f=True) == {"2": "a"}
    assert view.set(n=2) == {"1": "2"}


def test_in_place_mutation_of_a_template_list() -> None:
    view = ClientView(
        "{% set seen = [] %}{% for x in xs %}{% set _ = seen.append(x) %}{% endfor %}"
        "{{ seen|join(',') }}|{{ n }}",
        xs=[1],
        n=0,
    )
    assert view.set(xs=[1, 2]) == {"0": {"k": {"1": {}, "kc": 2}}, "1": "1,2"}
    view.set(n=1)


def test_namespace_created_in_the_template_and_read_in_a_loop() -> None:
    view = ClientView(
        "{% set ns = namespace(c=0) %}{% for x in xs %}{% set ns.c = ns.c + 1 %}"
        "{{ ns.c }}{{ x }}{% endfor %}{{ a }}",
        xs=["p", "q"],
        a="",
    )
    view.set(a="!")
    view.set(xs=["q"])


def test_steps_that_cannot_reach_a_stateful_object_are_still_skipped() -> None:
    calls = Calls()
    template = Template(
        '{% set j = joiner("|") %}{% for x in xs %}{{ j() }}{{ x }}{{ expensive() }}{% endfor %}'
        "{{ other() }}{{ a }}"
    )
    assigns = {"xs": [1, 2], "expensive": calls.fn("expensive"), "other": calls.fn("o"), "a": 1}
    state = RenderState()
    state.render(template, assigns)
    assert calls.count == Counter({"expensive": 2, "o": 1})
    assert render(template, state, {**assigns, "a": 2}, "a") == {"2": "2"}
    assert calls.count == Counter({"expensive": 2, "o": 1})


def test_templates_without_stateful_helpers_keep_their_dependencies() -> None:
    # `changed` elsewhere than in a loop body, and non-mutating methods, change nothing.
    template = Template(
        "{{ item.changed }}{% for x in xs %}{{ x.name.upper() }}{{ loop.index }}{% endfor %}"
    )
    steps = template.root.steps
    assert [step.deps for step in steps] == [frozenset({"item"}), frozenset({"xs"})]
    assert steps[1].facts.children[0].steps[1].deps == frozenset({"xs"})
