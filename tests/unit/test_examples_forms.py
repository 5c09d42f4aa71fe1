"""The gallery's form examples through `liveview.testing`, as a user's own tests would drive them:
forms filled in with `view.form(...)`, errors read from the HTML."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from liveview.gallery import signup, volunteers
from liveview.gallery.forms_app import app
from liveview.testing import LiveViewTestClient


@pytest.fixture
async def client() -> AsyncIterator[LiveViewTestClient]:
    async with LiveViewTestClient(app) as client:
        yield client


@pytest.fixture(autouse=True)
def fresh_data() -> None:
    signup.ACCOUNTS.rows = {"taken@example.org": ("Taken", b"", b"")}
    volunteers.VOLUNTEERS.clear()


async def test_signup_shows_errors_of_used_fields_then_all_on_submit(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/signup")
    form = view.form("#signup")
    assert form.errors == {}
    await form.change({"signup": {"email": "al@"}})
    assert form.errors == {
        "signup[email]": [
            "value is not a valid email address: There must be something after the @-sign."
        ]
    }  # the name, the password and the terms were not used yet: no error for them
    await form.change({"signup": {"name": "Al", "email": "taken@example.org"}})
    assert form.errors == {"signup[email]": ["is already registered"]}
    await form.submit()
    assert form.errors == {
        "signup[email]": ["is already registered"],
        "signup[password]": ["String should have at least 8 characters"],
        "signup[terms]": ["please accept the terms to sign up"],
    }
    assert "phx-trigger-action" not in view.html


async def test_a_valid_signup_triggers_the_form_post_that_signs_in(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/signup")
    form = view.form("#signup")
    values = {"name": "Ada", "email": "Ada@Example.org", "password": "s3cretpass", "terms": True}
    await form.submit({"signup": values})
    assert form.errors == {}
    assert "phx-trigger-action" in view.html  # the client now posts the form to its action
    assert await signup.ACCOUNTS.taken("ada@example.org")
    # what the browser then posts, as it would post it
    body = "&".join(f"signup%5B{k}%5D={v}" for k, v in {**values, "terms": "true"}.items())
    headers = {"content-type": "application/x-www-form-urlencoded"}
    posted = await client.http.post("/signup/session", content=body, headers=headers)
    assert posted.status_code == 303 and posted.headers["location"] == "/signup/welcome"
    welcome = await client.http.get("/signup/welcome")
    assert "Welcome, Ada!" in welcome.text and "ada@example.org" in welcome.text
    wrong = body.replace("s3cretpass", "guessing1")
    client.http.cookies.clear()
    refused = await client.http.post("/signup/session", content=wrong, headers=headers)
    assert refused.headers["location"] == "/signup"
    assert (await client.http.get("/signup/welcome")).headers.get("location") == "/signup"
    forged = await client.http.post(
        "/signup/session", content=body, headers={**headers, "origin": "http://evil.example"}
    )
    assert forged.status_code == 403


async def test_volunteers_validate_add_and_toggle_on_every_tab(
    client: LiveViewTestClient,
) -> None:
    ann = await client.live("/volunteers")
    bob = await client.live("/volunteers")
    form = ann.form("#volunteer")
    await form.change({"volunteer": {"name": "A"}})
    assert form.errors == {"volunteer[name]": ["String should have at least 2 characters"]}
    await form.submit({"volunteer": {"name": "Ann", "phone": "12"}})
    assert form.errors == {"volunteer[phone]": ["should be a phone number, like 555-123-4567"]}
    assert "Nobody yet." in bob.html
    await form.submit({"volunteer": {"phone": "555-123-4567"}})
    await ann.wait_for(lambda html: 'class="name">Ann<' in html)
    assert dict(form.values)["volunteer[name]"] == ""  # saved: the form is empty again
    assert form.errors == {}
    await bob.wait_for(lambda html: 'class="name">Ann<' in html)
    (row_id,) = volunteers.VOLUNTEERS
    await bob.element(f"tr#volunteer-{row_id} button.toggle").click()
    await ann.wait_for(lambda html: "Checked in" in html)
    await bob.wait_for(lambda html: "Checked in" in html)


async def test_team_rows_are_added_and_removed_by_the_form_alone(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/team")
    form = view.form("#team")
    assert view.html.count('class="lv-row"') == 1  # one empty member row to start with
    await form.change({"team": {"members": {"0": {"name": "Ann"}}}})
    # the "Add a member" button is a submitter the change carries (JS.dispatch("change"))
    await form.change({"team": {"members_sort": ["0", "new"]}})
    assert view.html.count('class="lv-row"') == 2
    await form.change({"team": {"members": {"1": {"name": "Bob", "email": "bob@example.org"}}}})
    await form.change({"team": {"members_drop": ["0", ""]}})
    assert view.html.count('class="lv-row"') == 1
    assert 'value="Bob"' in view.html and 'value="Ann"' not in view.html
    await form.submit()
    errors = form.errors
    assert errors["team[name]"] == ["String should have at least 2 characters"]
    assert errors["team[size]"] == ["Field required"]  # an empty number input
    assert errors["team[address][city]"] == ["String should have at least 2 characters"]
    assert "team[members][0][name]" not in errors
    values = {
        "name": "Core",
        "size": "4",
        "starts": "2027-01-04",
        "languages": ["Python", "Rust"],
        "public": True,
        "address": {"street": "1 Main St", "city": "Paris", "country": "France"},
    }
    await form.submit({"team": values})
    assert form.errors == {}
    assert "&#34;city&#34;: &#34;Paris&#34;" in view.html


async def test_a_value_for_an_input_the_form_lacks_fails_the_test(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/signup")
    with pytest.raises(ValueError, match=r"no input named \['signup\[admin\]'\]"):
        await view.form("#signup").change({"signup": {"admin": "true"}})
