"""The e2e fixtures themselves: servers start, the browser clicks, console errors are caught."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, AsyncRunner, BrowserConsole, BrowserConsoleErrors

SMOKE = "tests.e2e.apps.smoke:app"


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_click_changes_text(live_server: Callable[..., str], page: Page) -> None:
    url = live_server(SMOKE)
    page.goto(url + "/")
    expect(page.locator("#text")).to_have_text("before")
    page.click("#btn")
    expect(page.locator("#text")).to_have_text("after")


def test_two_servers_at_once_with_their_own_env(live_server: Callable[..., str]) -> None:
    a = live_server(SMOKE, env={"SMOKE_NAME": "a"})
    b = live_server(SMOKE, env={"SMOKE_NAME": "b"})
    assert a != b
    assert fetch(a + "/env") == (200, "a")
    assert fetch(b + "/env") == (200, "b")


def test_a_server_that_cannot_start_fails_with_its_output(
    live_server: Callable[..., str],
) -> None:
    with pytest.raises(pytest.fail.Exception) as failure:
        live_server("tests.e2e.apps.smoke:no_such_app")
    assert "no_such_app" in str(failure.value)  # uvicorn's own error message is included


@pytest.mark.allow_console_errors
def test_console_errors_are_detected(
    live_server: Callable[..., str], page: Page, browser_console: BrowserConsole
) -> None:
    page.goto(live_server(SMOKE) + "/console-error")
    expect(page.locator("#status")).to_have_text("done")
    with pytest.raises(BrowserConsoleErrors) as failure:
        browser_console.check()
    message = str(failure.value)
    assert "console.error: smoke: deliberate console.error" in message
    assert "pageerror: smoke: deliberate uncaught error" in message


def test_a_clean_page_has_no_console_errors(
    live_server: Callable[..., str], page: Page, browser_console: BrowserConsole
) -> None:
    page.goto(live_server(SMOKE) + "/")
    page.click("#btn")
    browser_console.check()  # e.g. no favicon 404, no stray errors from the fixtures
    assert browser_console.errors == []


def test_run_async_runs_coroutines_next_to_the_sync_browser(
    run_async: AsyncRunner, page: Page
) -> None:
    async def add(a: int, b: int) -> int:
        await asyncio.sleep(0.01)
        return a + b

    page.set_content("<p>sync playwright is active in this thread</p>")
    assert run_async(add(1, 2)) == 3


def test_console_error_fails_an_unmarked_test_and_reports_server_output(
    tmp_path: Path,
) -> None:
    """Runs a small pytest session using these fixtures and checks its verdicts."""
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n    allow_console_errors: expected console errors\n"
    )
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent(
            f"""
            import pytest
            from playwright.sync_api import expect

            def test_unmarked(live_server, page):
                page.goto(live_server({SMOKE!r}) + "/console-error")
                expect(page.locator("#status")).to_have_text("done")

            @pytest.mark.allow_console_errors
            def test_marked(live_server, page):
                page.goto(live_server({SMOKE!r}) + "/console-error")
                expect(page.locator("#status")).to_have_text("done")

            def test_server_output_in_report(live_server):
                import urllib.request, urllib.error
                url = live_server({SMOKE!r})
                try:
                    urllib.request.urlopen(url + "/crash")
                except urllib.error.HTTPError:
                    pass
                assert False, "fail on purpose"
            """
        )
    )
    plugins = ["-p", "tests.e2e.conftest", "-p", "no:cacheprovider"]
    config = ["-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path)]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, *config, "-rA", "test_inner.py"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "FAILED test_inner.py::test_unmarked" in out, out
    assert "browser console error(s)" in out, out
    assert "smoke: deliberate uncaught error" in out, out
    assert "PASSED test_inner.py::test_marked" in out, out
    assert "FAILED test_inner.py::test_server_output_in_report" in out, out
    assert "RuntimeError: smoke: deliberate server error" in out, out  # the server's traceback
