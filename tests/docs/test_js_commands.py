"""docs/js-commands.md: the attributes the page renders are the chains the template built, and
the push reaches `handle_event` (in a browser the same page is exercised by tests/e2e/test_js.py
through the gallery's fuller version)."""

from __future__ import annotations

from liveview import JS, LiveViewApp
from liveview.testing import LiveViewTestClient
from liveview.testing.html import parse
from tests.docs.pages import run_page


async def test_the_modal() -> None:
    code = run_page("js-commands.md")
    app = LiveViewApp(routes={"/": code["Drafts"]}, secret="docs-js")
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        page = parse(view.html)
        close = JS.hide(to="#modal", transition="fade-out", time=150).pop_focus()
        opener = page.find_id("open")
        assert opener is not None
        assert JS.from_json(opener.attrs["phx-click"]) == (
            JS.push_focus()
            .show(to="#modal", transition=("fade-in", "opacity-0", "opacity-100"))
            .focus_first(to="#modal")
        )
        modal, delete = page.find_id("modal"), page.find_id("delete")
        assert modal is not None and delete is not None
        assert JS.from_json(modal.attrs["phx-click-away"]) == close
        assert JS.from_json(modal.attrs["phx-window-keydown"]) == close
        pushed = JS.from_json(delete.attrs["phx-click"])
        assert pushed == JS.push("delete", value={"why": "old"}) + close
        ((_, args), *_) = pushed.to_encodable()
        await view.click(args["event"], args["value"])  # what the client sends for it
        assert '<span id="drafts">2</span>' in view.html
