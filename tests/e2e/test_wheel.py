"""liveview as a user's project gets it: a wheel built from this checkout, installed in a fresh
virtual environment outside it, serving a one-file app with `liveview run`, in Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import venv
import zipfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, _start
from tests.e2e.gallery_pair import MAIN, open_live
from tests.services import LOOPBACK

APP = """
from liveview import LiveView, LiveViewApp


class Counter(LiveView):
    template = '<h1 id="count">{{ count }}</h1><button id="inc" phx-click="inc">+</button>'

    async def mount(self, socket, session, params):
        socket.assign(count=0)

    async def handle_event(self, event, payload, socket):
        socket.assign(count=socket.assigns.count + 1)


app = LiveViewApp(routes={"/": Counter})
"""


def run(*command: str | Path, cwd: Path) -> None:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"


def test_a_wheel_installed_elsewhere_serves_an_app_with_the_client(
    new_page: Callable[[], Page], tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ROOT, cwd=tmp_path)
    (wheel,) = dist.glob("liveview-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "liveview/static/vendor/phoenix_live_view.min.js" in names  # the client is inside
    assert "liveview/layouts/layout.html" in names and "liveview/static/app.js" in names

    environment = tmp_path / "env"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    install = f"{wheel}[gallery]"  # the gallery's forms check e-mail addresses
    run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", install, cwd=tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(textwrap.dedent(APP))

    def command(port: int) -> list[str]:
        return [str(environment / "bin" / "liveview"), "run", "app:app", "--port", str(port),
                "--host", LOOPBACK]  # fmt: skip

    env = {"PATH": f"{environment / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": ""}  # fmt: skip
    server = _start("installed wheel", command, project, env, tmp_path)
    try:
        page = open_live(new_page(), server.url + "/")
        page.click("#inc")
        expect(page.locator("#count")).to_have_text("1")
        assert "liveview/static/vendor" not in server.output()  # no missing-client warning
        page.close()  # before the server goes: its reconnect attempts would be console errors
    finally:
        server.stop()

    # `liveview gallery` from a folder that is not the checkout: the examples ship in the wheel.
    assert "liveview/gallery/app.py" in names and "liveview/gallery/forms.css" in names
    assert "liveview/static/gallery.css" in names
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def gallery(port: int) -> list[str]:
        return [str(environment / "bin" / "liveview"), "gallery", "--port", str(port),
                "--host", LOOPBACK]  # fmt: skip

    server = _start("installed gallery", gallery, elsewhere, env, tmp_path)
    try:
        page = new_page()
        page.goto(server.url + "/")
        page.click("a[href='/counter']")  # the index links to the examples
        expect(page.locator(MAIN)).to_contain_class("phx-connected")
        page.click("#inc")
        expect(page.locator("#count")).to_have_text("1")
        assert page.request.get(server.url + "/assets/gallery.css").ok  # the stylesheet too
        page.close()
    finally:
        server.stop()
