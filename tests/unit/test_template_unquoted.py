"""Unquoted attribute values: an assign cannot end its value or add an attribute.

Each case is rendered three ways (the dead render, the join's tree, a diff) and read back with
an HTML tokenizer (the standard library's), which must find the template's attributes only,
with the values the assigns hold.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from markupsafe import Markup

from liveview.template import RenderState, Template
from liveview.template.slots import ExprSlot
from liveview.template.unquoted import UnquotedSlot, UnquotedUrlSlot, in_value
from liveview.testing.tree import merge_diff, to_html

INJECTION = "a onclick=alert(1)"
EVERYTHING = "a\tb\nc\fd\re f=g`h'i\"j<k>l&m"  # each character that could end or break a value


def renders(source: str, **assigns: Any) -> str:
    """The dead render of ``source``, checked against the HTML the client builds from the join
    tree and from a diff that brings every slot to these values."""
    template = Template(source)
    html = template.render_html(assigns)
    assert to_html(RenderState().render(template, assigns)) == html
    state = RenderState()
    tree = state.render(template, {name: "before" for name in assigns})
    diff = state.render(template, assigns, changed=assigns.keys())
    assert to_html(merge_diff(tree, diff)) == html
    return html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def attributes(html: str) -> list[list[tuple[str, str | None]]]:
    """The attributes of each start tag in ``html``, as a browser's tokenizer reads them."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return [attrs for _, attrs in parser.tags]


@pytest.mark.parametrize("value", [INJECTION, EVERYTHING, "", "plain", "x>y", "a b"])
def test_an_expression_that_is_the_whole_value_stays_in_it(value: str) -> None:
    html = renders("<a title={{ x }}>link</a><p id=p>", x=value)
    assert attributes(html) == [[("title", value)], [("id", "p")]]


@pytest.mark.parametrize("value", [INJECTION, EVERYTHING, "", "plain"])
def test_an_expression_in_part_of_the_value_stays_in_it(value: str) -> None:
    html = renders("<a class=btn-{{ x }}-end id=a>", x=value)
    assert attributes(html) == [[("class", f"btn-{value}-end"), ("id", "a")]]
    html = renders("<a class=btn-{{ x }}>", x=value)
    assert attributes(html) == [[("class", f"btn-{value}")]]
    html = renders("<a class={{ x }}-end>", x=value)
    assert attributes(html) == [[("class", f"{value}-end")]]


def test_an_empty_value_does_not_take_the_next_attribute() -> None:
    html = renders("<input value={{ v }} disabled>", v="")
    assert html == '<input value="" disabled>'
    assert attributes(html) == [[("value", ""), ("disabled", None)]]


def test_the_whole_value_renders_quoted_and_a_part_with_references() -> None:
    assert renders("<a title={{ x }}>", x=INJECTION) == '<a title="a onclick=alert(1)">'
    assert renders("<a title = {{ x }} >", x="a b") == '<a title = "a b" >'
    assert renders("<a title=x{{ x }}>", x=INJECTION) == "<a title=xa&#32;onclick&#61;alert(1)>"
    assert in_value('a"b', whole=True) == '"a"b"'  # text is escaped already: `"` is not here


def test_other_values_than_strings() -> None:
    assert attributes(renders("<a data-n={{ n }} data-m={{ m }}>", n=5, m=None)) == [
        [("data-n", "5"), ("data-m", "")]
    ]


def test_a_url_in_an_unquoted_value_is_checked_and_kept_in_it() -> None:
    html = renders("<a href={{ u }}>x</a>", u="/x onmouseover=alert(1)")
    assert attributes(html) == [[("href", "/x onmouseover=alert(1)")]]
    assert renders("<a href={{ u }}>", u="javascript:alert(1)") == '<a href="#">'
    assert renders("<img src=/i/{{ u }}.png>", u="a b") == "<img src=/i/a&#32;b.png>"
    html = renders("<a href={{ u }}/{{ v }} x>", u="java", v="script:x y")
    assert attributes(html) == [[("href", "java/script:x y"), ("x", None)]]


def test_in_loops_and_branches() -> None:
    html = renders("{% for t in ts %}<li title={{ t }}>{% endfor %}", ts=[INJECTION, "b c"])
    assert attributes(html) == [[("title", INJECTION)], [("title", "b c")]]
    source = "<a {% if c %}title={{ t }} {% else %}alt={{ t }} {% endif %}id=x>"
    assert attributes(renders(source, c=True, t=INJECTION)) == [[("title", INJECTION), ("id", "x")]]
    assert attributes(renders(source, c=False, t=INJECTION)) == [[("alt", INJECTION), ("id", "x")]]
    # a branch right after the value: what follows is not known, so it is kept with references
    source = "<a title={{ t }}{% if c %} lang=en{% endif %}>"
    html = renders(source, t=INJECTION, c=True)
    assert html == "<a title=a&#32;onclick&#61;alert(1) lang=en>"
    assert attributes(html) == [[("title", INJECTION), ("lang", "en")]]


@pytest.mark.parametrize(
    "source",
    [
        '<a title="{{ x }}">',
        "<a title='{{ x }}'>",
        "<p>{{ x }}</p>",
        "<a {{ x }}>",  # the template's own dynamic attributes
        "<script>let s = '<a title={{ x }}>'</script>",
        "<!-- <a title={{ x }}> -->",
    ],
)
def test_expressions_outside_unquoted_values_are_not_touched(source: str) -> None:
    assert [type(step) for step in Template(source).root.steps] == [ExprSlot]


def test_markup_is_trusted() -> None:
    assert renders("<a title=x{{ m }}>", m=Markup("<b>")) == "<a title=x<b>>"


def test_the_compiler_knows_the_whole_value() -> None:
    def kinds(source: str) -> list[tuple[str, bool]]:
        return [
            (type(step).__name__, step.whole)
            for step in Template(source).root.steps
            if isinstance(step, (UnquotedSlot, UnquotedUrlSlot))
        ]

    assert kinds("<a title={{ a }} href={{ b }}>") == [
        ("UnquotedSlot", True),
        ("UnquotedUrlSlot", True),
    ]
    assert kinds("<a title={{ a }}>") == [("UnquotedSlot", True)]
    assert kinds("<a title={{ a }}{{ b }} x>") == [("UnquotedSlot", False)] * 2
    assert kinds("<a title={{ a }}{{ ' ' }}>") == [("UnquotedSlot", True)]  # folded: static
    assert kinds("<a title={{ a }}") == [("UnquotedSlot", False)]  # nothing after it
