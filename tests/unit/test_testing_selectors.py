"""The CSS selectors `view.element(...)` and `view.form(...)` take (`liveview.testing.selectors`):
each kind matches what a browser's `querySelectorAll` matches, and what it cannot read fails."""

from __future__ import annotations

import pytest

from liveview.testing.html import parse
from liveview.testing.selectors import matches, select

PAGE = """
<main id="app">
  <form id="signup" class="card wide" phx-submit="save">
    <input name="user[email]" type="email" value="a@b.c">
    <input name="user[ok]" type="checkbox" checked>
    <button type="submit" class="primary big">Save</button>
    <button type="button" disabled>Later</button>
  </form>
  <ul id="todos">
    <li id="todo-1" data-state="done">One</li>
    <li id="todo-2" data-state="open urgent">Two</li>
    <li id="todo-3" data-state="open-soon">Three</li>
  </ul>
  <p id="a:b">escaped</p>
</main>"""


def ids(selector: str) -> list[str]:
    found = select(parse(PAGE), selector)
    return [
        e.attrs.get("id") or e.tag + (":" + e.text.strip() if e.text.strip() else "") for e in found
    ]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("#todos", ["todos"]),
        ("li", ["todo-1", "todo-2", "todo-3"]),
        ("form#signup", ["signup"]),
        ("div#signup", []),
        (".card.wide", ["signup"]),
        (".card.narrow", []),
        ("button.primary", ["button:Save"]),
        ("[disabled]", ["button:Later"]),
        ("button[type=submit]", ["button:Save"]),
        ('input[name="user[email]"]', ["input"]),
        ("li[data-state~=urgent]", ["todo-2"]),
        ("li[data-state|=open]", ["todo-3"]),
        ("li[data-state^=open]", ["todo-2", "todo-3"]),
        ("li[data-state$=soon]", ["todo-3"]),
        ("li[data-state*=pen]", ["todo-2", "todo-3"]),
        ("main li", ["todo-1", "todo-2", "todo-3"]),
        ("main > li", []),
        ("ul > li:first-child", ["todo-1"]),
        ("li:last-child", ["todo-3"]),
        ("li:nth-child(2)", ["todo-2"]),
        ("li:not([data-state=done])", ["todo-2", "todo-3"]),
        ("#todo-1 + li", ["todo-2"]),
        ("#todo-1 ~ li", ["todo-2", "todo-3"]),
        ("input:checked", ["input"]),
        ("button:disabled", ["button:Later"]),
        ("#todo-3, #todo-1", ["todo-1", "todo-3"]),  # document order, as querySelectorAll
        (r"#a\:b", ["a:b"]),
        ("*#todos", ["todos"]),
    ],
)
def test_a_selector_matches_what_a_browser_matches(selector: str, expected: list[str]) -> None:
    assert ids(selector) == expected


def test_matches_tests_one_element() -> None:
    button = select(parse(PAGE), "button")[0]
    assert matches(button, "form button.primary")
    assert not matches(button, "ul button")


@pytest.mark.parametrize("selector", ["", "   ", "li:hover", "li::before", "> li", "li >", "a[b"])
def test_what_cannot_be_read_is_an_error(selector: str) -> None:
    with pytest.raises(ValueError, match="selector"):
        select(parse(PAGE), selector)
