"""`liveview run` and `liveview gallery`: the uvicorn settings they serve with."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from liveview.cli import main
from liveview.session import SECRET_ENV, TokenSigner


@pytest.fixture(autouse=True)
def in_a_project(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Each test runs in an empty folder with no secret in the environment (both restored)."""
    monkeypatch.chdir(tmp_path)
    for name in (SECRET_ENV, "LIVEVIEW_DEBUG"):
        # set, then unset: so that what `liveview run` puts in os.environ is undone after
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return tmp_path


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def run(app: str, **options: Any) -> None:
        calls.append({"app": app, **options})

    monkeypatch.setattr(uvicorn, "run", run)
    return calls


def test_run_serves_with_our_protocol_and_a_1_mib_frame_limit(runs: list[dict[str, Any]]) -> None:
    assert main(["run", "myapp:app", "--port", "9000"]) == 0
    (options,) = runs
    assert options["app"] == "myapp:app" and options["port"] == 9000
    assert options["ws"] == "liveview.server:WebSocketProtocol"
    assert options["ws_per_message_deflate"] is False and options["ws_ping_interval"] is None
    assert options["ws_max_size"] == 1_048_576


def test_gallery_serves_the_gallery_that_ships_in_the_package(
    runs: list[dict[str, Any]],
) -> None:
    assert main(["gallery", "--port", "9001"]) == 0  # from an empty folder: no checkout needed
    (options,) = runs
    assert options["app"] == "liveview.gallery.app:app" and options["port"] == 9001


def test_gallery_without_its_extra_says_what_to_install(
    runs: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "email_validator", None)  # as if not installed
    with pytest.raises(SystemExit):
        main(["gallery"])
    assert "pip install 'liveview[gallery]'" in capsys.readouterr().err
    assert runs == []


def test_the_frame_limit_can_be_changed(runs: list[dict[str, Any]]) -> None:
    assert main(["run", "myapp:app", "--max-frame-size", "4194304"]) == 0
    assert runs[0]["ws_max_size"] == 4_194_304


@pytest.mark.parametrize("size", ["0", "-5", "1MB"])
def test_a_frame_limit_that_is_not_a_positive_number_is_refused(
    runs: list[dict[str, Any]], size: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["run", "myapp:app", "--max-frame-size", size])
    assert "--max-frame-size" in capsys.readouterr().err
    assert runs == []


def test_run_without_a_secret_keeps_one_for_development_across_restarts(
    runs: list[dict[str, Any]], in_a_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every --reload restarts the process: with a random secret each time, an open tab's
    # tokens stopped verifying and it could never reconnect.
    assert main(["run", "myapp:app", "--reload"]) == 0
    first = os.environ[SECRET_ENV]
    assert ".liveview/secret" in capsys.readouterr().err
    token = TokenSigner(first).sign_csrf("cookie")
    del os.environ[SECRET_ENV]  # a new process: nothing inherited
    assert main(["run", "myapp:app"]) == 0
    assert os.environ[SECRET_ENV] == first
    TokenSigner(os.environ[SECRET_ENV]).verify_csrf(token, "cookie")
    kept = in_a_project / ".liveview" / "secret"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert (in_a_project / ".liveview" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_secret_in_the_environment_is_used_as_is(
    runs: list[dict[str, Any]], in_a_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "from-the-environment")
    assert main(["run", "myapp:app"]) == 0
    assert os.environ[SECRET_ENV] == "from-the-environment"
    assert not (in_a_project / ".liveview").exists()


def test_debug_and_log_level_reach_the_app_and_the_loggers(
    runs: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["run", "myapp:app", "--debug", "--log-level", "debug"]) == 0
    assert os.environ["LIVEVIEW_DEBUG"] == "1"
    (options,) = runs
    assert options["log_level"] == "debug"
    liveview_logger = options["log_config"]["loggers"]["liveview"]
    assert liveview_logger["level"] == "DEBUG" and liveview_logger["handlers"] == ["liveview"]
    assert "%(asctime)s %(levelname)" in options["log_config"]["formatters"]["liveview"]["fmt"]


def test_version_and_help_say_what_they_should(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("liveview ")
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    help_text = capsys.readouterr().out
    assert "(default: 8000)" in help_text and "LIVEVIEW_SECRET" in help_text
    assert "--debug" in help_text and "--log-level" in help_text


def test_publish_help_says_an_in_process_app_cannot_be_reached(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["publish", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "default in-process pub/sub (SingleProcessPubSub) cannot be reached" in text
