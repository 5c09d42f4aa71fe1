"""Compiler: Jinja source -> statics + slots, and the full trees it renders."""

from __future__ import annotations

import jinja2
import pytest
from markupsafe import Markup

from liveview.template import RenderState, Template, TemplateSyntaxError
from liveview.template.slots import ForSlot
from liveview.testing.tree import to_html


def full(source: str, **assigns: object) -> dict[str, object]:
    return RenderState().render(Template(source), assigns)


# -- statics and slots -------------------------------------------------------------------------


def test_static_only_template_is_one_static() -> None:
    assert full("<p>hello</p>") == {"s": ["<p>hello</p>"]}


def test_each_expression_is_one_slot_between_statics() -> None:
    tree = full('<a href="{{ url }}">{{ label }}</a>{{ n }}', url="/x", label="X", n=3)
    assert tree == {"s": ['<a href="', '">', "</a>", ""], "0": "/x", "1": "X", "2": "3"}


def test_adjacent_expressions_get_empty_statics_between() -> None:
    assert full("{{ a }}{{ b }}", a="1", b="2") == {"s": ["", "", ""], "0": "1", "1": "2"}


def test_constant_expressions_are_folded_into_statics() -> None:
    assert full('<p>{{ "a<b" }}{{ 1 + 2 }}{{ x }}</p>', x="y") == {
        "s": ["<p>a&lt;b3", "</p>"],
        "0": "y",
    }


def test_statics_list_is_shared_between_renders() -> None:
    template = Template("<p>{{ a }}</p>{% for x in xs %}<i>{{ x }}</i>{% endfor %}")
    first = RenderState().render(template, {"a": 1, "xs": [1]})
    second = RenderState().render(template, {"a": 2, "xs": [2]})
    assert first["s"] is second["s"]
    assert first["1"]["s"] is second["1"]["s"]  # type: ignore[index]


def test_numbers_render_as_strings_never_json_numbers() -> None:
    tree = full("{{ i }}{{ f }}{{ b }}", i=5, f=1.5, b=True)
    assert tree == {"s": ["", "", "", ""], "0": "5", "1": "1.5", "2": "True"}


def test_none_false_and_undefined_render_empty() -> None:
    tree = full(
        "[{{ n }}][{{ f }}][{{ missing }}][{{ d.nokey }}][{{ z }}]", n=None, f=False, d={}, z=0
    )
    assert [tree[str(i)] for i in range(5)] == ["", "", "", "", "0"]


def test_constant_none_and_false_fold_to_empty() -> None:
    assert full("<p>{{ none }}{{ false }}{{ true }}{{ 0 }}</p>") == {"s": ["<p>True0</p>"]}


def test_raw_and_comments() -> None:
    tree = full("{# hidden #}<p>{% raw %}{{ not a slot }}{% endraw %}{{ a }}</p>", a="x")
    assert tree == {"s": ["<p>{{ not a slot }}", "</p>"], "0": "x"}


def test_whitespace_control_is_applied_to_statics() -> None:
    assert full("<p>\n  {{- a -}}\n</p>", a="x") == {"s": ["<p>", "</p>"], "0": "x"}


# -- escaping ----------------------------------------------------------------------------------


def test_text_is_escaped() -> None:
    tree = full("<p>{{ t }}</p>", t="<script>alert('x') & \"y\"</script>")
    assert tree["0"] == "&lt;script&gt;alert(&#39;x&#39;) &amp; &#34;y&#34;&lt;/script&gt;"


def test_attribute_values_are_escaped_for_both_quote_kinds() -> None:
    html = Template("<a title=\"{{ t }}\" data-x='{{ t }}'>").render_html({"t": "a\"b'c"})
    assert html == "<a title=\"a&#34;b&#39;c\" data-x='a&#34;b&#39;c'>"


def test_markup_and_safe_pass_through() -> None:
    tree = full("{{ m }}{{ s|safe }}{{ s }}{{ s|e }}", m=Markup("<b>x</b>"), s="<i>")
    assert [tree[str(i)] for i in range(4)] == ["<b>x</b>", "<i>", "&lt;i&gt;", "&lt;i&gt;"]


def test_objects_with_html_method_pass_through() -> None:
    class Widget:
        def __html__(self) -> str:
            return "<w/>"

    assert full("{{ w }}", w=Widget())["0"] == "<w/>"


def test_concatenation_escapes_plain_parts_keeps_markup() -> None:
    tree = full("{{ a ~ m ~ a }}|{{ a ~ a }}", a="<", m=Markup("<br>"))
    assert tree["0"] == "&lt;<br>&lt;"
    assert tree["1"] == "&lt;&lt;"


def test_escape_matches_markupsafe_on_tricky_strings() -> None:
    from markupsafe import escape

    for text in ["", "plain", "&amp;", "<>\"'&", "ünïcødé <", "a\x00b"]:
        assert full("{{ t }}", t=text)["0"] == str(escape(text))


# -- if / elif / else --------------------------------------------------------------------------


IF_SOURCE = "<div>{% if a %}A{{ x }}{% elif b %}B{% else %}C{{ y }}!{% endif %}</div>"


@pytest.mark.parametrize(
    ("assigns", "slot"),
    [
        ({"a": True, "x": "1"}, {"s": ["A", ""], "0": "1"}),
        ({"a": False, "b": True}, {"s": ["B"]}),
        ({"a": False, "b": False, "y": "2"}, {"s": ["C", "!"], "0": "2"}),
    ],
)
def test_if_chain_is_one_slot_holding_the_chosen_branch(
    assigns: dict[str, object], slot: dict[str, object]
) -> None:
    assert full(IF_SOURCE, **assigns) == {"s": ["<div>", "</div>"], "0": slot}


def test_if_without_matching_branch_is_empty_string() -> None:
    assert full("<p>{% if a %}x{% endif %}</p>", a=0) == {"s": ["<p>", "</p>"], "0": ""}


def test_if_test_uses_jinja_truthiness() -> None:
    template = Template("{% if v %}y{% else %}n{% endif %}")
    for value, expected in [([], "n"), ([0], "y"), ("", "n"), (None, "n"), (0, "n"), (2, "y")]:
        assert template.render_html({"v": value}) == expected
    assert template.render_html({}) == "n"  # undefined is falsy


# -- for ---------------------------------------------------------------------------------------


def test_for_is_a_comprehension_in_the_1_2_format() -> None:
    tree = full("<ul>{% for x in xs %}<li>{{ x }}</li>{% endfor %}</ul>", xs=["a", "<b>"])
    assert tree == {
        "s": ["<ul>", "</ul>"],
        "0": {"s": ["<li>", "</li>"], "k": {"0": {"0": "a"}, "1": {"0": "&lt;b&gt;"}, "kc": 2}},
    }


def test_empty_for_renders_empty_string_or_else_branch() -> None:
    assert full("{% for x in xs %}{{ x }}{% endfor %}", xs=[])["0"] == ""
    tree = full("{% for x in xs %}{{ x }}{% else %}none {{ n }}{% endfor %}", xs=[], n="!")
    assert tree["0"] == {"s": ["none ", ""], "0": "!"}


def test_for_with_loop_variable() -> None:
    source = (
        "{% for x in xs %}{{ loop.index }}/{{ loop.length }}{{ x }}"
        "{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}"
        "{{ loop.cycle('o', 'e') }} {% endfor %}"
    )
    assert Template(source).render_html({"xs": "abc"}) == "1/3aFo 2/3be 3/3cLo "


def test_for_with_tuple_targets() -> None:
    source = "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}"
    assert Template(source).render_html({"d": {"a": 1, "b": 2}}) == "a=1;b=2;"
    nested = "{% for (a, b), c in rows %}{{ a }}{{ b }}{{ c }},{% endfor %}"
    assert Template(nested).render_html({"rows": [((1, 2), 3), ((4, 5), 6)]}) == "123,456,"


def test_for_with_if_filter_counts_only_kept_items() -> None:
    source = "{% for x in xs if x % 2 %}{{ loop.index }}:{{ x }}/{{ loop.length }} {% endfor %}"
    assert Template(source).render_html({"xs": range(6)}) == "1:1/3 2:3/3 3:5/3 "


def test_for_filter_removing_everything_uses_else() -> None:
    source = "{% for x in xs if x > 9 %}{{ x }}{% else %}empty{% endfor %}"
    assert full(source, xs=[1, 2])["0"] == {"s": ["empty"]}


def test_for_over_undefined_and_generators() -> None:
    assert Template("{% for x in nope %}{{ x }}{% endfor %}").render_html({}) == ""
    source = "{% for x in gen %}{{ x }}{% endfor %}"
    assert Template(source).render_html({"gen": (i * i for i in range(4))}) == "0149"


def test_nested_loops_nest_comprehensions_in_entries() -> None:
    source = (
        "{% for row in rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}"
    )
    tree = full(source, rows=[[1, 2], [3]])
    assert tree == {
        "s": ["", ""],
        "0": {
            "s": ["<tr>", "</tr>"],
            "p": {"0": ["<td>", "</td>"]},  # the inner loop's statics, sent once
            "k": {
                "0": {"0": {"s": 0, "k": {"0": {"0": "1"}, "1": {"0": "2"}, "kc": 2}}},
                "1": {"0": {"s": 0, "k": {"0": {"0": "3"}, "kc": 1}}},
                "kc": 2,
            },
        },
    }


def test_inner_loop_shadows_and_restores_outer_variables() -> None:
    source = (
        "{% for x in xs %}{{ x }}({% for x in ys %}{{ x }}{% endfor %}){{ x }} {% endfor %}{{ x }}"
    )
    html = Template(source).render_html({"xs": "ab", "ys": "12", "x": "!"})
    assert html == "a(12)a b(12)b !"


def test_nested_loop_index_refers_to_the_inner_loop() -> None:
    source = (
        "{% for a in xs %}{% for b in xs %}{{ loop.index }}{% endfor %}"
        "|{{ loop.index }} {% endfor %}"
    )
    assert Template(source).render_html({"xs": "ab"}) == "12|1 12|2 "


def test_loop_inside_conditional_and_conditional_inside_loop() -> None:
    source = (
        "{% if show %}<ul>{% for x in xs %}<li>{% if x.on %}on{% else %}off{% endif %}"
        " {{ x.name }}</li>{% endfor %}</ul>{% endif %}"
    )
    tree = full(source, show=True, xs=[{"on": True, "name": "a"}, {"on": False, "name": "b"}])
    assert tree["0"] == {
        "s": ["<ul>", "</ul>"],
        "0": {
            "s": ["<li>", " ", "</li>"],
            "k": {
                "0": {"0": {"s": ["on"]}, "1": "a"},
                "1": {"0": {"s": ["off"]}, "1": "b"},
                "kc": 2,
            },
        },
    }


# -- set ---------------------------------------------------------------------------------------


def test_set_binds_names_for_later_slots_and_adds_no_slot() -> None:
    tree = full("{% set full = first ~ ' ' ~ last %}<p>{{ full }}</p>", first="A", last="B")
    assert tree == {"s": ["<p>", "</p>"], "0": "A B"}


def test_set_tuple_and_set_inside_loops_stay_local() -> None:
    source = (
        "{% set a, b = pair %}{{ a }}{{ b }}"
        "{% for x in xs %}{% set y = x * 2 %}{{ y }}{% endfor %}[{{ y }}]"
    )
    assert Template(source).render_html({"pair": (1, 2), "xs": [1, 2], "y": "outer"}) == (
        "1224[outer]"
    )


SET_IN_LOOP_BODIES = [
    # each iteration starts from the scope outside the loop (Jinja's scoping)
    "{% for x in xs %}[{{ t }}]{% set t = x %}{% endfor %}",
    "{% for x in xs %}[{{ t }}]{% set t = x %}[{{ t }}]{% endfor %}[{{ t }}]",
    "{% for x in xs %}[{{ u }}]{% set u = x %}[{{ u }}]{% endfor %}",  # u: not an assign
    "{% set t = 9 %}{% for x in xs %}[{{ t }}]{% set t = x %}{% endfor %}{{ t }}",
    "{% for x in xs %}[{{ t }}]{% if x > 1 %}{% set t = x %}{% endif %}[{{ t }}]{% endfor %}",
    "{% for x in xs %}[{{ t }}]{% set t %}<{{ x }}>{% endset %}{{ t }}{% endfor %}",
    "{% for x in xs %}{% set t = t ~ x %}{{ t }}{% endfor %}",
    "{% for x in xs %}{% for y in xs %}[{{ t }}]{% set t = y %}{% endfor %}{% endfor %}",
    "{% for x in xs %}{% set t = x %}{% for y in xs %}{{ t }}{% set t = y %}{% endfor %}"
    "{{ t }}|{% endfor %}",
    "{% for x in xs %}{% set x = x * 10 %}{{ x }}{% endfor %}",
    "{% for x in xs %}{{ loop.index }}{% set t = loop.index %}{% else %}{% set t = 1 %}"
    "{% endfor %}{{ t }}",
    "{% macro m() %}({{ t }}){% endmacro %}{% for x in xs %}{{ m() }}{% set t = x %}{{ t }}"
    "{% endfor %}",
]


@pytest.mark.parametrize("source", SET_IN_LOOP_BODIES)
@pytest.mark.parametrize("xs", [[1, 2, 3], []])
def test_set_in_a_loop_body_lasts_until_the_end_of_the_iteration(
    source: str, xs: list[int]
) -> None:
    assigns = {"t": 0, "xs": xs}
    jinja = jinja2.Environment(autoescape=True).from_string(source).render(assigns)
    template = Template(source)
    assert template.render_html(assigns) == jinja
    assert to_html(RenderState().render(template, assigns)) == jinja


@pytest.mark.parametrize(
    ("body", "fresh"),
    [
        ("{% set y = x %}{{ y }}", ()),  # read only after it is set: nothing to reset
        ("{% set y = x %}{% set z = y %}{{ z }}{% for w in x %}{{ y }}{% endfor %}", ()),
        ("[{{ t }}]{% set t = x %}", ("t",)),
        ("{% set t = t ~ x %}{{ t }}", ("t",)),
        ("{% if x %}{% set t = x %}{% endif %}{{ t }}", ("t",)),  # maybe unset: reset
        ("{% for w in x %}{{ t }}{% endfor %}{% set t = x %}{% set u = x %}", ("t",)),
        ("{{ m() }}{% set t = x %}{% set u = x %}", ("t",)),  # a compiled macro reads t
        ("{{ m()|upper }}{% set t = x %}{% set u = x %}", ("t", "u")),  # Jinja's: anything
        ("{% set t %}{{ x }}{% endset %}{% set u = t %}{{ u }}", ()),
    ],
)
def test_only_names_read_before_they_are_set_are_reset_each_iteration(
    body: str, fresh: tuple[str, ...]
) -> None:
    source = "{% macro m() %}{{ t }}{% endmacro %}{% for x in xs %}" + body + "{% endfor %}"
    loop = Template(source).root.steps[-1]
    assert isinstance(loop, ForSlot)
    assert loop.fresh == fresh


def test_set_inside_if_is_visible_after_it_like_jinja() -> None:
    source = (
        "{% if a %}{% set cls = 'on' %}{% else %}{% set cls = 'off' %}{% endif %}"
        '<p class="{{ cls }}">'
    )
    template = Template(source)
    assert full(source, a=True) == {"s": ['<p class="', '">'], "0": "on"}
    assert template.render_html({"a": False}) == '<p class="off">'
    assert template.render_html({"a": False}) == jinja2.Environment(autoescape=True).from_string(
        source
    ).render(a=False)


def test_set_block() -> None:
    source = (
        "{% set greeting %}Hi <b>{{ name }}</b>{% endset %}{{ greeting }}|{{ greeting|length }}"
    )
    assert Template(source).render_html({"name": "<x>"}) == "Hi <b>&lt;x&gt;</b>|19"


def test_namespace_assignment() -> None:
    source = (
        "{% set ns = namespace(total=0) %}"
        "{% for x in xs %}{% set ns.total = ns.total + x %}{% endfor %}{{ ns.total }}"
    )
    assert Template(source).render_html({"xs": [1, 2, 3]}) == "6"


# -- filters, tests, globals, calls ------------------------------------------------------------


def test_filters_tests_and_globals() -> None:
    source = (
        "{{ name|upper }} {{ xs|join(', ') }} {{ xs|length }} {{ none_|default('d') }}"
        " {{ 'yes' if n is even else 'no' }} {{ range(3)|list|sum }} {{ '%s-%s'|format(1, 2) }}"
    )
    html = Template(source).render_html({"name": "ab", "xs": ["<a>", "b"], "n": 4})
    assert html == "AB &lt;a&gt;, b 2 d yes 3 1-2"


def test_join_escapes_items_like_jinja() -> None:
    source = "{{ xs|join('<br>'|safe) }}"
    assert Template(source).render_html({"xs": ["<a>", "b"]}) == "&lt;a&gt;<br>b"


def test_calling_functions_and_methods() -> None:
    def greet(name: str, punct: str = "!") -> str:
        return f"hi {name}{punct}"

    source = "{{ greet('<x>', punct='?') }} {{ user.name.title() }} {{ d['k'] }} {{ d.k }}"
    html = Template(source).render_html({"greet": greet, "user": {"name": "bo"}, "d": {"k": "v"}})
    assert html == "hi &lt;x&gt;? Bo v v"


def test_custom_environment_filters_and_globals() -> None:
    env = jinja2.Environment(autoescape=True)
    env.filters["shout"] = lambda s: f"{s}!!"
    env.globals["site"] = "S"
    template = Template("{{ 'hey'|shout }} {{ x|shout }} {{ site }}", environment=env)
    assert template.render_html({"x": "<"}) == "hey!! &lt;!! S"


def test_assigns_shadow_globals_and_locals_shadow_assigns() -> None:
    template = Template("{{ range }}{% set range = 'local' %}{{ range }}")
    assert template.render_html({"range": "assign"}) == "assignlocal"


def test_unknown_filter_inside_if_is_an_error_only_when_evaluated() -> None:
    template = Template("{% if use %}{{ x|nosuchfilter }}{% endif %}ok")
    assert template.render_html({"use": False}) == "ok"
    with pytest.raises(jinja2.TemplateRuntimeError, match="nosuchfilter"):
        template.render_html({"use": True})


# -- other statements (rendered by Jinja as one opaque slot) -----------------------------------


def test_macro_and_call() -> None:
    source = (
        "{% macro item(x) %}<li>{{ x }}</li>{% endmacro %}"
        "{% macro box() %}<div>{{ caller() }}</div>{% endmacro %}"
        "<ul>{{ item('<a>') }}{% for y in ys %}{{ item(y) }}{% endfor %}</ul>"
        "{% call box() %}in {{ z }}{% endcall %}"
    )
    html = Template(source).render_html({"ys": ["b"], "z": "<z>"})
    assert html == "<ul><li>&lt;a&gt;</li><li>b</li></ul><div>in &lt;z&gt;</div>"


def test_with_and_filter_blocks() -> None:
    source = (
        "{% with a = x * 2 %}<b>{{ a }}</b>{% endwith %}"
        "{% filter upper %}hello {{ name }}{% endfilter %}"
    )
    template = Template(source)
    assert template.render_html({"x": 2, "name": "<q>"}) == "<b>4</b>HELLO &LT;Q&GT;"
    tree = RenderState().render(template, {"x": 2, "name": "<q>"})
    assert tree == {"s": ["", "", ""], "0": "<b>4</b>", "1": "HELLO &LT;Q&GT;"}


def test_include_sees_assigns_loop_variables_and_sets() -> None:
    env = jinja2.Environment(
        autoescape=True, loader=jinja2.DictLoader({"row.html": "<li>{{ title }}:{{ x }}</li>"})
    )
    source = "{% set title = t|upper %}{% for x in xs %}{% include 'row.html' %}{% endfor %}"
    html = Template(source, environment=env).render_html({"t": "a", "xs": [1, "<2>"]})
    assert html == "<li>A:1</li><li>A:&lt;2&gt;</li>"


def test_from_file_and_includes_beside_it(tmp_path: object) -> None:
    from pathlib import Path

    directory = Path(str(tmp_path))
    (directory / "part.html").write_text("<i>{{ v }}</i>")
    (directory / "page.html").write_text("<p>{{ v }}</p>{% include 'part.html' %}\n")
    template = Template.from_file(directory / "page.html")
    assert template.name == "page.html"
    assert template.render_html({"v": "<"}) == "<p>&lt;</p><i>&lt;</i>"


# -- errors ------------------------------------------------------------------------------------


def test_syntax_errors_carry_name_and_line() -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        Template("<p>\n{{ y }}\n{% if x %}", name="broken.html")
    assert info.value.lineno == 3
    assert info.value.name == "broken.html"
    assert "broken.html" in str(info.value)
    assert isinstance(info.value, jinja2.TemplateSyntaxError)


def test_unknown_filter_outside_if_is_a_compile_error_with_line() -> None:
    with pytest.raises(TemplateSyntaxError, match="nosuch") as info:
        Template("a\n{{ x|nosuch }}", name="f.html")
    assert info.value.lineno == 2


def test_file_errors_name_the_file(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "bad.html"
    path.write_text("ok\n{% for %}")
    with pytest.raises(TemplateSyntaxError) as info:
        Template.from_file(path)
    assert info.value.filename == str(path)
    assert info.value.lineno == 2


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% extends 'base.html' %}", "extends"),
        ("<p>{% block content %}x{% endblock %}</p>", "block"),
        ("{% with %}{% block b %}{% endblock %}{% endwith %}", "block"),
        ("{% for x in xs recursive %}{{ loop(x.children) }}{% endfor %}", "recursive"),
        ("{% for loop in xs %}{% endfor %}", "loop"),
    ],
)
def test_unsupported_constructs_are_rejected_clearly(source: str, message: str) -> None:
    with pytest.raises(TemplateSyntaxError, match=message) as info:
        Template("\n" + source, name="t.html")
    assert info.value.lineno == 2


def test_runtime_errors_point_at_the_template_line() -> None:
    import traceback

    template = Template("a\nb\n{{ 1 / zero }}", name="div.html")
    with pytest.raises(ZeroDivisionError) as info:
        template.render_html({"zero": 0})
    frames = traceback.extract_tb(info.value.__traceback__)
    assert any(frame.filename == "<template div.html>" and frame.lineno == 3 for frame in frames)


def test_environment_must_autoescape_and_be_sync() -> None:
    with pytest.raises(ValueError, match="autoescape"):
        Template("x", environment=jinja2.Environment())
    with pytest.raises(ValueError, match="synchronous"):
        Template("x", environment=jinja2.Environment(autoescape=True, enable_async=True))


def test_full_tree_html_matches_render_html_for_this_module() -> None:
    template = Template(IF_SOURCE)
    assigns = {"a": False, "b": False, "y": "<"}
    assert to_html(RenderState().render(template, assigns)) == template.render_html(assigns)


# -- more Jinja semantics ----------------------------------------------------------------------


def test_imported_macros() -> None:
    env = jinja2.Environment(
        autoescape=True,
        loader=jinja2.DictLoader({"m.html": "{% macro b(x) %}<b>{{ x }}</b>{% endmacro %}"}),
    )
    source = "{% import 'm.html' as m %}{% from 'm.html' import b %}{{ m.b(v) }}{{ b(v) }}"
    assert Template(source, environment=env).render_html({"v": "<"}) == "<b>&lt;</b><b>&lt;</b>"


def test_loop_helpers() -> None:
    source = (
        "{% for x in xs %}{{ loop.previtem }}>{{ x }}>{{ loop.nextitem }}"
        "{{ loop.revindex }}{% if loop.changed(x) %}*{% endif %} {% endfor %}"
    )
    assert Template(source).render_html({"xs": [1, 1, 2]}) == ">1>13* 1>1>22 1>2>1* "


def test_attribute_lookup_on_dicts_keeps_jinja_semantics() -> None:
    from collections import OrderedDict

    source = "{{ d.label }}|{{ d.nope }}|{{ d.items is callable }}|{{ o.label }}|{{ d['items'] }}"
    html = Template(source).render_html(
        {"d": {"label": "L", "items": "I"}, "o": OrderedDict(label="O")}
    )
    assert html == "L||True|O|I"


def test_sandboxed_environment_keeps_its_attribute_checks() -> None:
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    template = Template("{{ f.__code__ }}", environment=SandboxedEnvironment(autoescape=True))
    assert template.render_html({"f": lambda: 1}) == ""  # unsafe attribute -> undefined
    call = Template(
        "{{ x.__class__.__subclasses__() }}", environment=SandboxedEnvironment(autoescape=True)
    )
    with pytest.raises(SecurityError):
        call.render_html({"x": 1})


def test_context_and_eval_context_filters_see_template_locals() -> None:
    env = jinja2.Environment(autoescape=True)

    @jinja2.pass_context
    def with_suffix(context: jinja2.runtime.Context, value: str) -> str:
        return f"{value}{context.resolve('suffix')}"

    @jinja2.pass_eval_context
    def autoescaping(eval_ctx: jinja2.nodes.EvalContext, value: str) -> str:
        return f"{value}:{eval_ctx.autoescape}"

    env.filters.update(with_suffix=with_suffix, autoescaping=autoescaping)
    source = "{% for suffix in ['!', '?'] %}{{ x|with_suffix }}{% endfor %}{{ x|autoescaping }}"
    assert Template(source, environment=env).render_html({"x": "a"}) == "a!a?a:True"


def test_many_entries() -> None:
    tree = full("{% for i in range(n) %}{{ i }}{% endfor %}", n=600)
    entries = tree["0"]["k"]  # type: ignore[index]
    assert entries["kc"] == 600
    assert entries["599"] == {"0": "599"}


def test_empty_template() -> None:
    assert full("") == {"s": [""]}
    assert Template("").render_html({}) == ""


def test_one_template_serves_independent_states() -> None:
    template = Template("<p>{{ a }}</p>")
    first, second = RenderState(), RenderState()
    first.render(template, {"a": 1})
    second.render(template, {"a": 1})
    assert first.render(template, {"a": 2}, {"a"}) == {"0": "2"}
    assert second.render(template, {"a": 3}, {"a"}) == {"0": "3"}
    assert first.render(template, {"a": 3}, {"a"}) == {"0": "3"}
    assert second.render(template, {"a": 3}, {"a"}) == {}


def test_assigns_may_be_any_mapping() -> None:
    from collections.abc import Iterator, Mapping
    from typing import Any

    class Assigns(Mapping[str, Any]):
        def __init__(self, **data: Any) -> None:
            self._data = data

        def __getitem__(self, key: str) -> Any:
            return self._data[key]

        def __iter__(self) -> Iterator[str]:
            return iter(self._data)

        def __len__(self) -> int:
            return len(self._data)

    template = Template("{{ a }}{{ range(2)|list|length }}{{ missing }}")
    assert template.render_html(Assigns(a="x")) == "x2"
