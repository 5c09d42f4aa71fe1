"""`liveview run` and `liveview gallery`: the uvicorn settings they serve with."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from liveview import server
from liveview.cli import main
from liveview.server import LiveViewConfig
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
def runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """What `liveview run` would serve, as the server's config (nothing is served). Making
    the config configures logging, as in the real command: undone afterwards, or the
    `liveview` logger would stop propagating to the other tests' log captures."""
    calls: list[dict[str, Any]] = []

    def run(config: LiveViewConfig) -> None:
        calls.append(vars(config))

    monkeypatch.setattr(server, "run", run)
    loggers = [logging.getLogger(name) for name in LOGGERS]
    saved = [(lg.handlers[:], lg.level, lg.propagate, lg.disabled) for lg in loggers]
    yield calls
    for lg, (handlers, level, propagate, disabled) in zip(loggers, saved, strict=True):
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate, lg.disabled = propagate, disabled


LOGGERS = ("liveview", "uvicorn", "uvicorn.error", "uvicorn.access")


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


def test_run_help_lists_the_serving_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    help_text = capsys.readouterr().out
    for flag in (
        "--workers",
        "--drain-timeout",
        "--ws-per-message-deflate",
        "--proxy-headers",
        "--forwarded-allow-ips",
        "--reload",
    ):
        assert flag in help_text, flag


def test_the_serving_flags_reach_the_server(runs: list[dict[str, Any]]) -> None:
    assert main(["run", "myapp:app"]) == 0
    assert main(
        [
            "run", "myapp:app", "--drain-timeout", "9", "--ws-per-message-deflate", "on",
            "--proxy-headers", "--forwarded-allow-ips", "10.0.0.0/8,127.0.0.1",
        ]
    ) == 0  # fmt: skip
    default, chosen = runs
    # X-Forwarded-* are trusted only when asked: uvicorn's own default trusts 127.0.0.1
    assert default["proxy_headers"] is False and default["forwarded"] is False
    assert default["ws_per_message_deflate"] is False
    assert default["drain_timeout"] == 5 and default["timeout_graceful_shutdown"] == 5
    assert default["workers"] == 1
    assert chosen["forwarded"] is True and chosen["proxy_headers"] is False  # ours, not both
    assert chosen["forwarded_allow_ips"] == "10.0.0.0/8,127.0.0.1"
    assert chosen["ws_per_message_deflate"] is True
    assert chosen["drain_timeout"] == 9 and chosen["timeout_graceful_shutdown"] == 9


def test_reload_watches_template_files_too(runs: list[dict[str, Any]]) -> None:
    assert main(["run", "myapp:app", "--reload"]) == 0
    includes = runs[0]["reload_includes"]
    assert {"*.py", "*.html", "*.jinja", "*.jinja2", "*.j2"} <= set(includes)


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--ws-per-message-deflate", "maybe"), ("--workers", "0"), ("--drain-timeout", "-1")],
)
def test_bad_serving_flag_values_are_refused_by_name(
    runs: list[dict[str, Any]], capsys: pytest.CaptureFixture[str], flag: str, value: str
) -> None:
    with pytest.raises(SystemExit):
        main(["run", "myapp:app", flag, value])
    assert flag in capsys.readouterr().err
    assert runs == []


APP = """
from liveview import LiveView, LiveViewApp, RedisPubSub, SingleProcessPubSub

class Page(LiveView):
    template = "<p>hi</p>"

app = LiveViewApp({{"/": Page}}, pubsub={pubsub}{secret})
"""


def write_app(folder: Path, pubsub: str, secret: str = "") -> None:
    (folder / "app.py").write_text(APP.format(pubsub=pubsub, secret=secret))


def run_cli(
    folder: Path, *args: str, secret: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`liveview run app:app ...` in `folder`, as a user runs it; bounded."""
    env = {k: v for k, v in os.environ.items() if k not in (SECRET_ENV, "LIVEVIEW_PUBSUB_URL")}
    if secret is not None:
        env[SECRET_ENV] = secret
    return subprocess.run(
        [sys.executable, "-m", "liveview.cli", "run", "app:app", "--port", "1", *args],
        cwd=folder, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_workers_with_single_process_pubsub_and_no_secret_are_refused_saying_what_to_set(
    in_a_project: Path,
) -> None:
    write_app(in_a_project, "SingleProcessPubSub()")
    done = run_cli(in_a_project, "--workers", "2")
    assert done.returncode == 2
    said = " ".join(done.stderr.split())
    assert "--workers 2 needs a pub/sub all workers share" in said
    assert "app:app uses SingleProcessPubSub" in said
    assert "pubsub=RedisPubSub(url)" in said and "LIVEVIEW_PUBSUB_URL=redis://" in said
    assert "--workers 2 needs one secret for all workers" in said
    assert "Set LIVEVIEW_SECRET to the same value for every worker and host" in said
    assert "Started" not in done.stderr  # refused before any worker started
    assert not (in_a_project / ".liveview").exists()  # nor a development secret made


def test_workers_refusals_each_on_their_own(in_a_project: Path) -> None:
    write_app(in_a_project, "SingleProcessPubSub()")
    done = run_cli(in_a_project, "--workers", "3", secret="shared")
    assert done.returncode == 2
    assert "SingleProcessPubSub" in done.stderr and "LIVEVIEW_SECRET" not in done.stderr

    write_app(in_a_project, 'RedisPubSub("redis://127.0.0.1:1/0")')  # not connected to yet
    done = run_cli(in_a_project, "--workers", "2")
    assert done.returncode == 2
    assert "LIVEVIEW_SECRET" in done.stderr and "SingleProcessPubSub" not in done.stderr

    done = run_cli(in_a_project, "--workers", "2", "--reload", secret="shared")
    assert done.returncode == 2
    assert "--workers 2 cannot be combined with --reload" in done.stderr


def test_workers_with_a_broker_and_a_secret_in_code_are_served(
    runs: list[dict[str, Any]], in_a_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_app(in_a_project, 'RedisPubSub("redis://127.0.0.1:1/0")', ', secret="in code"')
    monkeypatch.syspath_prepend(str(in_a_project))
    assert main(["run", "app:app", "--workers", "2"]) == 0
    assert runs[0]["workers"] == 2
