"""Live components at scale (issue 14): a page of 1,000 row components, one row changed a publish,
against the same page as a plain `{% for %}` list, side by side in one sitting.

    .venv/bin/python bench/components.py [--n 1000] [--rounds 20] [--pairs 2]
        [--inprocess "100 10 3"] [--pages plain,components,send-update]

The pages are `apps/rows.py`'s: `plain` (the list re-assigned, rendered by the page), `components`
(the same list re-assigned, each row a `live_component`: the Phoenix idiom) and `send-update`
(the changed row sent to its component with `send_update`). Each pair measures every page once,
in alternating order (the machine is shared and noisy: the ratios within a pair are what count):

- over sockets: our server under uvicorn on one core, the load client on the other, N LiveViews
  (one websocket each), as `run.py` measures (`run.measure_quietly`; server CPU per delivered
  diff from /proc, bytes per diff frame, RSS per joined LiveView);
- in process: `fanout_inprocess.py` (the framework's own CPU per diff, no sockets), one page per
  process so that its memory figure is clean.

Writes `results/<date>-components.json` (every run) and `.md` (the medians over the pairs and the
targets as ratios to `plain`: bytes per diff at most 1.2, CPU per diff at most 1.5).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import run
from bench.apps.rows import ROWS

APP = "bench.apps.rows:app"
PAGES = ["plain", "components", "send-update"]
GOALS = {"bytes": 1.2, "cpu": 1.5}


def socket_run(page: str, args: argparse.Namespace) -> dict[str, Any]:
    """One page over sockets, as run.py measures a server (BENCH_ROWS picks the page)."""
    os.environ["BENCH_ROWS"] = page
    record = run.measure_quietly("ours", "fanout", args.n, args, {}, 0)
    record["page"] = page
    return record


def inprocess_run(page: str, args: argparse.Namespace) -> dict[str, Any]:
    """One page in process, in a process of its own."""
    cmd = [
        run.PYTHON,
        str(run.BENCH / "fanout_inprocess.py"),
        *args.inprocess.split(),
        f"rows-{page}",
        "--json",
    ]
    if args.server_core is not None:
        cmd = ["taskset", "-c", str(args.server_core), *cmd]
    done = subprocess.run(cmd, cwd=run.ROOT, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        return {"page": page, "error": done.stderr[-1500:]}
    record: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    record["page"] = page
    record["command"] = " ".join(shlex.quote(c) for c in cmd)
    return record


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarise(runs: list[dict[str, Any]], pages: list[str]) -> dict[str, Any]:
    """Medians per page over the pairs, and each page's ratios to `plain` (per pair too)."""
    out: dict[str, Any] = {}
    for page in pages:
        sock = [
            r for r in runs if r["kind"] == "socket" and r["page"] == page and "server_cpu" in r
        ]
        proc = [
            r for r in runs if r["kind"] == "inprocess" and r["page"] == page and "error" not in r
        ]
        out[page] = {
            "socket_us_per_diff": median([r["server_cpu"]["us_per_diff"] for r in sock]),
            "socket_bytes_per_diff": median([r["bytes_per_diff"]["mean"] for r in sock]),
            "socket_kb_per_liveview": median([r["rss_kb"]["per_liveview"] for r in sock]),
            "socket_join_s": median([r["join"]["all_s"] for r in sock]),
            "socket_fanout_p50_ms": median([r["fanout_ms"]["p50"] for r in sock]),
            "socket_fanout_p99_ms": median([r["fanout_ms"]["p99"] for r in sock]),
            "missed": sum(r["missed"] + r["duplicated"] + r["unexpected"] for r in sock),
            "inprocess_us_per_diff": median([min(r["us_per_diff"]) for r in proc]),
            "inprocess_bytes_per_diff": median([r["bytes_per_diff"] for r in proc]),
            "inprocess_kb_per_liveview": median([r["kb_per_liveview"] for r in proc]),
        }
    plain = out.get("plain")
    for page in pages:
        if page == "plain" or plain is None:
            continue
        mine = out[page]
        pairs = sorted({r["pair"] for r in runs})
        per_pair = []
        for pair in pairs:
            one = {
                (r["kind"], r["page"]): r
                for r in runs
                if r["pair"] == pair and "error" not in r and r["page"] in ("plain", page)
            }
            sp, sc = one.get(("socket", "plain")), one.get(("socket", page))
            ip, ic = one.get(("inprocess", "plain")), one.get(("inprocess", page))
            per_pair.append(
                {
                    "pair": pair,
                    "socket_cpu": _ratio(sc, sp, lambda r: r["server_cpu"]["us_per_diff"]),
                    "socket_bytes": _ratio(sc, sp, lambda r: r["bytes_per_diff"]["mean"]),
                    "inprocess_cpu": _ratio(ic, ip, lambda r: min(r["us_per_diff"])),
                }
            )
        mine["ratios_to_plain"] = {
            ratio: _div(mine[figure], plain[figure])
            for ratio, figure in (
                ("socket_cpu", "socket_us_per_diff"),
                ("socket_bytes", "socket_bytes_per_diff"),
                ("inprocess_cpu", "inprocess_us_per_diff"),
                ("inprocess_bytes", "inprocess_bytes_per_diff"),
            )
        }
        mine["ratios_per_pair"] = per_pair
    return out


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else round(a / b, 3)


def _ratio(a: dict[str, Any] | None, b: dict[str, Any] | None, get: Any) -> float | None:
    if a is None or b is None:
        return None
    try:
        return _div(get(a), get(b))
    except (KeyError, TypeError):
        return None


def write_markdown(results: dict[str, Any], path: Path) -> None:
    meta, summary = results["meta"], results["summary"]
    m = meta["machine"]
    s = meta["settings"]
    out = [
        f"# Live components at scale, {meta['date']}",
        "",
        f"Command (from the repository root): `{meta['command']}`",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']} GB RAM, Linux {m['kernel']}, "
        f"Python {m['python']}; liveview git {meta['versions']['git_commit']} "
        f"({meta['versions']['git_liveview_uncommitted']} uncommitted files under liveview/). "
        f"Server pinned to core {s['server_core']}, load client to core {s['client_core']}.",
        "",
        f"The page (`bench/apps/rows.py`): {ROWS:,} rows built in Python per LiveView; each "
        "publish changes one row (its class and text) and the count shown at the top. `plain`: "
        "the rows in a `{% for %}` list, `handle_info` re-assigns the list (a copy with the one "
        "row replaced); `components`: the same, each row "
        "`{{ live_component(BenchRow, id=row.id, row=row) }}` with the default `update`; "
        "`send-update`: the same page, `handle_info` calls "
        "`socket.send_update(BenchRow, id=i, row=new_row)` and does not re-assign the list.",
        "",
        f"Sockets: N = {s['n']} LiveViews (one websocket each), {s['rounds']} rounds, run.py's "
        "load client and server (uvicorn, one worker). In process: `fanout_inprocess.py "
        f"{s['inprocess']}` (N, rounds, repeats; best repeat), one page per process. "
        f"{s['pairs']} pairs, each page once per pair, the order alternating; figures are medians "
        "over the pairs.",
        "",
        "| page | bytes per diff | server CPU µs per diff (sockets) | in process µs per diff | "
        "KB per LiveView (sockets) | KB per LiveView (in process) | join all N (s) | "
        "fan-out p50 / p99 (ms) | missed + dup. |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page, row in summary.items():
        out.append(
            f"| {page} | {run._fmt(row['socket_bytes_per_diff'], 0)} | "
            f"{run._fmt(row['socket_us_per_diff'])} | {run._fmt(row['inprocess_us_per_diff'])} | "
            f"{run._fmt(row['socket_kb_per_liveview'])} | "
            f"{run._fmt(row['inprocess_kb_per_liveview'])} | {run._fmt(row['socket_join_s'], 1)} | "
            f"{run._fmt(row['socket_fanout_p50_ms'], 0)} / "
            f"{run._fmt(row['socket_fanout_p99_ms'], 0)} | {row['missed']} |"
        )
    out += ["", "Targets (issue 14), ratios to `plain`:", ""]
    out += [
        "| page | what | ratio (median figures) | per pair | goal | status |",
        "|---|---|---:|---|---:|---|",
    ]
    for page, row in summary.items():
        ratios = row.get("ratios_to_plain")
        if not ratios:
            continue
        for key, label, goal in (
            ("socket_bytes", "bytes per diff", GOALS["bytes"]),
            ("socket_cpu", "server CPU per diff, sockets", GOALS["cpu"]),
            ("inprocess_cpu", "CPU per diff, in process", GOALS["cpu"]),
        ):
            value = ratios[key]
            pairs = ", ".join(run._fmt(p[key], 2) for p in row["ratios_per_pair"])
            status = "—" if value is None else "**met**" if value <= goal else "**not met**"
            out.append(
                f"| {page} | {label} | {run._fmt(value, 2)} | {pairs} | ≤ {goal} | {status} |"
            )
    if results.get("notes"):
        out += ["", "## Notes", ""] + [f"- {note}" for note in results["notes"]]
    errors = [
        f"{r['kind']} {r['page']} (pair {r['pair']}): {r['error'][:300]}"
        for r in results["runs"]
        if r.get("error")
    ]
    if errors:
        out += ["", "## Errors", ""] + [f"- {e}" for e in errors]
    path.write_text("\n".join(out) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000, help="LiveViews over sockets")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument(
        "--inprocess", default="100 10 3", help="fanout_inprocess.py's N ROUNDS REPEATS ('' skips)"
    )
    parser.add_argument("--no-socket", action="store_true", help="in process only")
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--run-timeout", type=float, default=1800.0)
    parser.add_argument("--quiet-threshold", type=float, default=0.10)
    parser.add_argument("--retries", type=int, default=1)
    parser.add_argument("--quiet-wait", type=float, default=300.0)
    parser.add_argument("--out", type=Path, default=run.BENCH / "results")
    parser.add_argument("--name", help="results file name (default: <date>-components)")
    args = parser.parse_args()
    pages = [p for p in args.pages.split(",") if p]
    if set(pages) - set(PAGES):
        parser.error(f"unknown pages: {', '.join(sorted(set(pages) - set(PAGES)))}")
    args.app, args.deflate, args.clicks = APP, False, 0
    cores = sorted(os.sched_getaffinity(0))
    args.server_core, args.client_core = (cores[0], cores[1]) if len(cores) >= 2 else (None, None)
    date = datetime.date.today().isoformat()
    results: dict[str, Any] = {
        "meta": {
            "date": date,
            "command": " ".join(
                shlex.quote(a) for a in [".venv/bin/python", "bench/components.py", *sys.argv[1:]]
            ),
            "machine": run.machine_info(),
            "versions": run.our_versions(),
            "settings": {
                "n": args.n,
                "rounds": args.rounds,
                "pairs": args.pairs,
                "pages": pages,
                "rows": ROWS,
                "inprocess": args.inprocess,
                "server_core": args.server_core,
                "client_core": args.client_core,
            },
        },
        "runs": [],
        "notes": [],
    }
    for pair in range(args.pairs):
        order = pages if pair % 2 == 0 else pages[::-1]
        for page in order:
            if not args.no_socket:
                record = socket_run(page, args)
                record.update(kind="socket", pair=pair)
                results["runs"].append(record)
                run.log(f"  socket {page}: {record.get('error') or record['server_cpu']}")
            if args.inprocess.strip():
                run.log(f"in process {page} (pair {pair})")
                record = inprocess_run(page, args)
                record.update(kind="inprocess", pair=pair)
                results["runs"].append(record)
                run.log(f"  in process {page}: {record.get('error') or record['us_per_diff']}")
    results["summary"] = summarise(results["runs"], pages)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.name or f"{date}-components"
    json_path, md_path = args.out / f"{stem}.json", args.out / f"{stem}.md"
    json_path.write_text(json.dumps(results, indent=1) + "\n")
    write_markdown(results, md_path)
    run.log(f"wrote {md_path} and {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
