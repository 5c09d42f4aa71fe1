"""`FormTest`'s reading of a form (what FormData holds) and its `_unused_` keys, checked against
what the 1.2 client's `serializeForm` does (tests/e2e/test_forms.py compares the two in
Chromium)."""

from __future__ import annotations

from liveview.testing.forms import _entries, _filled, _unused_key
from liveview.testing.html import parse

FORM = """
<form id="f" phx-change="v">
  <input type="hidden" name="u[id]" value="7">
  <input name="u[name]" value="Al &amp; Bo">
  <input type="hidden" name="u[ok]" value="false"><input type="checkbox" name="u[ok]" value="true">
  <input type="radio" name="u[plan]" value="a"><input type="radio" name="u[plan]" value="b" checked>
  <input type="hidden" name="u[tags][]" value="">
  <select name="u[tags][]" multiple><option value="x" selected>x</option>
    <option>y z</option></select>
  <select name="u[size]"><option value="s">S</option><option value="m">M</option></select>
  <textarea name="u[bio]">
line</textarea>
  <input name="u[off]" value="no" disabled>
  <fieldset disabled><input name="u[in_off]" value="no"></fieldset>
  <input type="submit" name="go" value="Go"><button name="u[add]" value="new">+</button>
</form>"""


def test_entries_are_what_the_browser_sends() -> None:
    form = parse(FORM).find("#f")
    assert form is not None
    assert [(name, value) for name, value, _ in _entries(form)] == [
        ("u[id]", "7"),
        ("u[name]", "Al & Bo"),
        ("u[ok]", "false"),
        ("u[plan]", "b"),
        ("u[tags][]", ""),
        ("u[tags][]", "x"),
        ("u[size]", "s"),  # no option selected: the first
        ("u[bio]", "line"),  # the newline after <textarea> is not part of the value
    ]
    hidden = {name for name, _, only_hidden in _entries(form) if only_hidden}
    assert hidden == {"u[id]"}  # u[ok] and u[tags][] have visible inputs too


def test_given_values_replace_the_forms_in_place() -> None:
    form = parse(FORM).find("#f")
    assert form is not None
    filled = _filled(form, [("u[ok]", "true"), ("u[tags][]", "y z")], "#f")
    names = [(name, value) for name, value, _ in filled]
    assert names[2:5] == [("u[ok]", "true"), ("u[plan]", "b"), ("u[tags][]", "y z")]


def test_unused_keys_are_the_clients() -> None:
    assert _unused_key("name") == "_unused_name"
    assert _unused_key("user[name]") == "user[_unused_name]"
    assert _unused_key("user[tags][]") == "user[_unused_tags][]"
    assert _unused_key("a[b][0][c]") == "a[b][0][_unused_c]"
