"""`liveview run` and `liveview gallery`: the uvicorn settings they serve with."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn

from liveview.cli import main


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
