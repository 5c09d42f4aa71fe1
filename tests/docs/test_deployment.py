"""docs/deployment.md: its Python samples make the apps it describes, its nginx block is
deploy/nginx.conf itself, and the flags it names are `liveview run`'s."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from liveview import LiveViewApp
from liveview.cli import main
from tests.docs.pages import run_page

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "deployment.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", PAGE.read_text(), re.DOTALL | re.MULTILINE)


def test_the_python_samples_make_apps() -> None:
    namespace = run_page("deployment.md")
    assert isinstance(namespace["app"], LiveViewApp)
    assert isinstance(namespace["rotating"], LiveViewApp)


def test_the_nginx_config_shown_is_deploy_nginx_conf() -> None:
    (shown,) = blocks("nginx")
    assert shown == (ROOT / "deploy" / "nginx.conf").read_text()


def test_the_flags_the_page_names_are_liveview_runs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    help_text = capsys.readouterr().out
    named = set(re.findall(r"`liveview run[^`]*`|--[a-z][a-z-]+", PAGE.read_text()))
    flags = {flag for text in named for flag in re.findall(r"--[a-z][a-z-]+", text)}
    uvicorn_or_gunicorn = {
        "--ws", "--ws-ping-interval", "--ws-max-size", "--timeout-graceful-shutdown",
        "--no-proxy-headers", "--worker-class", "--graceful-timeout",
    }  # fmt: skip
    assert {"--workers", "--drain-timeout", "--proxy-headers", "--forwarded-allow-ips"} <= flags
    for flag in flags - uvicorn_or_gunicorn:
        assert flag in help_text, flag
