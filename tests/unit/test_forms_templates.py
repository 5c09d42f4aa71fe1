"""The form helpers shipped as Jinja macros (`liveview/forms.html`): found from any template's
environment, the markup of each input type, and diffs that carry only the fields that changed."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Literal

import jinja2
from pydantic import BaseModel, EmailStr, Field

from liveview.forms import to_form
from liveview.template import Template
from liveview.template.state import RenderState

IMPORT = '{% from "liveview/forms.html" import input, errors, form_errors, add_row, remove_row %}'


class Phone(BaseModel):
    number: str = Field(min_length=3)


class Profile(BaseModel):
    email: EmailStr
    name: str = Field(min_length=1)
    bio: str = ""
    agree: bool = False
    plan: Literal["free", "pro"] = "free"
    langs: list[Literal["py", "js"]] = []
    born: datetime.date | None = None
    phones: list[Phone] = []


def render(source: str, **assigns: object) -> str:
    return Template(IMPORT + source).render_html(assigns)


def test_the_macros_are_found_from_every_kind_of_environment(tmp_path: Path) -> None:
    form = to_form(Profile)
    assert 'name="profile[email]"' in render("{{ input(form['email']) }}", form=form)
    page = tmp_path / "page.html"
    page.write_text(IMPORT + "{{ input(form['email']) }}")
    assert 'name="profile[email]"' in Template.from_file(page).render_html({"form": form})
    own = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader({"x.html": "x"}))
    template = Template(IMPORT + '{% include "x.html" %}{{ input(form.email) }}', environment=own)
    html = template.render_html({"form": form})
    assert html.startswith("x") and 'id="profile_email"' in html
    Template(IMPORT, environment=own)  # checked twice: the loader is not wrapped twice
    assert isinstance(own.loader, jinja2.ChoiceLoader) and len(own.loader.loaders) == 2


def test_a_text_input_with_label_errors_and_attributes() -> None:
    form = to_form(Profile, {"email": "x"}, action="validate")
    html = render(
        "{{ input(form.email, phx_debounce='blur', class='wide', autofocus=True) }}", form=form
    )
    assert html == (
        '<div class="lv-field lv-invalid">\n'
        '<label class="lv-label" for="profile_email">Email</label>'
        '<input type="email" class="lv-input wide" id="profile_email" name="profile[email]"'
        ' value="x" aria-invalid="true" aria-describedby="profile_email-errors" autofocus'
        ' phx-debounce="blur">'
        '<ul class="lv-errors" id="profile_email-errors"><li class="lv-error">value is not a'
        " valid email address: An email address must have an @-sign.</li></ul></div>"
    )


def test_values_are_escaped() -> None:
    form = to_form(Profile, {"name": '"><script>x</script>'}, action="validate")
    html = render("{{ input(form['name']) }}{{ input(form.bio, type='textarea') }}", form=form)
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html
    assert "<script>" not in html


def test_checkbox_select_radio_multi_textarea_and_date() -> None:
    params = {
        "agree": "true",
        "plan": "pro",
        "langs": ["", "js"],
        "bio": "\nhi",
        "born": "2001-02-03",
    }
    form = to_form(Profile, params, action="validate")
    html = render(
        "{{ input(form.agree) }}|{{ input(form.plan) }}|{{ input(form.plan, type='radio') }}|"
        "{{ input(form.langs) }}|{{ input(form.langs, type='checkboxes') }}|"
        "{{ input(form.bio, type='textarea') }}|{{ input(form.born) }}|"
        "{{ input(form.plan, options=[('free', 'Free'), ('pro', 'Pro')], prompt='Pick') }}",
        form=form,
    )
    checkbox, select, radios, multi, boxes, textarea, date, labelled = html.split("|")
    # the hidden "false" first, so an unchecked box still sends the field
    assert '<input type="hidden" name="profile[agree]" value="false">' in checkbox
    assert (
        'type="checkbox" class="lv-input" id="profile_agree" name="profile[agree]"'
        ' value="true" checked>' in checkbox
    )
    assert '<option value="pro" selected>pro</option>' in select
    assert '<option value="free">free</option>' in select
    assert 'id="profile_plan_1" name="profile[plan]" value="pro" checked>' in radios
    assert 'name="profile[plan]" value="free">' in radios
    assert '<input type="hidden" name="profile[langs][]" value="">' in multi
    assert 'name="profile[langs][]" multiple>' in multi
    assert '<option value="js" selected>js</option>' in multi
    assert 'name="profile[langs][]" value="js" checked>' in boxes
    assert boxes.count('type="checkbox"') == 2
    # a newline first: the HTML parser drops one, so a value starting with one survives
    assert textarea.endswith('name="profile[bio]">\n\nhi</textarea></div>')
    assert 'type="date"' in date and 'value="2001-02-03"' in date
    assert '<option value="">Pick</option><option value="free">Free</option>' in labelled


def test_rows_with_add_and_remove_buttons() -> None:
    form = to_form(Profile, {"phones": {"0": {"number": "12"}}}, action="validate")
    html = render(
        "{% for phone in form.phones.forms %}<fieldset>{{ input(phone.number) }}"
        "{{ remove_row(form.phones, phone) }}</fieldset>{% endfor %}"
        "{{ add_row(form.phones, 'Add a phone') }}",
        form=form,
    )
    assert 'name="profile[phones][0][number]" value="12" aria-invalid="true"' in html
    assert '<input type="hidden" name="profile[phones_sort][]" value="0">' in html
    dispatch = json.dumps([["dispatch", {"event": "change"}]], separators=(",", ":"))
    remove = re.search(r'<button type="button" class="lv-remove"[^>]*>Remove</button>', html)
    assert remove is not None
    assert 'name="profile[phones_drop][]" value="0"' in remove[0]
    assert 'phx-click="' + dispatch.replace('"', "&#34;") + '"' in remove[0]
    assert '<input type="hidden" name="profile[phones_drop][]" value="">' in html
    assert 'name="profile[phones_sort][]" value="new"' in html and ">Add a phone</button>" in html


def test_form_errors_show_the_models_own() -> None:
    class Passwords(BaseModel):
        password: str
        confirm: str

        def model_post_init(self, context: object) -> None:
            if self.password != self.confirm:
                raise ValueError("passwords do not match")

    form = to_form(Passwords, {"password": "a", "confirm": "b"}, action="submit")
    html = render("{{ form_errors(form) }}", form=form)
    assert html == (
        '<ul class="lv-errors lv-form-errors" id="passwords-errors">'
        '<li class="lv-error">passwords do not match</li></ul>'
    )


def test_a_keystroke_sends_only_the_fields_whose_markup_changed() -> None:
    template = Template(
        IMPORT + '<form id="f">{% for field in form.fields %}{{ input(field) }}{% endfor %}</form>'
    )
    state = RenderState()
    state.render(template, {"form": to_form(Profile)})
    typed = {"email": "a", "name": "", "_unused_name": "", "bio": "", "_unused_bio": ""}
    diff = state.render(template, {"form": to_form(Profile, typed, action="validate")}, ["form"])
    text = json.dumps(diff)
    # the macro is compiled in place: only the email field's changed slots (its value, its
    # classes, its error), nothing of the untouched fields
    assert set(diff["0"]["k"]) == {"0", "kc"}
    assert "not a valid email address" in text and "profile[name]" not in text
    again = state.render(template, {"form": to_form(Profile, typed, action="validate")}, ["form"])
    assert again == {}
