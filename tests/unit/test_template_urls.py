"""URL attributes: an assign that would make a link run script is not rendered as given.

The same value must come out the same in the dead render (``render_html``), the full tree sent
at join and a diff: all three are checked for each case.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from markupsafe import Markup, escape

from liveview.template import RenderState, Template
from liveview.template.urls import UrlSlot
from liveview.testing.tree import merge_diff, to_html

ATTACK = "javascript:alert(1)"


def renders(source: str, **assigns: Any) -> str:
    """The HTML of ``source`` over ``assigns``: the dead render, checked against the HTML the
    client builds from the join tree and from a diff that brings every slot to these values."""
    template = Template(source, name="page.html")
    html = template.render_html(assigns)
    assert to_html(RenderState().render(template, assigns)) == html
    state = RenderState()
    blank = {name: "/before" for name in assigns}
    tree = state.render(template, blank)
    diff = state.render(template, assigns, changed=assigns.keys())
    assert to_html(merge_diff(tree, diff)) == html
    return html


# -- what is refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        ATTACK,
        "JavaScript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",  # browsers strip leading spaces and C0 controls...
        "\x01\x1f javascript:alert(1)",
        "java\tscript:alert(1)",  # ... and tabs and newlines anywhere
        "java\nscr\ript:alert(1)",
        "\njavascript\t:alert(1)",
        "javascript://example.com/%0aalert(1)",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    ],
)
def test_a_script_url_in_href_becomes_a_harmless_link(url: str) -> None:
    assert renders('<a href="{{ url }}">x</a>', url=url) == '<a href="#">x</a>'


@pytest.mark.parametrize(
    "source",
    [
        "<a href='{{ url }}'>",
        "<a href={{ url }}>",
        '<a HREF="{{ url }}">',
        '<a class="x" href = "{{ url }}" title="t">',
        '<a\nhref="\n  {{ url }}">',
        '<svg><a xlink:href="{{ url }}"></a></svg>',
        '<form action="{{ url }}"></form>',
        '<button formaction="{{ url }}">',
        '<iframe src="{{ url }}"></iframe>',
        '<img src="{{ url }}">',
        '<object data="{{ url }}"></object>',
        '<video poster="{{ url }}"></video>',
        '<embed src="{{ url }}">',
        '<a href="{{ url }}/x">',  # starts with the value: the value is the scheme
    ],
)
def test_every_url_attribute_is_checked(source: str) -> None:
    assert ATTACK not in renders(source, url=ATTACK)
    assert "alert" not in renders(source, url=ATTACK)


def test_script_in_a_resource_attribute_loads_nothing() -> None:
    assert renders('<iframe src="{{ u }}"></iframe>', u=ATTACK) == '<iframe src="data:,"></iframe>'
    assert renders('<img src="{{ u }}">', u="vbscript:x") == '<img src="data:,">'


def test_data_urls_are_refused_where_they_navigate_and_kept_where_they_load() -> None:
    image = "data:image/png;base64,iVBORw0KGgo="
    assert renders('<img src="{{ u }}">', u=image) == f'<img src="{image}">'
    assert renders('<a href="{{ u }}">', u=image) == '<a href="#">'
    assert renders('<form action="{{ u }}">', u="data:,x") == '<form action="#">'


def test_a_value_that_str_makes_a_script_url_is_refused() -> None:
    class Url:
        def __str__(self) -> str:
            return ATTACK

    assert renders('<a href="{{ u }}">', u=Url()) == '<a href="#">'


def test_a_scheme_the_template_completes_is_seen() -> None:
    source = '<a href="{{ scheme }}://{{ host }}/">'
    assert renders(source, scheme="javascript", host="x") == '<a href="#://x/">'
    assert renders(source, scheme="https", host="x") == '<a href="https://x/">'
    assert renders('<a href="java{{ rest }}">', rest="script:alert(1)") == '<a href="java#">'


def test_every_expression_that_can_begin_the_scheme_is_checked() -> None:
    source = '<a href="{{ base }}{{ path }}">'
    assert renders(source, base="", path=ATTACK) == '<a href="#">'
    assert renders(source, base=ATTACK, path="/x") == '<a href="#/x">'
    assert renders(source, base="https://a.example", path="/x") == '<a href="https://a.example/x">'


def test_the_refusal_is_logged_with_the_template_line_and_attribute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    template = Template('<p>\n  <a href="{{ url }}">x</a>', name="profile.html")
    with caplog.at_level(logging.WARNING, logger="liveview.template"):
        template.render_html({"url": ATTACK})
    (record,) = caplog.records
    message = record.getMessage()
    assert "javascript:" in message and "'profile.html' line 2" in message and "href" in message
    assert "Markup" in message  # says how to let a trusted one through


# -- what is rendered as given -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a?b=c&d=e#f",
        "http://example.com",
        "/users/5",
        "relative/path",
        "?page=2",
        "#section",
        "mailto:ann@example.com",
        "tel:+15555550100",
        "ftp://example.com/file",
        "//cdn.example.com/x.js",
        "javascript",  # no colon: a relative URL
        "/javascript:alert(1)",  # a path
        "./javascript:alert(1)",
        "&#106;avascript:alert(1)",  # escaped, so the browser sees the text as is
        "jav&#x61;script:alert(1)",
        "javascrİpt:alert(1)",  # not ASCII: no scheme to a browser
        "",
    ],
)
def test_other_urls_are_rendered_as_given(url: str) -> None:
    assert renders('<a href="{{ url }}">', url=url) == f'<a href="{escape(url)}">'


def test_markup_is_trusted_as_the_way_to_let_a_script_url_through() -> None:
    assert renders('<a href="{{ url }}">', url=Markup(ATTACK)) == f'<a href="{ATTACK}">'
    assert renders('<a href="{{ url|safe }}">', url=ATTACK) == f'<a href="{ATTACK}">'
    assert renders('<a href="{{ url }}">', url=escape("data:text/csv,a&b")) == (
        '<a href="data:text/csv,a&amp;b">'
    )


def test_a_static_prefix_fixes_the_scheme() -> None:
    for source in (
        '<a href="/users/{{ id }}">',
        '<a href="https://example.com/{{ id }}">',
        '<a href="?q={{ id }}">',
        '<a href="#{{ id }}">',
        '<a href="mailto:{{ id }}">',
        '<a href="./{{ id }}">',
    ):
        assert ATTACK in renders(source, id=ATTACK)


def test_static_script_urls_are_the_template_authors() -> None:
    source = '<a href="javascript:void(0)" title="{{ t }}">{{ t }}</a>'
    assert (
        renders(source, t=ATTACK) == f'<a href="javascript:void(0)" title="{ATTACK}">{ATTACK}</a>'
    )


@pytest.mark.parametrize(
    "source",
    [
        '<a title="{{ url }}">',
        '<a data-href="{{ url }}">',
        '<a hreflang="{{ url }}">',
        "<p>href={{ url }}</p>",
        '<p>see href="{{ url }}"</p>',
        '<!-- <a href="{{ url }}"> -->',
        "<script>let a = '<a href=\"{{ url }}\">';</script>",
        '<style>a[href="{{ url }}"] {}</style>',
        '<textarea><a href="{{ url }}"></textarea>',
        '<a href="/x" {{ url }}>',
        '<input value="{{ url }}" name="href">',
    ],
)
def test_expressions_outside_url_attributes_are_not_touched(source: str) -> None:
    assert ATTACK in renders(source, url=ATTACK)


def test_after_a_script_element_attributes_are_checked_again() -> None:
    source = '<script>let s = "</scripts>";</script><a href="{{ url }}">'
    assert ATTACK not in renders(source, url=ATTACK)
    source = '<!-- a > b --><a href="{{ url }}"><!-- c -->'
    assert ATTACK not in renders(source, url=ATTACK)


# -- blocks: if, for, and what follows them ----------------------------------------------------


def test_links_in_loops_and_branches_are_checked() -> None:
    source = '{% for u in urls %}<a href="{{ u }}">{% endfor %}'
    assert renders(source, urls=["/a", ATTACK]) == '<a href="/a"><a href="#">'
    source = '{% if x %}<a href="{{ u }}">{% else %}<img src="{{ u }}">{% endif %}'
    assert renders(source, x=True, u=ATTACK) == '<a href="#">'
    assert renders(source, x=False, u=ATTACK) == '<img src="data:,">'


def test_a_branch_inside_the_value_is_checked_where_it_can_begin_the_scheme() -> None:
    source = '<a href="{% if x %}/u/{{ u }}{% else %}{{ u }}{% endif %}">'
    assert renders(source, x=True, u=ATTACK) == f'<a href="/u/{ATTACK}">'
    assert renders(source, x=False, u=ATTACK) == '<a href="#">'
    # after a branch that may leave the scheme open, the next expression is checked
    source = '<a href="{% if x %}/u/{% endif %}{{ u }}">'
    assert renders(source, x=False, u=ATTACK) == '<a href="#">'


def test_a_loop_building_the_value_is_checked_on_each_part() -> None:
    source = '<a href="{% for p in parts %}{{ p }}{% endfor %}">'
    assert renders(source, parts=["/a", ATTACK]) == '<a href="/a#">'


def test_an_attribute_inside_a_branch_leaves_the_tag_as_it_found_it() -> None:
    source = '<a {% if x %}class="on"{% endif %} href="{{ u }}">{{ u }}</a>'
    assert renders(source, x=True, u=ATTACK) == f'<a class="on" href="#">{ATTACK}</a>'


def test_a_diff_of_only_the_url_is_checked() -> None:
    template = Template('<a href="{{ url }}">{{ label }}</a>')
    state = RenderState()
    state.render(template, {"url": "/ok", "label": "x"})
    assert state.render(template, {"url": ATTACK, "label": "x"}, {"url"}) == {"0": "#"}
    assert state.render(template, {"url": "/ok", "label": "x"}, {"url"}) == {"0": "/ok"}


# -- how the compiler reads the HTML ----------------------------------------------------------


def url_slots(source: str) -> list[str]:
    """The expressions of ``source`` (its top block) compiled as URL slots, by their source."""
    template = Template(source)
    return [
        template.source.split("{{ ")[index + 1].split(" }}")[0]
        for index, step in enumerate(template.root.steps)
        if isinstance(step, UrlSlot)
    ]


@pytest.mark.parametrize(
    ("source", "checked"),
    [
        ('<a href="{{ a }}" title="{{ b }}">{{ c }}</a>', ["a"]),
        ('<a title="{{ a }}" href="/{{ b }}" src={{ c }} >', ["c"]),
        ('<a href="&#32;{{ a }}">', ["a"]),  # a character reference for a space
        ('<a href="&#x6A;ava{{ a }}">', ["a"]),  # "java", by reference
        ('<a href="java&Tab;{{ a }}">', ["a"]),
        ('<a href="&#47;{{ a }}">', []),  # "/"
        ('<a href="1{{ a }}">', []),  # a scheme begins with a letter
        ('<a href="{{ a }} {{ b }}">', ["a", "b"]),  # a may be empty: b may begin the URL
        ('<a href="{{ a }}/{{ b }}">', ["a"]),
        ("<svg><style></style><a href='{{ a }}'></a></svg>", ["a"]),
        ("<svg><title>{{ a }}<a href='{{ b }}'></a></svg>", ["b"]),  # SVG: no raw text
        ("<svg/><title><a href='{{ a }}'></title>", []),  # <svg/> opens nothing
        ("<svg><p><title><a href='{{ a }}'>", []),  # <p> leaves SVG: <title> is raw text
        ('<!DOCTYPE html><?xml x?><a href="{{ a }}">', ["a"]),
        ("<!--> <a href='{{ a }}'>", ["a"]),  # "<!-->" is a whole comment
        ('<a href="x" <!-- {{ a }} -->', []),
    ],
)
def test_the_compiler_knows_which_expressions_can_begin_a_url(
    source: str, checked: list[str]
) -> None:
    assert url_slots(source) == checked


def test_a_refused_value_does_not_glue_its_neighbours_into_a_scheme() -> None:
    source = '<img src="java{% for p in parts %}{{ p }}{% endfor %}">'
    html = renders(source, parts=["script:alert(1)", "x"])  # "java" + "script:" is refused
    assert html == '<img src="javadata:,x">'
    html = renders(source, parts=["javascript:x", "script:alert(1)"])
    assert "javascript:alert" not in html.replace("data:,", "")


def test_the_scheme_completed_after_a_branch_is_seen_in_every_branch() -> None:
    source = "<a href='{{ m }}{% if c %}{% else %}x{% endif %}:'>"
    assert renders(source, m="javascript", c=True) == "<a href='#:'>"
    assert renders(source, m="java", c=False) == "<a href='javax:'>"
    assert renders(source, m="javascript", c=False) == "<a href='#x:'>"  # checked as if c


def test_a_loop_body_that_leaves_a_tag_open_is_read_from_both_places() -> None:
    # the second <img opens inside the first one's bogus "</" markup; the third is a real tag
    source = "</{% for i in r %}<img title=':' src='{{ m }}'>{% endfor %}"
    html = renders(source, r=[1, 2], m=ATTACK)
    assert ATTACK not in html


def test_markup_from_jinja_itself_is_not_looked_into() -> None:
    source = "{% macro link(u) %}<a href='{{ u }}'>{% endmacro %}{{ link(url)|safe }}"
    assert ATTACK in renders(source, url=ATTACK)  # documented: a macro's output is Markup


def test_a_macro_compiled_in_place_is_read_where_it_is_called() -> None:
    source = "{% macro link(u) %}<a href='{{ u }}'>{% endmacro %}{{ link(url) }}"
    assert renders(source, url=ATTACK) == "<a href='#'>"
    source = "{% macro part(u) %}{{ u }}'>{% endmacro %}<a href='{{ part(url) }}"
    assert renders(source, url=ATTACK) == "<a href='#'>"


def test_a_loop_whose_reading_never_settles_compiles_in_a_few_passes() -> None:
    # every pass of the inner loop adds a tab to the value's text: the passes stop at a limit
    source = '<a href="{% for i in r %}{% for j in r %}\t{% endfor %}{% endfor %}{{ m }}">'
    assert renders(source, r=[1, 2], m=ATTACK) == '<a href="\t\t\t\t#">'
    assert renders(source, r=[], m="/ok") == '<a href="/ok">'
