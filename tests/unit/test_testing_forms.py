"""`FormTest`'s reading of a form (what FormData holds) and its `_unused_` keys, checked against
what the 1.2 client's `serializeForm` does (tests/e2e/test_forms.py compares the two in
Chromium); then `view.form(selector, data)` sending it to a LiveView, and what it refuses."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from liveview import LiveComponent, LiveView, LiveViewApp, LiveViewSocket
from liveview.testing import LiveViewTest, LiveViewTestClient
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


# --- view.form(selector, data): sent to the form's bindings, checked against its inputs ---------

SIGNUP = """
<pre id="got">{{ got }}</pre>
<form id="signup" phx-change="validate" phx-submit="save">
  <input type="hidden" name="user[token]" value="t0">
  <input name="user[email]" value="{{ email }}">
  <select name="user[plan]">
    <option value="free">Free</option><option value="pro">Pro</option>
  </select>
  <input type="hidden" name="user[terms]" value="false">
  <input type="checkbox" name="user[terms]" value="true">
  <input name="user[nick]" value="x" disabled>
</form>
<form id="search" phx-submit="find"><input name="q"></form>
<div id="not-a-form"></div>
{{ live_component(Note, id="n") }}
"""


class Note(LiveComponent):
    template = """<div id="note"><span id="note-got">{{ got }}</span>
      <form id="note-form" phx-submit="keep" phx-target="{{ myself }}"><input name="text"></form>
    </div>"""

    async def mount(self, socket: LiveViewSocket) -> None:
        socket.assign(got="")

    async def handle_event(self, event: str, payload: Any, socket: LiveViewSocket) -> None:
        socket.assign(got=json.dumps([event, payload], sort_keys=True))


class Signup(LiveView):
    template = SIGNUP

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(got="", email="")

    async def handle_event(self, event: str, payload: Any, socket: LiveViewSocket) -> None:
        socket.assign(got=json.dumps([event, payload], sort_keys=True))


@pytest.fixture
async def view() -> AsyncIterator[LiveViewTest]:
    app = LiveViewApp(routes={"/": Signup}, secret="test-secret")
    async with LiveViewTestClient(app) as client:
        yield await client.live("/")


def got(view: LiveViewTest, where: str = "#got") -> Any:
    text = view.element(where).find().text
    return json.loads(text) if text.strip() else None


async def test_submit_sends_the_data_over_the_forms_defaults_and_hidden_inputs(
    view: LiveViewTest,
) -> None:
    form = view.form("#signup", {"user": {"email": "ann@example.com", "plan": "pro"}})
    await form.submit()
    assert got(view) == [
        "save",
        {
            "user": {
                "token": "t0",  # hidden: sent as rendered
                "email": "ann@example.com",
                "plan": "pro",
                "terms": "false",  # the unchecked checkbox's hidden twin
            }
        },
    ]  # the disabled input is not sent


async def test_change_sends_target_and_marks_what_was_not_filled_in(view: LiveViewTest) -> None:
    await view.form("#signup", {"user": {"email": "a"}}).change()
    event, payload = got(view)
    assert event == "validate"
    assert payload["_target"] == ["user", "email"]
    assert payload["user"]["email"] == "a"
    assert "_unused_plan" in payload["user"] and "_unused_email" not in payload["user"]
    await view.form("#signup").change({"user": {"terms": "true"}})  # the call's values
    assert got(view)[1]["_target"] == ["user", "terms"]
    assert got(view)[1]["user"]["terms"] == "true"


async def test_the_calls_values_go_over_the_forms_data(view: LiveViewTest) -> None:
    form = view.form("#signup", {"user": {"email": "a", "plan": "pro"}})
    await form.submit({"user": {"email": "b"}})
    assert got(view)[1]["user"]["email"] == "b"
    assert got(view)[1]["user"]["plan"] == "pro"


async def test_an_unknown_or_disabled_field_is_an_error_and_nothing_is_sent(
    view: LiveViewTest,
) -> None:
    with pytest.raises(ValueError, match=r"no input named \['user\[name\]'\]"):
        await view.form("#signup", {"user": {"name": "Ann"}}).submit()
    with pytest.raises(ValueError, match=r"no input named \['user\[nick\]'\]"):
        await view.form("#signup", {"user": {"nick": "y"}}).change()
    assert got(view) is None


async def test_a_value_a_select_or_checkbox_does_not_offer_is_an_error(view: LiveViewTest) -> None:
    with pytest.raises(ValueError, match=r"'gold' for select 'user\[plan\]'.*\['free', 'pro'\]"):
        await view.form("#signup", {"user": {"plan": "gold"}}).submit()
    with pytest.raises(ValueError, match=r"'yes' for checkbox 'user\[terms\]'"):
        await view.form("#signup", {"user": {"terms": "yes"}}).submit()
    assert got(view) is None


async def test_a_form_without_the_binding_or_not_there_is_an_error(view: LiveViewTest) -> None:
    with pytest.raises(LookupError, match="has no phx-change binding"):
        await view.form("#search", {"q": "x"}).change()
    with pytest.raises(LookupError, match=r"no element matches '#nope'.*form#signup"):
        await view.form("#nope").submit()
    with pytest.raises(LookupError, match="not a <form>"):
        await view.form("#not-a-form").submit()
    await view.form("form#search", {"q": "x"}).submit()  # any CSS selector
    assert got(view) == ["find", {"q": "x"}]


async def test_a_forms_phx_target_sends_to_its_component(view: LiveViewTest) -> None:
    await view.form("#note-form", {"text": "hi"}).submit()
    assert got(view, "#note-got") == ["keep", {"text": "hi"}]
    assert got(view) is None
