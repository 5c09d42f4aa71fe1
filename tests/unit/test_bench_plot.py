"""bench/plot.py: the PNGs drawn from a bench/run.py result, on a small result of our own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import plot

PNG = b"\x89PNG\r\n\x1a\n"
SERVERS = ["ours", "pyview", "liveviewjs", "floor"]


def fanout(server: str, n: int, cpu: float, p99: float, kb: float) -> dict[str, Any]:
    return {
        "server": server,
        "phase": "fanout",
        "n": n,
        "server_cpu": {"us_per_diff": cpu},
        "fanout_ms": {"p99": p99},
        "rss_kb": {"per_liveview": kb},
        "other_load": {"cores": 0.02},
    }


def results() -> dict[str, Any]:
    runs = [
        fanout(server, n, cpu=10.0 * (i + 1) + n / 100, p99=n / 10 + i, kb=13.0 + i)
        for n in (100, 1000)
        for i, server in enumerate(SERVERS)
    ]
    runs.append({"server": "pyview", "phase": "fanout", "n": 300, "error": "load client failed"})
    runs.append({"server": "ours", "phase": "rtt", "n": 1, "click_to_diff_ms": {"p50": 1.0}})
    return {
        "meta": {
            "date": "2026-12-06",
            "command": ".venv/bin/python bench/run.py --sizes 100,1000",
            "settings": {"servers": SERVERS, "shape": "list", "sizes": [100, 300, 1000]},
        },
        "runs": runs,
    }


def test_three_pngs_are_written_one_per_metric(tmp_path: Path) -> None:
    written = plot.plot(results(), tmp_path / "assets", "sweep")
    assert [p.name for p in written] == ["sweep-cpu.png", "sweep-p99.png", "sweep-kb.png"]
    for path in written:
        data = path.read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000


@pytest.mark.parametrize("metric", plot.METRICS, ids=lambda m: m.suffix)
def test_every_server_is_a_line_with_its_values_against_n(metric: plot.Metric) -> None:
    axes = plot.figure(results(), metric).axes[0]
    _handles, labels = axes.get_legend_handles_labels()
    assert labels == [plot.LABELS[s] for s in SERVERS]
    lines = {line.get_label(): line for line in axes.get_lines()}
    for i, server in enumerate(SERVERS):
        expected = [fanout(server, n, 10.0 * (i + 1) + n / 100, n / 10 + i, 13.0 + i) for n in
                    (100, 1000)]  # fmt: skip
        outer, inner = metric.keys
        line = lines[plot.LABELS[server]]
        assert list(line.get_xdata()) == [100, 1000]  # the failed run at N = 300 is left out
        assert list(line.get_ydata()) == [run[outer][inner] for run in expected]


def test_a_loaded_machine_is_said_under_the_title() -> None:
    busy = results()
    busy["runs"][0]["other_load"]["cores"] = 1.5
    assert "up to 1.50 cores" in plot.caption(busy)
    assert plot.caption(results()) == ".venv/bin/python bench/run.py --sizes 100,1000"


def test_the_command_line_plots_each_result_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "2026-12-06-sweep.json"
    source.write_text(json.dumps(results()))
    assert plot.main([str(source), "--out", str(tmp_path / "out")]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [f"2026-12-06-sweep-{m}.png" for m in ("cpu", "kb", "p99")]
    assert str(tmp_path / "out" / "2026-12-06-sweep-cpu.png") in capsys.readouterr().out


def test_a_file_that_is_not_a_result_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "soak.json"
    source.write_text(json.dumps({"trials": []}))
    with pytest.raises(SystemExit):
        plot.main([str(source), "--out", str(tmp_path / "out")])
    assert "not a bench/run.py result" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_bench_run_draws_its_results_after_writing_them(tmp_path: Path) -> None:
    from bench import run

    run.write_plots(results(), tmp_path, "2026-12-06")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2026-12-06-cpu.png",
        "2026-12-06-kb.png",
        "2026-12-06-p99.png",
    ]
