"""The development loop a newcomer runs: `liveview run --reload` without a secret, a template
edited while a tab is open."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from liveview.session import SECRET_ENV
from tests.e2e.gallery_pair import MAIN, open_live

APP = """
from liveview import LiveView, LiveViewApp


class Page(LiveView):
    template_file = "page.html"

    async def mount(self, socket, session, params):
        socket.assign(count=0)

    async def handle_event(self, event, payload, socket):
        socket.assign(count=socket.assigns.count + 1)


app = LiveViewApp(routes={"/": Page})
"""


def test_an_edited_template_shows_in_the_open_tab_without_a_secret(
    cli_server: Callable[..., str], new_page: Callable[[], Page], tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(textwrap.dedent(APP))
    template = project / "page.html"
    template.write_text(
        '<p id="text">first</p><button id="inc" phx-click="inc">{{ count }}</button>'
    )
    env = {key: value for key, value in os.environ.items() if key != SECRET_ENV}
    url = cli_server(["run", "app:app", "--reload"], cwd=project, env=env)
    page = open_live(new_page(), url + "/")
    page.click("#inc")
    expect(page.locator("#inc")).to_have_text("1")

    template.write_text(
        '<p id="text">second</p><button id="inc" phx-click="inc">{{ count }}</button>'
    )
    # the server restarts; the tab reconnects with its old tokens (the secret was kept) and
    # the new template renders in it, with no reload by hand
    expect(page.locator("#text")).to_have_text("second", timeout=5_000)
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    page.click("#inc")
    expect(page.locator("#inc")).to_have_text("1")  # a fresh mount in the new process
    assert (project / ".liveview" / "secret").exists()
