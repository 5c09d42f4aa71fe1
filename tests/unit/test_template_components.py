"""The template side of live components: where a call may stand, and the one-root-tag check."""

from __future__ import annotations

import pytest

from liveview.template import Template, TemplateSyntaxError
from liveview.template.components import NoSingleRoot, live_component, single_root


class Widget:
    """Any class will do for the template side (the component table checks the kind)."""


def check(source: str) -> None:
    single_root(Template(source).root, "Widget")


@pytest.mark.parametrize(
    "source",
    [
        "<div>{{ a }}</div>",
        '  <!-- a note -->\n<section class="{{ c }}" id="x-{{ id }}">{{ a }}</section>\n',
        "<li>{% for x in xs %}<b>{{ x }}</b>{% endfor %}</li>",
        "<div {{ attrs }}>{% if on %}<i>on</i>{% endif %}</div><!-- end -->",
        '<input value="{{ v }}">',
        "<img src='/a.png' />",
        "<div><br><hr/>{{ a }}</div>",
    ],
)
def test_one_root_tag_passes(source: str) -> None:
    check(source)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("{{ a }}<div></div>", "must render one HTML tag at its root"),
        ("text<div></div>", "must render one HTML tag at its root"),
        ("<!-- only -->", "must render one HTML tag at its root"),
        ("<p>a</p><p>b</p>", "renders '<p>b</p>' after its root tag <p>"),
        ("<p>a</p>{{ b }}", "renders a slot after its root tag <p>"),
        ("<p>a</p>tail", "renders 'tail' after its root tag <p>"),
        ("{% if a %}<p>a</p>{% else %}<p>b</p>{% endif %}", "one HTML tag at its root"),
        ("<div><p>open", "root tag is not closed at its end"),
    ],
)
def test_anything_else_is_refused_with_what_is_wrong(source: str, words: str) -> None:
    with pytest.raises(NoSingleRoot) as error:
        check(source)
    assert words in str(error.value) and "Widget" in str(error.value)


@pytest.mark.parametrize(
    "source",
    [
        '<div class="{{ live_component(W, id=1) }}"></div>',
        "<div {{ live_component(W, id=1) }}></div>",
        "<script>{{ live_component(W, id=1) }}</script>",
        "<a href={{ live_component(W, id=1) }}>x</a>",
    ],
)
def test_a_call_must_stand_where_an_element_can(source: str) -> None:
    with pytest.raises(TemplateSyntaxError, match="must stand where an element can"):
        Template(source)


@pytest.mark.parametrize(
    "source",
    [
        "<div>{{ live_component(W, id=1)|safe }}</div>",
        "<div>{{ 'x' ~ live_component(W, id=1) }}</div>",
    ],
)
def test_a_call_that_is_not_the_whole_expression_is_a_clear_error(source: str) -> None:
    with pytest.raises(TypeError, match=r"must be the whole expression of a \{\{ \}\}"):
        Template(source).render_html({"W": Widget})


@pytest.mark.parametrize(
    "source",
    [
        "<div>{{ live_component(W, id=1) }}</div>",
        # a macro called as a whole expression compiles in place: its call is a component slot
        "<div>{% macro m() %}{{ live_component(W, id=1) }}{% endmacro %}{{ m() }}</div>",
    ],
)
def test_a_call_outside_a_liveview_render_is_a_clear_error(source: str) -> None:
    with pytest.raises(RuntimeError, match="renders only inside a LiveView"):
        Template(source).render_html({"W": Widget})


@pytest.mark.parametrize(
    ("args", "kwargs", "words"),
    [
        ((Widget,), {}, "needs an id="),
        ((Widget,), {"id": None}, "needs an id="),
        (("W",), {"id": 1}, "takes a LiveComponent class"),
    ],
)
def test_live_component_arguments(
    args: tuple[object, ...], kwargs: dict[str, object], words: str
) -> None:
    with pytest.raises(TypeError, match=words):
        live_component(*args, **kwargs)


def test_an_unknown_component_name_says_what_was_looked_for() -> None:
    template = Template("<div>{{ live_component(NoSuchCard, id=1) }}</div>")
    with pytest.raises(
        TypeError, match="no assign, global or LiveComponent class is named 'NoSuchCard'"
    ):
        template.render_html({})


def test_a_name_two_modules_give_a_component_means_the_one_of_the_templates_module() -> None:
    from liveview import LiveComponent
    from liveview.template.components import _Ambiguous, component_named

    first = type("Twin", (LiveComponent,), {"__module__": "app.one"})  # registered by name
    second = type("Twin", (LiveComponent,), {"__module__": "app.two"})
    assert component_named("Twin", "app.two.Page") is second
    assert component_named("Twin", "app.one.Page") is first
    assert isinstance(component_named("Twin", "page.html"), _Ambiguous)
    assert isinstance(component_named("Twin"), _Ambiguous)
