"""The README's forms section runs as written: the sign-up page's errors wait for used fields,
all show on submit, a taken e-mail is refused, a valid one welcomed; the create_model block."""

from __future__ import annotations

from typing import Any

from liveview import LiveViewApp
from liveview.testing import LiveViewTestClient
from tests.readme import python_blocks, run_block


async def test_the_readme_signup_page() -> None:
    code: dict[str, Any] = run_block("Forms")
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


def test_the_readme_create_model_block() -> None:
    assert len(python_blocks("Forms")) == 2
    run_block("Forms", 1)  # its own assert checks the error
