"""Function components: macros and ``{% include %}`` compiled into nested nodes.

A call ``{{ card(x) }}`` of a macro the compiler can see, and an ``{% include "row.html" %}`` of a
template its loader finds, become nodes with their own statics and slots, change-tracked like
the rest of the template: a changed row sends only its changed slot. Everything renders
exactly as Jinja does (with this engine's one rule: ``None`` and ``False`` print nothing).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import jinja2
import pytest
from markupsafe import Markup

from liveview.template import RenderState, Template
from liveview.testing.tree import to_html
from tests.template_client import ClientView

CARD = '{% macro card(title, n=0) %}<div class="card">{{ title }} {{ n }}</div>{% endmacro %}'


def environment(**templates: str) -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, loader=jinja2.DictLoader(templates))


PARTS = environment(
    **{
        "row.html": "<li>{{ x }}|{{ t }}</li>",
        "macros.html": CARD + "{% macro pair(a, b) %}<i>{{ a }}</i>{{ card(b) }}{% endmacro %}",
        "outer.html": "<p>{% include 'row.html' %}</p>",
        "sets.html": "{% set t = 'in' %}[{{ t }}]",
        "loop.html": "[{{ loop }}]",
        "globals.html": "{% macro g() %}{{ t }}|{{ range(2)|list }}{% endmacro %}",
        "self.html": "{% include 'self.html' %}",
        "broken.html": "{% if %}",
    }
)


def jinja_render(source: str, env: jinja2.Environment, assigns: dict[str, Any]) -> str:
    """Jinja's own render, with this engine's rule for ``None`` and ``False``."""
    reference = env.overlay(finalize=lambda value: "" if value is None or value is False else value)
    return reference.from_string(source).render(assigns)


def renders_like_jinja(source: str, env: jinja2.Environment = PARTS, **assigns: Any) -> str:
    """The dead render and the join tree's HTML both equal Jinja's render; returns it."""
    template = Template(source, environment=env)
    expected = jinja_render(source, env, assigns)
    assert template.render_html(assigns) == expected
    assert to_html(RenderState().render(template, assigns)) == expected
    return expected


class Calls:
    def __init__(self) -> None:
        self.count: Counter[str] = Counter()

    def fn(self, name: str) -> Any:
        def call(*args: Any) -> str:
            self.count[name] += 1
            return f"{name}{args}"

        return call


# -- macros ------------------------------------------------------------------------------------


def test_a_macro_call_is_a_nested_node_and_a_changed_row_sends_only_its_slot() -> None:
    source = (
        CARD
        + "<ul>{% for item in items %}<li>{{ card(item.title, n=item.n) }}</li>{% endfor %}</ul>"
    )
    items = [{"title": "a", "n": 1}, {"title": "b", "n": 2}]
    view = ClientView(source, items=items)
    assert view.first["0"]["p"] == {"0": ['<div class="card">', " ", "</div>"]}
    assert view.first["0"]["k"]["0"] == {"0": {"s": 0, "0": "a", "1": "1"}}
    changed = [items[0], {"title": "new", "n": 2}]
    assert view.set(items=changed) == {"0": {"k": {"1": {"0": {"0": "new"}}, "kc": 2}}}


def test_a_macro_call_outside_a_loop() -> None:
    view = ClientView(CARD + "<h1>{{ card(title) }}</h1>{{ other }}", title="<t>", other=1)
    assert view.first["0"] == {
        "s": ['<div class="card">', " ", "</div>"],
        "0": "&lt;t&gt;",
        "1": "0",
    }
    assert view.set(title="u") == {"0": {"0": "u"}}
    assert view.set(other=2) == {"1": "2"}


def test_a_macro_is_evaluated_only_when_its_arguments_or_reads_change() -> None:
    calls = Calls()
    template = Template("{% macro m(v) %}<b>{{ v }}{{ t }}</b>{% endmacro %}{{ m(f(a)) }}{{ b }}")
    assigns = {"f": calls.fn("f"), "a": 1, "b": 1, "t": "x"}
    state = RenderState()
    state.render(template, assigns)
    assert state.render(template, {**assigns, "b": 2}, {"b"}) == {"1": "2"}
    assert calls.count["f"] == 1
    assert state.render(template, {**assigns, "t": "y"}, {"t"}) == {"0": {"1": "y"}}
    assert calls.count["f"] == 2  # the body reads the assign t: the call is made again
    assert state.render(template, {**assigns, "t": "y", "a": 2}, {"a"}) == {"0": {"0": "f(2,)"}}


def test_a_macro_sees_the_templates_variables_not_the_callers_locals() -> None:
    reads_t, reads_x = (
        "{% macro m() %}[{{ t }}]{% endmacro %}",
        "{% macro m() %}[{{ x }}]{% endmacro %}",
    )
    cases = [
        reads_x + "{% for x in xs %}{{ m() }}{% endfor %}",
        reads_t + "{% for x in xs %}{% set t = x %}{{ m() }}{% endfor %}",
        reads_t + "{{ m() }}{% set t = 1 %}{{ m() }}",
        "{% set t = 1 %}" + reads_t + "{% for i in xs %}{{ m() }}{% endfor %}",
        reads_t + "{% if xs %}{% set t = 5 %}{{ m() }}{% endif %}",
        "{% macro m() %}[{{ loop }}]{% endmacro %}"
        "{% for x in xs %}{{ loop.index }}{{ m() }}{% endfor %}",
        "{% macro m() %}[{{ t }}]{% set t = 5 %}[{{ t }}]{% endmacro %}{{ m() }}",
        "{% macro m(a) %}{% if a %}{% set t = 5 %}{% endif %}[{{ t }}]{% endmacro %}"
        "{{ m(0) }}{{ m(1) }}",
        reads_x + "{% with x = 3 %}{{ m() }}{% endwith %}",
    ]
    for source in cases:
        renders_like_jinja(source, x=0, t=0, xs=[1, 2])


@pytest.mark.parametrize(
    "source",
    [
        # the top level reads t before setting it: Jinja starts it from the assign
        "{% macro m() %}[{{ t }}]{% endmacro %}{{ m() }}{% set t = t ~ 1 %}{{ m() }}",
        # it never does: undefined until set
        "{% macro m() %}[{{ t }}]{% endmacro %}{{ m() }}{% set t = 1 %}{{ m() }}",
        # set in a branch (taken or not): from the assign until set
        "{% macro m() %}[{{ t }}]{% endmacro %}{{ m() }}{% if f %}{% set t = 5 %}{% endif %}"
        "{{ m() }}",
        "{% macro m() %}[{{ t }}]{% endmacro %}{% if f %}{% set t = 5 %}{% else %}"
        "{% set t = 6 %}{% endif %}{{ m() }}",
    ],
)
@pytest.mark.parametrize("f", [True, False])
def test_a_top_level_name_a_macro_reads_before_it_is_set_is_jinjas(source: str, f: bool) -> None:
    renders_like_jinja(source, t="<t>", f=f)
    view = ClientView(source, t="a", f=f)
    view.set(t="b")  # checked against a full render


def test_a_macro_reading_a_set_made_before_it_is_called_follows_it_in_diffs() -> None:
    source = (
        "{% macro m() %}<b>{{ label }}</b>{% endmacro %}{% set label = title|upper %}"
        "{% for x in xs %}{{ m() }}{% endfor %}"
    )
    view = ClientView(source, title="a", xs=[1, 2])
    assert view.set(title="b") == {
        "0": {"k": {"0": {"0": {"0": "B"}}, "1": {"0": {"0": "B"}}, "kc": 2}}
    }


@pytest.mark.parametrize(
    "call",
    [
        "m(1)",
        "m(1, 2)",
        "m(b=3, a=4)",
        "m(1, c=5)",
        "m()",
        "m(1, 2, 3, 4)",
        "m(1, k=9)",
        "m(a=1, a2=2)",
    ],
)
def test_arguments_defaults_varargs_and_kwargs_bind_as_in_jinja(call: str) -> None:
    source = (
        "{% macro m(a, b=a ~ '!', c=t) %}<i>{{ a }}|{{ b }}|{{ c }}|{{ varargs }}|{{ kwargs }}</i>"
        "{% endmacro %}{{ " + call + " }}"
    )
    renders_like_jinja(source, t="<t>")


@pytest.mark.parametrize("call", ["n(1)", "n(1, 2)", "n(b=3, a=4)", "n(1, c=5)", "n()", "n(c=1)"])
def test_arguments_bound_at_compile_time_bind_as_in_jinja(call: str) -> None:
    source = (
        "{% macro n(a, b=a ~ '!', c=t) %}<i>{{ a }}|{{ b }}|{{ c }}</i>{% endmacro %}"
        "{% for t in [1, 2] %}{{ " + call + " }}{% endfor %}"
    )
    renders_like_jinja(source, t="<t>")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}", "takes not more than 1"),
        ("{% macro m(a) %}{{ a }}{% endmacro %}{{ m(z=1) }}", "no keyword argument 'z'"),
        ("{% macro m(a, b) %}{{ a }}{% endmacro %}{{ m(1, a=2) }}", "no keyword argument 'a'"),
    ],
)
def test_bad_calls_raise_what_jinja_raises(source: str, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        jinja_render(source, PARTS, {})
    with pytest.raises(TypeError, match=message):
        Template(source).render_html({})
    with pytest.raises(TypeError, match=message):
        RenderState().render(Template(source), {})


def test_parameters_named_like_the_special_names_are_parameters() -> None:
    source = "{% macro m(varargs, kwargs=2) %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(a) }}"
    view = ClientView(source, a=1)
    assert view.set(a=3) == {"0": {"0": "3"}}


def test_macros_calling_each_other_many_times_over_compile_in_bounded_size() -> None:
    levels = "".join(
        f"{{% macro m{i}(v) %}}{{{{ m{i - 1}(v) }}}}{{{{ m{i - 1}(v) }}}}{{% endmacro %}}"
        for i in range(1, 16)
    )
    source = "{% macro m0(v) %}<i>{{ v }}</i>{% endmacro %}" + levels + "{{ m15(a) }}"
    assert renders_like_jinja(source, a="x") == "<i>x</i>" * 2**15


def test_a_missing_argument_is_undefined_as_in_jinja() -> None:
    source = "{% macro m(a) %}[{{ a }}]{% endmacro %}{{ m() }}"
    assert renders_like_jinja(source) == "[]"
    strict = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError, match="parameter 'a' was not provided"):
        Template(source, environment=strict).render_html({})


def test_escaping_and_markup_are_jinjas() -> None:
    source = (
        "{% macro m(v) %}<b title='{{ v }}'>{{ v }}</b>{% endmacro %}"
        "{{ m(s) }}{{ m(safe) }}{{ m(s)|upper }}{{ m(s) ~ s }}{{ m(m(s)) }}"
    )
    renders_like_jinja(source, s="<'&\">", safe=Markup("<br>"))


def test_macros_calling_macros_and_themselves() -> None:
    source = (
        "{% macro leaf(v) %}<i>{{ v }}</i>{% endmacro %}"
        "{% macro tree(node) %}{{ leaf(node.name) }}{% if node.kids %}<ul>"
        "{% for kid in node.kids %}<li>{{ tree(kid) }}</li>{% endfor %}</ul>{% endif %}"
        "{% endmacro %}{{ tree(root) }}"
    )
    root = {
        "name": "r",
        "kids": [{"name": "a", "kids": []}, {"name": "<b>", "kids": [{"name": "c"}]}],
    }
    renders_like_jinja(source, root=root)
    view = ClientView(source, root=root)
    assert view.first["0"]["0"] == {"s": ["<i>", "</i>"], "0": "r"}  # leaf: a node too


def test_a_macro_called_before_its_definition_fails_as_in_jinja() -> None:
    source = "{{ m() }}{% macro m() %}x{% endmacro %}"
    with pytest.raises(jinja2.UndefinedError):
        jinja_render(source, PARTS, {})
    with pytest.raises(jinja2.UndefinedError):
        Template(source).render_html({})


@pytest.mark.parametrize(
    "define",
    [
        "{% macro add(items, v) %}{% set _ = items.append(v) %}{% endmacro %}",
        "{% macro put(items, v) %}{% set _ = items.append(v) %}{% endmacro %}"
        "{% macro add(items, v) %}{{ put(items, v) }}{% endmacro %}",
        "{% from 'changes.html' import add %}",
    ],
)
@pytest.mark.parametrize("call", ["{{ add(seen, x) }}", "{{ add(seen, x)|trim }}"])
def test_a_list_a_macro_appends_to_is_stateful_in_the_caller(define: str, call: str) -> None:
    env = environment(
        **{"changes.html": "{% macro add(items, v) %}{% set _ = items.append(v) %}{% endmacro %}"}
    )
    source = (
        define + "{% set seen = [] %}{% for x in xs %}" + call + "{% endfor %}[{{ seen|join }}]"
    )
    view = ClientView(source, environment=env, xs=[1])
    view.set(xs=[1, 2])  # the client's HTML is checked against a full render
    assert view.template.render_html(view.assigns) == "[12]"


def test_a_url_in_a_compiled_macro_is_checked() -> None:
    source = "{% macro link(u) %}<a href='{{ u }}'>go</a>{% endmacro %}{{ link(url) }}"
    template = Template(source)
    html = template.render_html({"url": "javascript:alert(1)"})
    assert html == "<a href='#'>go</a>"
    assert to_html(RenderState().render(template, {"url": "javascript:alert(1)"})) == html


def test_shapes_kept_opaque_still_render_like_jinja() -> None:
    cases = [
        "{% macro box() %}<div>{{ caller() }}</div>{% endmacro %}"
        "{% call box() %}{{ s }}{% endcall %}",
        "{% macro m(v) %}{% include 'row.html' %}{% endmacro %}"
        "{% for x in xs %}{{ m(x) }}{% endfor %}",
        "{% set m = 1 %}{% macro m() %}x{% endmacro %}{{ m() }}",
        "{% macro m(v) %}{{ v }}{% endmacro %}{% set args = [s] %}{{ m(*args) }}",
        "{% if xs %}{% macro m() %}y{% endmacro %}{% endif %}{{ m() }}",
    ]
    for source in cases:
        renders_like_jinja(source, s="<s>", xs=[1, 2], t="t")


# -- imports -----------------------------------------------------------------------------------


def test_imported_macros_are_nodes() -> None:
    source = (
        "{% from 'macros.html' import card, pair as p %}{% import 'macros.html' as ms %}"
        "{% for x in xs %}{{ card(x) }}{{ p(x, t) }}{{ ms.card(t, n=x) }}{% endfor %}"
    )
    assert renders_like_jinja(source, xs=[1, "<2>"], t="t")
    template = Template(source, environment=PARTS)
    tree = RenderState().render(template, {"xs": [1], "t": "t"})
    entry = tree["0"]["k"]["0"]
    assert entry["0"] == {"s": ['<div class="card">', " ", "</div>"], "0": "1", "1": "0"}
    assert entry["2"]["0"] == "t"


def test_imported_macros_see_only_globals() -> None:
    renders_like_jinja("{% from 'globals.html' import g %}{{ g() }}", t="assign")
    renders_like_jinja(
        "{% import 'globals.html' as m %}{% for t in [1] %}{{ m.g() }}{% endfor %}", t=2
    )


# -- includes ----------------------------------------------------------------------------------


def test_an_include_in_a_loop_is_its_own_node_and_sees_the_loop_variables() -> None:
    source = (
        "{% set t = title|upper %}<ul>{% for x in xs %}{% include 'row.html' %}{% endfor %}</ul>"
    )
    renders_like_jinja(source, title="a", xs=[1, "<2>"])
    view = ClientView(source, environment=PARTS, title="a", xs=[1, 2])
    assert view.first["0"]["p"] == {"0": ["<li>", "|", "</li>"]}
    assert view.first["0"]["k"]["0"] == {"0": {"s": 0, "0": "1", "1": "A"}}
    assert view.set(xs=[1, 3]) == {"0": {"k": {"1": {"0": {"0": "3"}}, "kc": 2}}}
    assert view.set(title="b")["0"]["k"]["0"] == {"0": {"1": "B"}}


def test_an_include_at_the_top_and_nested_includes() -> None:
    view = ClientView(
        "<h1>{{ h }}</h1>{% include 'outer.html' %}", environment=PARTS, h=1, x=2, t=3
    )
    assert view.first["1"] == {
        "s": ["<p>", "</p>"],
        "0": {"s": ["<li>", "|", "</li>"], "0": "2", "1": "3"},
    }
    assert view.set(t=4) == {"1": {"0": {"1": "4"}}}


def test_include_scoping_is_jinjas() -> None:
    cases = [
        "{% for x in xs %}{% include 'row.html' %}{% set t = x * 2 %}{% endfor %}",
        "{% for x in xs %}{% set t = x * 2 %}{% include 'row.html' %}{% endfor %}",
        "{% set t = 5 %}{% include 'sets.html' %}{{ t }}",
        "{% for x in xs %}{{ loop.index }}{% include 'loop.html' %}{% endfor %}",
        "{% with t = 8 %}{% include 'row.html' %}{% endwith %}",
        "{% include 'row.html' ignore missing %}{% include 'nope.html' ignore missing %}",
        "{% include name %}",
        "{% include ['nope.html', 'row.html'] %}",
    ]
    for source in cases:
        renders_like_jinja(source, xs=[1, 2], x=0, t=0, name="row.html")


def test_a_template_including_itself_compiles_and_recurses_as_jinja_does() -> None:
    template = Template("{% if f %}{% include 'self.html' %}{% endif %}", environment=PARTS)
    assert template.render_html({"f": False}) == ""
    with pytest.raises(RecursionError):
        template.render_html({"f": True})


@pytest.mark.parametrize(
    ("name", "error"),
    [("nope.html", jinja2.TemplateNotFound), ("broken.html", jinja2.TemplateSyntaxError)],
)
def test_an_include_jinja_cannot_load_fails_when_rendered_as_in_jinja(
    name: str, error: type[Exception]
) -> None:
    source = "{% if f %}{% include '" + name + "' %}{% endif %}"
    template = Template(source, environment=PARTS)  # compiles: the include stays Jinja's
    assert template.render_html({"f": False}) == ""
    with pytest.raises(error):
        jinja_render(source, PARTS, {"f": True})
    with pytest.raises(error):
        template.render_html({"f": True})


def test_a_template_reading_names_through_an_include_shares_renders_only_when_they_match() -> None:
    template = Template("{% for x in xs %}{% include 'row.html' %}{% endfor %}", environment=PARTS)
    xs = [1]
    first = RenderState().render_shared(template, {"xs": xs, "t": 1})
    assert RenderState().render_shared(template, {"xs": xs, "t": 1}) is first
    other = RenderState().render_shared(template, {"xs": xs, "t": 2})
    assert other is not first
    assert to_html(other.diff) == "<li>1|2</li>"
