"""Plots of a fan-out benchmark result: server CPU per delivered diff, p99 fan-out latency and KB
per connected LiveView against N, one line per server (ours, the peers, the floor).

    .venv/bin/python bench/plot.py bench/results/<name>.json [--out docs/assets/bench]

Reads the JSON bench/run.py writes and writes <out>/<name>-cpu.png, <name>-p99.png and
<name>-kb.png (bench/run.py calls it after each run). matplotlib draws with its Agg backend (no
display needed); it comes with the `bench` extra.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "assets" / "bench"
BUSY = 0.10  # cores used by other processes during a run above which the caption says so


@dataclass(frozen=True)
class Metric:
    suffix: str  # of the file name
    keys: tuple[str, str]  # where a fan-out run record keeps the value
    title: str
    unit: str


METRICS = [
    Metric("cpu", ("server_cpu", "us_per_diff"), "Server CPU per delivered diff", "µs"),
    Metric("p99", ("fanout_ms", "p99"), "p99 fan-out: the last of the N diffs out", "ms"),
    Metric("kb", ("rss_kb", "per_liveview"), "Memory per connected LiveView", "KB"),
]

LABELS = {
    "ours": "liveview (ours)",
    "ours-plain": "liveview, plain uvicorn",
    "pyview": "pyview",
    "liveviewjs": "LiveViewJS",
    "floor": "floor (bare websocket, same frames)",
}
STYLES = {  # ours stands out; the floor is the dashed baseline
    "ours": {"color": "#d9480f", "linewidth": 2.6, "marker": "o"},
    "ours-plain": {"color": "#f08c00", "linewidth": 1.6, "marker": "o", "linestyle": ":"},
    "pyview": {"color": "#1971c2", "linewidth": 1.6, "marker": "s"},
    "liveviewjs": {"color": "#2f9e44", "linewidth": 1.6, "marker": "^"},
    "floor": {"color": "#495057", "linewidth": 1.4, "marker": "x", "linestyle": "--"},
}


def series(results: dict[str, Any], metric: Metric) -> dict[str, list[tuple[int, float]]]:
    """Server -> [(N, value)] sorted by N, from the fan-out runs that have the value (a failed
    run has none and is left out), servers in the order the run measured them."""
    order = list(results.get("meta", {}).get("settings", {}).get("servers", []))
    found: dict[str, list[tuple[int, float]]] = {}
    for run in results.get("runs", []):
        if run.get("phase") != "fanout" or "error" in run:
            continue
        outer, inner = metric.keys
        value = run.get(outer, {}).get(inner)
        if isinstance(value, int | float):
            found.setdefault(run["server"], []).append((int(run["n"]), float(value)))
    known = [s for s in order if s in found] + sorted(s for s in found if s not in order)
    return {server: sorted(found[server]) for server in known}


def figure(results: dict[str, Any], metric: Metric) -> Figure:
    """One metric against N, a line per server, the command and shape under the title."""
    meta = results.get("meta", {})
    settings = meta.get("settings", {})
    fig = Figure(figsize=(7.2, 4.2), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.add_subplot()
    sizes: set[int] = set()
    for server, points in series(results, metric).items():
        ns, values = zip(*points, strict=True)
        sizes.update(ns)
        axes.plot(ns, values, label=LABELS.get(server, server), **STYLES.get(server, {}))
    axes.set_xscale("log")
    axes.set_xticks(sorted(sizes), [f"{n:,}" for n in sorted(sizes)])
    axes.minorticks_off()
    axes.set_ylim(bottom=0)
    axes.set_xlabel("N: LiveViews receiving each publish (one websocket each)")
    axes.set_ylabel(f"{metric.title} ({metric.unit})")
    axes.grid(True, alpha=0.3)
    shape = settings.get("shape", "list")
    fig.suptitle(f"{metric.title} — shape “{shape}”, {meta.get('date', '')}", fontsize=11)
    axes.set_title(caption(results), fontsize=6.5, color="#868e96")
    axes.legend(fontsize=8, loc="best")
    return fig


def caption(results: dict[str, Any]) -> str:
    """The command that produced the results, and how busy the machine was meanwhile."""
    busiest = max(
        (run.get("other_load", {}).get("cores", 0.0) for run in results.get("runs", [])),
        default=0.0,
    )
    command = results.get("meta", {}).get("command", "")
    if busiest < BUSY:
        return command
    return f"{command}\nother processes used up to {busiest:.2f} cores during a run"


def plot(results: dict[str, Any], out: Path, name: str) -> list[Path]:
    """Write <out>/<name>-{cpu,p99,kb}.png; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for metric in METRICS:
        path = out / f"{name}-{metric.suffix}.png"
        figure(results, metric).savefig(path, metadata={"Software": None})
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, nargs="+", help="bench/results/<name>.json")
    parser.add_argument("--out", type=Path, default=OUT, help="folder of the PNGs")
    args = parser.parse_args(argv)
    for path in args.results:
        results = json.loads(path.read_text())
        if not isinstance(results, dict) or "runs" not in results:
            parser.error(f"{path} is not a bench/run.py result (no 'runs')")
        for written in plot(results, args.out, path.stem):
            print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
