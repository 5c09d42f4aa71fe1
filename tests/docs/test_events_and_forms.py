"""docs/events-and-forms.md: the sign-up page's errors wait for used fields, all show on submit,
a taken e-mail is refused, a valid one welcomed; the create_model block checks its own error."""

from __future__ import annotations

from liveview import LiveViewApp
from liveview.testing import LiveViewTestClient
from tests.docs.pages import python_blocks, run_page


async def test_the_signup_page() -> None:
    code = run_page("events-and-forms.md")
    app = LiveViewApp(routes={"/": code["SignupPage"]})
    code["USERS"]["taken@example.org"] = "Taken"
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        form = view.form("#signup")
        await form.change({"signup": {"password": "short"}})
        assert form.errors == {"signup[password]": ["String should have at least 8 characters"]}
        await form.change({"signup": {"password": "long enough"}})
        assert form.errors == {"signup[password]": ["needs at least one digit"]}
        await form.submit({"signup": {"email": "taken@example.org"}})
        assert form.errors == {
            "signup[name]": ["String should have at least 1 character"],
            "signup[email]": ["is already registered"],
            "signup[password]": ["needs at least one digit"],
        }
        await form.submit(
            {"signup": {"name": "Ada", "email": "ada@example.org", "password": "s3cretpass"}}
        )
        assert "Welcome, Ada!" in view.html and form.errors == {}
        assert code["USERS"]["ada@example.org"] == "Ada"
        assert dict(form.values)["signup[email]"] == ""  # a fresh form again


def test_the_create_model_block() -> None:
    blocks = python_blocks("events-and-forms.md")
    assert len(blocks) == 2 and "create_model" in blocks[1].code
    code = run_page("events-and-forms.md")  # the block's own assert checks the error, too
    assert code["form"]["q"].errors == ["String should have at least 2 characters"]
    assert code["form"]["page"].value == "2" and not code["form"].valid
