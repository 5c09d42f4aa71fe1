"""Run the fan-out benchmark: ours, pyview, LiveViewJS and the floor, side by side, in one run.

    .venv/bin/python bench/run.py [--sizes 10,100,500,1000] [--rounds 50] [--clicks 500]

For each N and each server: start the server alone on one core (`taskset`), run the load client
(bench/loadclient.py) on the other core, stop the server. Then the single-client round trip, one
fresh server each. Peers are installed at bench time, never into the project: pyview into a venv
and LiveViewJS into an npm directory, both under bench/.peers/ (gitignored, reused by later
runs; `--fresh-peers` installs into a temporary directory that is deleted afterwards).
Writes bench/results/<date>.json (raw) and bench/results/<date>.md (tables, machine, versions,
command, and the issue's targets as ratios), and plots of them (bench/plot.py) into
docs/assets/bench/<date>-{cpu,p99,kb}.png.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
APPS = BENCH / "apps"
PYTHON = sys.executable  # the project venv's interpreter: ours, the floor and the load client

SERVERS = ["ours", "ours-plain", "ours-longpoll", "pyview", "liveviewjs", "floor"]
LONGPOLL = "ours-longpoll"
"""Ours served as "ours" is, its clients on Phoenix's long poll (`--transport longpoll`)."""
DEFAULT_SERVERS = ["ours", "pyview", "liveviewjs", "floor"]  # ours-plain on request (--servers)
OURS_APP = "bench.apps.ours:app"  # what "ours" serves; bench/components.py serves another
PYVIEW_PACKAGES = ["pyview-web==0.9.0", "uvicorn[standard]==0.54.0", "websockets==17.4"]
LIVEVIEWJS_PACKAGES = [
    "liveviewjs@0.8.1",
    "@liveviewjs/express@0.8.1",
    "express@4.22.3",
    "express-session@1.19.0",
    "ws@8.23.0",
]
# uvicorn flags shared by ours and pyview: one worker, uvloop and httptools (the defaults), no
# compression (added per run); ours also names its websocket protocol (server_command).
UVICORN_FLAGS = ["--no-access-log", "--log-level", "warning"]
SHAPES = {
    "list": "the issue's: a 10-item list where every entry changes every round (its class and "
    "its value depend on the count)",
    "feed": "the last ten counts, newest first: each round one entry comes in at the top and "
    "the other nine shift down unchanged (a feed or a chat)",
    # issue 19: each LiveView computes its own data, so nothing is shared by identity
    "built": "issue 19 (b): the list's 10 rows built in `handle_info` as a new list of dicts "
    "per LiveView (class, text) and assigned; the template loops over them",
    "user": "issue 19 (c): `built` plus a per-LiveView user name in a header slot right after "
    "the h1 (`Signed in as …`, set at mount)",
    "chat": "issue 19 (d): each LiveView appends the published message (id, author, 60 "
    "characters of text) to its own list of the last 50 and assigns it; the list is filled to "
    "50 by unmeasured rounds first (`--prefill-rounds`), so every measured round shifts it",
}
PREFILL = {"chat": 50}  # unmeasured rounds before the measured ones, per shape (default 0)
SHAPE = "list"  # set from --shape; the apps read it from BENCH_SHAPE
OTHER_LOAD = 0.10  # cores used by other processes during the rounds above which a row says so
CLIENT_BOUND = 0.85  # load client CPU busy share during fan-out above which a row is marked


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- peers ----------------------------------------------------------------------------------------


def setup_peers(peers_dir: Path, wanted: list[str]) -> dict[str, Any]:
    peers_dir.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {}
    if "pyview" in wanted:
        venv = peers_dir / "pyview-venv"
        marker = venv / ".bench-packages"
        if not marker.exists() or marker.read_text() != "\n".join(PYVIEW_PACKAGES):
            log(f"installing pyview into {venv}")
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([PYTHON, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *PYVIEW_PACKAGES],
                check=True,
            )
            marker.write_text("\n".join(PYVIEW_PACKAGES))
        out = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "list", "--format", "json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        versions = {p["name"].lower(): p["version"] for p in json.loads(out)}
        info["pyview"] = {
            "python": str(venv / "bin" / "python"),
            "versions": {
                k: versions.get(k)
                for k in ("pyview-web", "uvicorn", "websockets", "starlette", "uvloop", "httptools")
            },
        }
    if "liveviewjs" in wanted:
        npm_dir = peers_dir / "liveviewjs"
        marker = npm_dir / ".bench-packages"
        if not marker.exists() or marker.read_text() != "\n".join(LIVEVIEWJS_PACKAGES):
            log(f"installing LiveViewJS into {npm_dir}")
            shutil.rmtree(npm_dir, ignore_errors=True)
            npm_dir.mkdir(parents=True)
            (npm_dir / "package.json").write_text('{"name": "bench-peers", "private": true}\n')
            subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--save-exact", *LIVEVIEWJS_PACKAGES],
                cwd=npm_dir,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            marker.write_text("\n".join(LIVEVIEWJS_PACKAGES))
        versions = {}
        for name in ("liveviewjs", "@liveviewjs/express", "express", "express-session", "ws"):
            package = json.loads((npm_dir / "node_modules" / name / "package.json").read_text())
            versions[name] = package["version"]
        node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
        versions["node"] = node
        info["liveviewjs"] = {"node_modules": str(npm_dir / "node_modules"), "versions": versions}
    return info


# --- servers --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command(
    name: str,
    port: int,
    peers: dict[str, Any],
    frame_size: int,
    deflate: bool = False,
    app: str = OURS_APP,
    frames: Path | None = None,
) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    env["BENCH_SHAPE"] = SHAPE
    uvicorn = ["--host", "127.0.0.1", "--port", str(port), *UVICORN_FLAGS]
    uvicorn += ["--ws-per-message-deflate", "true" if deflate else "false"]
    if name in ("ours", LONGPOLL):
        # served as the README says: uvicorn with our websocket protocol (liveview/server.py)
        ours_ws = ["--ws", "liveview.server:WebSocketProtocol", "--ws-ping-interval", "0"]
        cmd = [PYTHON, "-m", "uvicorn", app, *ours_ws, *uvicorn]
    elif name == "ours-plain":
        # plain `uvicorn module:app`: uvicorn's default websocket implementation, its default
        # permessage-deflate (accepted; the client offers it as browsers do) and pings
        plain = ["--host", "127.0.0.1", "--port", str(port), *UVICORN_FLAGS]
        cmd = [PYTHON, "-m", "uvicorn", app, *plain]
    elif name == "pyview":
        py = peers["pyview"]["python"]
        cmd = [py, "-m", "uvicorn", "pyview_app:app", "--app-dir", str(APPS), *uvicorn]
    elif name == "liveviewjs":
        cmd = ["node", str(APPS / "liveviewjs_app.js"), "--port", str(port)]
        env["NODE_PATH"] = peers["liveviewjs"]["node_modules"]
        env["NODE_ENV"] = "production"
        env["BENCH_DEFLATE"] = "1" if deflate else "0"
    elif name == "floor":
        cmd = [PYTHON, str(APPS / "floor.py"), "--port", str(port), "--frame-size", str(frame_size)]
        cmd += ["--deflate"] if deflate else []
        cmd += ["--frames", str(frames)] if frames is not None and frames.exists() else []
    else:
        raise ValueError(name)
    return cmd, env


class Server:
    def __init__(
        self,
        name: str,
        core: int | None,
        peers: dict[str, Any],
        frame_size: int,
        deflate: bool = False,
        app: str = OURS_APP,
        frames: Path | None = None,
    ):
        self.name = name
        self.port = free_port()
        cmd, env = server_command(name, self.port, peers, frame_size, deflate, app, frames)
        if core is not None:
            cmd = ["taskset", "-c", str(core), *cmd]  # taskset execs: the pid is the server's
        self.command = cmd
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (open while the server runs)
            prefix=f"bench-{name}-", suffix=".log", delete=False
        )
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {self.tail()}")
            try:
                if self.name == "floor":
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return
                else:
                    url = f"http://127.0.0.1:{self.port}/bench"
                    with urllib.request.urlopen(url, timeout=2) as response:
                        if response.status == 200:
                            return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout} s: {self.tail()}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, lines: int = 15) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace").strip().splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log.name)


def machine_busy_share(seconds: float = 1.0) -> float:
    """Share of all the machine's CPUs busy (or stolen) over `seconds`, from /proc/stat."""

    def read() -> tuple[int, int]:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields[:8]) - idle, sum(fields[:8])

    b0, t0 = read()
    time.sleep(seconds)
    b1, t1 = read()
    return (b1 - b0) / max(1, t1 - t0)


def wait_quiet(args: argparse.Namespace) -> dict[str, Any]:
    """Wait (bounded) until the machine is idle apart from background noise: this machine may
    be shared, and another process on the server's or the client's core skews every column."""
    started = time.monotonic()
    announced = False
    while True:
        share = machine_busy_share()
        waited = time.monotonic() - started
        if share <= args.quiet_threshold:
            return {"busy_share": round(share, 3), "waited_s": round(waited, 1), "quiet": True}
        if waited >= args.quiet_wait:
            log(f"  machine still busy ({share:.0%} of all CPUs) after {waited:.0f} s: measuring")
            return {"busy_share": round(share, 3), "waited_s": round(waited, 1), "quiet": False}
        if not announced:
            log(f"  machine busy ({share:.0%} of all CPUs, other processes): waiting")
            announced = True
        time.sleep(4)


# --- one measurement ------------------------------------------------------------------------------


def measure(
    name: str, phase: str, n: int, args: argparse.Namespace, peers: dict[str, Any], frame_size: int
) -> dict[str, Any]:
    record: dict[str, Any] = {"server": name, "phase": phase, "n": n}
    record["machine_before"] = wait_quiet(args)
    app = getattr(args, "app", OURS_APP)
    # ours records the diff frames it sent for each count; the floor sends the same frames
    frames_dir = getattr(args, "frames_dir", None)
    frames = None if frames_dir is None else Path(frames_dir) / f"ours-{phase}.json"
    server = Server(name, args.server_core, peers, frame_size, args.deflate, app, frames)
    if name == "floor":
        recorded = frames is not None and frames.exists()
        record["floor_frames"] = "ours's, recorded" if recorded else f"padded to {frame_size} B"
    started = time.monotonic()
    try:
        server.wait_ready()
        cmd = [
            PYTHON, str(BENCH / "loadclient.py"),
            "--phase", phase,
            "--protocol", "floor" if name == "floor" else "phoenix",
            "--port", str(server.port),
            "--server-pid", str(server.proc.pid),
            "--n", str(n),
            "--rounds", str(args.rounds),
            "--clicks", str(args.clicks),
            "--settle", str(args.settle),
            "--join-concurrency", str(args.join_concurrency),
        ]  # fmt: skip
        if args.deflate or name == "ours-plain":  # plain serving meets a browser's offer
            cmd.append("--deflate")
        if name == LONGPOLL:
            cmd += ["--transport", "longpoll"]
        if phase == "fanout":
            cmd += ["--prefill-rounds", str(getattr(args, "prefill_rounds", 0))]
        if name == "ours" and frames is not None:
            cmd += ["--record-frames", str(frames)]
        if args.client_core is not None:
            cmd = ["taskset", "-c", str(args.client_core), *cmd]
        log(f"{name} {phase} N={n} (server pid {server.proc.pid}, port {server.port})")
        try:
            done = subprocess.run(
                cmd, cwd=ROOT, capture_output=True, text=True, timeout=args.run_timeout
            )
        except subprocess.TimeoutExpired:
            record["error"] = f"did not finish within {args.run_timeout} s (killed)"
            return record
        if done.returncode != 0 or not done.stdout.strip():
            record["error"] = f"load client failed ({done.returncode}): {done.stderr[-1500:]}"
        else:
            record.update(json.loads(done.stdout.strip().splitlines()[-1]))
        if not server.alive():
            record["error"] = (
                record.get("error", "")
                + f" server exited with {server.proc.returncode}: "
                + server.tail()
            ).strip()
    except Exception as exc:  # the run goes on with the next server; the failure is recorded
        record["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        record["server_command"] = " ".join(shlex.quote(c) for c in server.command)
        record["duration_s"] = round(time.monotonic() - started, 1)
        server.stop()
    summary = record.get("error") or (
        f"fan-out p99 {record.get('fanout_ms', {}).get('p99')} ms, "
        f"{record.get('server_cpu', {}).get('us_per_diff')} us/diff"
        if phase == "fanout"
        else f"click->diff p50 {record.get('click_to_diff_ms', {}).get('p50')} ms"
    )
    log(f"  {name} N={n}: {summary} ({record['duration_s']} s)")
    return record


def contamination(record: dict[str, Any]) -> float:
    """Cores used by other processes (and stolen by the hypervisor) while the record was taken."""
    other = record.get("other_load") or {}
    return float(other.get("cores", 0)) + float(other.get("steal_cores", 0))


def measure_quietly(
    name: str, phase: str, n: int, args: argparse.Namespace, peers: dict[str, Any], frame_size: int
) -> dict[str, Any]:
    """Measure; if other processes took CPU during the rounds, measure again (bounded) and keep
    the least disturbed attempt. Every attempt's disturbance is recorded."""
    attempts: list[dict[str, Any]] = []
    for _ in range(1 + args.retries):
        record = measure(name, phase, n, args, peers, frame_size)
        attempts.append(record)
        if "error" in record or contamination(record) < OTHER_LOAD:
            break
        log(f"  other processes used {contamination(record):.2f} cores meanwhile: measuring again")
    best = min(attempts, key=lambda r: ("error" in r, contamination(r)))
    best["attempts"] = [
        {"other_load_cores": round(contamination(r), 3), "error": r.get("error")} for r in attempts
    ]
    return best


# --- machine and versions -------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def our_versions() -> dict[str, Any]:
    from importlib.metadata import version

    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    versions: dict[str, Any] = {
        k: version(k)
        for k in ("liveview", "uvicorn", "websockets", "starlette", "uvloop", "orjson")
    }
    versions["git_commit"] = git("rev-parse", "--short", "HEAD")
    changed = git("status", "--porcelain", "--", "liveview")
    versions["git_liveview_uncommitted"] = len(changed.splitlines()) if changed else 0
    return versions


# --- report ---------------------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _ratio(ours: float | None, other: float | None) -> float | None:
    if ours is None or other is None or other == 0:
        return None
    return ours / other


def fanout_row(r: dict[str, Any]) -> str:
    if "fanout_ms" not in r:
        return f"| {r['server']} | {r.get('error', 'no result')[:300]} |" + " |" * 9
    f = r["fanout_ms"]
    rss = r["rss_kb"]
    busy = r["busy_during_fanout"]
    notes = []
    if busy.get("client") is not None and busy["client"] >= CLIENT_BOUND:
        notes.append(f"**load client was the bottleneck** (client CPU {busy['client']:.0%})")
    if r.get("error"):
        notes.append(r["error"][:200])
    if r.get("rounds_timed_out"):
        notes.append(f"{r['rounds_timed_out']} rounds timed out")
    if r.get("unexpected"):
        notes.append(f"{r['unexpected']} diffs with a wrong count")
    other = r.get("other_load", {})
    if other.get("cores", 0) + other.get("steal_cores", 0) >= OTHER_LOAD:
        notes.append(
            f"other processes used {other['cores']:.2f} cores (steal {other['steal_cores']:.2f}) "
            "during the rounds"
        )
    hb = r.get("heartbeats", {})
    if hb.get("sent"):
        notes.append(f"heartbeats {hb['ok']}/{hb['sent']} ok")
    return (
        f"| {r['server']} | {_fmt(r['join']['all_s'], 2)} | "
        f"{rss['before'] / 1024:.1f} → {rss['after_join'] / 1024:.1f} | "
        f"{_fmt(rss['per_liveview'])} | "
        f"{_fmt(f['p50'])} / {_fmt(f['p95'])} / {_fmt(f['p99'])} | "
        f"{r['missed']} / {r['duplicated']} | {_fmt(r['bytes_per_diff']['mean'], 0)} "
        f"({_fmt(r.get('server_written_bytes_per_diff'), 0)}) | "
        f"{_fmt(r['server_cpu']['us_per_diff'])} ({_fmt(r['server_cpu']['us_per_diff_stat'])}) | "
        f"{busy['server']:.0%} / {busy['client']:.0%} | {'; '.join(notes)} |"
    )


FANOUT_HEADER = (
    "| server | join all N (s) | server RSS before → after join (MB) | KB per LiveView | "
    "fan-out to all N p50 / p95 / p99 (ms) | missed / duplicated | bytes per diff (written) | "
    "server CPU µs per delivered diff: schedstat (utime+stime) | busy during fan-out: "
    "server / client | notes |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
)


TARGETS = [
    # label, metric, unit, compared with, goal (ours / other at most)
    ("server CPU per delivered diff", ("server_cpu", "us_per_diff"), "µs", "best peer", 0.5),
    ("server CPU per delivered diff", ("server_cpu", "us_per_diff"), "µs", "floor", 3.0),
    ("fan-out p99", ("fanout_ms", "p99"), "ms", "best peer", 0.5),
    ("KB per connected LiveView", ("rss_kb", "per_liveview"), "KB", "best peer", 0.75),
    ("bytes per diff", ("bytes_per_diff", "mean"), "B", "best peer", 1.0),
]

# Issue 19's targets for its shapes (the ones it adds to issue 7's list): CPU and p99 against
# LiveViewJS on the same shape, memory against the best peer, bytes against the peers for chat.
TARGETS_19 = [
    ("server CPU per delivered diff", ("server_cpu", "us_per_diff"), "µs", "liveviewjs", 0.5),
    ("server CPU per delivered diff", ("server_cpu", "us_per_diff"), "µs", "floor", 3.0),
    ("fan-out p99", ("fanout_ms", "p99"), "ms", "liveviewjs", 0.5),
    ("KB per connected LiveView", ("rss_kb", "per_liveview"), "KB", "best peer", 0.75),
]
ISSUE_19_SHAPES = ("built", "user", "chat")


def shape_targets(shape: str) -> tuple[str, list[tuple[str, tuple[str, str], str, str, float]]]:
    """The issue whose targets apply to `shape`, and those targets."""
    if shape not in ISSUE_19_SHAPES:
        return "issue 7", TARGETS
    bytes_vs_peers = [t for t in TARGETS if t[0] == "bytes per diff"]
    return "issue 19", TARGETS_19 + (bytes_vs_peers if shape == "chat" else [])


def compute_targets(fanout: list[dict[str, Any]], n: int, shape: str = "list") -> dict[str, Any]:
    """The issue's targets as ratios within this run, at N = n."""
    rows = {r["server"]: r for r in fanout if r["n"] == n and "fanout_ms" in r}
    ours = rows.get("ours")
    peers = [rows[p] for p in ("pyview", "liveviewjs") if p in rows]
    checks: list[dict[str, Any]] = []
    issue, targets = shape_targets(shape)
    for label, (group, key), unit, against, goal in targets:
        candidates = peers if against == "best peer" else [rows[against]] if against in rows else []
        if ours is None or not candidates:
            checks.append({"target": label, "against": against, "goal": goal, "met": None})
            continue
        value, other = min((r[group][key], r["server"]) for r in candidates)
        ratio = _ratio(ours[group][key], value)
        checks.append(
            {
                "target": label,
                "against": against,
                "unit": unit,
                "ours": ours[group][key],
                "other": other,
                "other_value": value,
                "ratio": None if ratio is None else round(ratio, 3),
                "goal": goal,
                "met": ratio is not None and ratio <= goal,
            }
        )
    every = [r for r in fanout if "fanout_ms" in r]
    clean = all(r["missed"] == 0 and r["duplicated"] == 0 and not r["unexpected"] for r in every)
    no_result = [f"{r['server']} N={r['n']}" for r in fanout if "fanout_ms" not in r]
    client_bound = [
        r["server"] for r in rows.values() if r["busy_during_fanout"]["client"] >= CLIENT_BOUND
    ]
    return {
        "n": n,
        "issue": issue,
        "checks": checks,
        "zero_missed_and_duplicated": clean,
        "rows_without_result": no_result,
        "client_bound": client_bound,
    }


def targets_markdown(t: dict[str, Any]) -> list[str]:
    status = {None: "—", True: "**met**", False: "**not met**"}
    lines = [
        f"| target ({t.get('issue', 'issue 7')}) | ours | compared with | ours / other | goal "
        "| status |",
        "|---|---:|---|---:|---:|---|",
    ]
    for c in t["checks"]:
        if c["met"] is None:
            lines.append(f"| {c['target']} vs {c['against']} | — | no result | | | — |")
            continue
        digits = 0 if c["unit"] == "B" else 1
        lines.append(
            f"| {c['target']} vs {c['against']} | {c['ours']:.{digits}f} {c['unit']} | "
            f"{c['other']}: {c['other_value']:.{digits}f} {c['unit']} | {c['ratio']:.2f} | "
            f"≤ {c['goal']:.2f} | {status[c['met']]} |"
        )
    missing = t["rows_without_result"]
    lines.append(
        "| 0 missed and 0 duplicated deliveries in every row | | every row with a result | | | "
        + status[t["zero_missed_and_duplicated"]]
        + (f" (rows without result: {', '.join(missing)})" if missing else "")
        + " |"
    )
    if t["client_bound"]:
        lines.append(
            f"\nAt N = {t['n']} the load client was the bottleneck for "
            f"{', '.join(t['client_bound'])}: their fan-out latencies are bounded by the client, "
            "not by the server (server CPU per diff is not affected)."
        )
    return lines


def write_report(results: dict[str, Any], path: Path) -> None:
    meta = results["meta"]
    m = meta["machine"]
    ours_v = meta["versions"]["ours"]
    shape = meta["settings"].get("shape", "list")
    out = [
        f"# Fan-out benchmark, {meta['date']}, shape `{shape}`",
        "",
        f"Command (from the repository root): `{meta['command']}`",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']} GB RAM, Linux {m['kernel']}, "
        f"Python {m['python']}. Server pinned to core {meta['settings']['server_core']}, load "
        f"client to core {meta['settings']['client_core']} (`taskset`).",
        "",
        "Versions:",
        "",
        f"- ours: liveview {meta['versions']['ours']['liveview']} (git "
        f"{meta['versions']['ours']['git_commit']}, "
        f"{ours_v['git_liveview_uncommitted']} uncommitted files under liveview/), "
        f"uvicorn {ours_v['uvicorn']}, websockets {ours_v['websockets']}, "
        f"starlette {ours_v['starlette']}, uvloop {ours_v['uvloop']}, orjson {ours_v['orjson']}",
    ]
    peers = meta["versions"].get("peers", {})
    if "pyview" in peers:
        v = peers["pyview"]["versions"]
        out.append(
            f"- pyview: pyview-web {v['pyview-web']}, uvicorn {v['uvicorn']}, websockets "
            f"{v['websockets']}, starlette {v['starlette']}, uvloop {v['uvloop']}"
        )
    if "liveviewjs" in peers:
        v = peers["liveviewjs"]["versions"]
        out.append(
            f"- LiveViewJS: liveviewjs {v['liveviewjs']}, @liveviewjs/express "
            f"{v['@liveviewjs/express']}, express {v['express']}, express-session "
            f"{v['express-session']}, ws {v['ws']}, Node {v['node']}"
        )
    out.append(f"- floor: websockets {meta['versions']['ours']['websockets']} (bare server)")
    s = meta["settings"]
    out += [
        "",
        f"Shape (`--shape {shape}`, the apps' `BENCH_SHAPE`): {SHAPES[shape]}."
        + (
            f" {s['prefill_rounds']} unmeasured rounds ran after the joins, before the "
            "measured ones."
            if s.get("prefill_rounds")
            else ""
        ),
        "",
        f"Settings: {s['rounds']} rounds per row, {s['clicks']} single-client clicks, joins "
        f"{s['join_concurrency']} at a time. Servers: ours and pyview on uvicorn, one worker, "
        "uvloop and httptools; pyview with uvicorn's default websocket implementation "
        "(`websockets-sansio`), ours with the one it ships and the README serves apps with "
        "(`--ws liveview.server:WebSocketProtocol`: the same protocol keeping less per "
        "connection); "
        "LiveViewJS on Node with `ws`; the floor on `websockets`, sending the frames ours sent "
        "for the same counts, byte for byte (recorded by the load client from ours's row; "
        "without an ours row, a frame padded to ours's size). "
        + (
            "*ours-plain* is ours served by plain `uvicorn bench.apps.ours:app` (uvicorn's "
            "default websocket implementation, ping and permessage-deflate, which the load "
            "client offers for this row as browsers do, so it is negotiated). "
            if "ours-plain" in s.get("servers", [])
            else ""
        )
        + (
            f"*{LONGPOLL}* is ours served as *ours* is, with every LiveView on Phoenix's long "
            "poll (`/live/longpoll`) instead of a websocket, as the official client speaks it "
            "when it falls back: a GET held until frames wait (10 s window), events as "
            "`application/x-ndjson` POSTs, one batch at a time; *bytes per diff* is then the "
            "frame's text inside the poll's JSON answer, *written* includes the HTTP headers. "
            if LONGPOLL in s.get("servers", [])
            else ""
        )
        + (
            "**Compression on**: the load client offers permessage-deflate as browsers do, and "
            "every server accepts it (`--ws-per-message-deflate true`, `perMessageDeflate: true`, "
            "`compression='deflate'`). "
            if s.get("deflate")
            else "Compression off: the load client does not offer permessage-deflate, and every "
            "server is configured without it (`--ws-per-message-deflate false`, "
            "`perMessageDeflate: false`, `compression=None`). "
        )
        + "For pyview, uvicorn sends a websocket ping every 20 s (its default); ours is served "
        "without (`--ws-ping-interval 0`: the app closes websockets silent for 60 s itself, as "
        "Phoenix does); the others do not ping.",
        "",
        "Columns: *fan-out* is the time from the click being sent until the last of the N "
        "LiveViews has received the diff carrying the new count (percentiles over rounds). "
        "*Missed / duplicated*: LiveViews that did not get the round's diff / got it twice. "
        "*KB per LiveView*: server VmRSS after joining minus before, over N. *Bytes per diff*: "
        "websocket payload of the diff frame a subscriber receives (uncompressed); *written*: "
        "bytes the server process wrote during the rounds (/proc/<pid>/io wchar: frames on the "
        "wire after compression, headers, replies, pings) per delivered diff. *Server CPU per "
        "delivered "
        "diff*: server process CPU time over all rounds / (N · rounds), from "
        "/proc/<pid>/task/*/schedstat (ns) and, in parentheses, utime+stime of /proc/<pid>/stat "
        "(10 ms ticks, coarse at small N). *Busy*: CPU time / wall time during the fan-out "
        f"windows; a client share ≥ {CLIENT_BOUND:.0%} marks the load client as the bottleneck.",
    ]
    fanout = [r for r in results["runs"] if r["phase"] == "fanout"]
    for n in meta["settings"]["sizes"]:
        out += ["", f"## N = {n}", "", FANOUT_HEADER]
        out += [fanout_row(r) for r in fanout if r["n"] == n]
    rtt = [r for r in results["runs"] if r["phase"] == "rtt"]
    if rtt:
        out += [
            "",
            f"## Single client: click → diff round trip ({s['clicks']} clicks, one LiveView)",
            "",
            "| server | click → diff p50 / p99 (ms) | click → reply p50 / p99 (ms) | "
            "server CPU per click (µs) | missed / duplicated | notes |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for r in rtt:
            if "click_to_diff_ms" not in r:
                out.append(f"| {r['server']} | | | | | {r.get('error', '')[:300]} |")
                continue
            d, rep = r["click_to_diff_ms"], r["click_to_reply_ms"]
            out.append(
                f"| {r['server']} | {_fmt(d['p50'], 2)} / {_fmt(d['p99'], 2)} | "
                f"{_fmt(rep['p50'], 2)} / {_fmt(rep['p99'], 2)} | "
                f"{_fmt(r['server_cpu_us_per_click'])} | {r['missed']} / {r['duplicated']} | "
                f"{r.get('error', '')} |"
            )
    biggest = max(meta["settings"]["sizes"])
    issue = results["targets"].get("issue", "issue 7")
    out += ["", f"## Targets at N = {biggest} ({issue}, shape `{shape}`), from this run", ""]
    if shape == "feed":
        out += ["The issue's targets are set for the default list shape; here for comparison.", ""]
    elif shape in ISSUE_19_SHAPES:
        out += [
            "Issue 19's targets on its shapes: CPU per diff and p99 against LiveViewJS on the same "
            "shape; bytes per diff against Phoenix LiveView 1.2 is not measured here (for `chat`, "
            "against the peers).",
            "",
        ]
    out += targets_markdown(results["targets"])
    if results.get("notes"):
        out += ["", "## Notes", ""] + [f"- {note}" for note in results["notes"]]
    path.write_text("\n".join(out) + "\n")


# --- main -----------------------------------------------------------------------------------------


def write_plots(results: dict[str, Any], out: Path, stem: str) -> None:
    """The run's PNGs (bench/plot.py); without matplotlib (the `bench` extra) say so and go on:
    the results are written already."""
    if str(ROOT) not in sys.path:  # run as `python bench/run.py`: the repo root is not on it
        sys.path.insert(0, str(ROOT))
    try:
        from bench import plot
    except ImportError as error:
        log(f"no plots ({error}): pip install -e '.[bench]', then bench/plot.py <results>.json")
        return
    for path in plot.plot(results, out, stem):
        log(f"wrote {path}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="10,100,500,1000")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument(
        "--join-concurrency",
        type=int,
        default=32,
        help="joins in flight at once (N for a join storm: every LiveView joins at once)",
    )
    parser.add_argument("--clicks", type=int, default=500)
    parser.add_argument(
        "--servers",
        default=",".join(DEFAULT_SERVERS),
        help=f"any of {', '.join(SERVERS)}; ours-plain is ours served by plain `uvicorn "
        "bench.apps.ours:app` (uvicorn's default websocket implementation, permessage-deflate "
        "accepted and offered by the client as browsers do)",
    )
    parser.add_argument(
        "--deflate",
        action="store_true",
        help="the client offers permessage-deflate as browsers do, and every server accepts it "
        "(default: not offered, no server compresses)",
    )
    parser.add_argument(
        "--shape",
        choices=sorted(SHAPES),
        default="list",
        help="the apps' list: " + "; ".join(f"{k}: {v}" for k, v in SHAPES.items()),
    )
    parser.add_argument(
        "--prefill-rounds",
        type=int,
        help="unmeasured rounds after the joins (default: 50 for chat, to fill its list; else 0)",
    )
    parser.add_argument(
        "--transport",
        choices=["websocket", "longpoll", "both"],
        default="websocket",
        help=f"how ours's clients connect: longpoll runs {LONGPOLL} in place of ours (the same "
        "server, the clients on Phoenix's long poll); both runs the two side by side",
    )
    parser.add_argument("--no-rtt", action="store_true", help="skip the single-client round trip")
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--run-timeout", type=float, default=900.0, help="per server and N (s)")
    parser.add_argument(
        "--quiet-threshold",
        type=float,
        default=0.10,
        help="before each measurement, wait until at most this share of all CPUs is busy",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=2,
        help="measure again when other processes used CPU during the rounds",
    )
    parser.add_argument("--quiet-wait", type=float, default=600.0, help="longest such wait (s)")
    parser.add_argument("--peers-dir", type=Path, default=BENCH / ".peers")
    parser.add_argument("--fresh-peers", action="store_true", help="install peers into a temp dir")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument("--name", help="results file name (default: today's date)")
    parser.add_argument(
        "--plots",
        type=Path,
        default=ROOT / "docs" / "assets" / "bench",
        help="folder of the PNGs bench/plot.py draws from the results (<name>-{cpu,p99,kb}.png)",
    )
    parser.add_argument("--no-plots", action="store_true", help="write no PNGs")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    global SHAPE
    SHAPE = args.shape
    if args.prefill_rounds is None:
        args.prefill_rounds = PREFILL.get(args.shape, 0)
    servers = [s for s in args.servers.split(",") if s]
    if args.transport != "websocket" and "ours" in servers:
        at = servers.index("ours")
        servers[at : at + 1] = [LONGPOLL] if args.transport == "longpoll" else ["ours", LONGPOLL]
    unknown = set(servers) - set(SERVERS)
    if unknown:
        parser.error(f"unknown servers: {', '.join(sorted(unknown))}")

    cores = sorted(os.sched_getaffinity(0))
    args.server_core, args.client_core = (cores[0], cores[1]) if len(cores) >= 2 else (None, None)
    if args.client_core is not None:
        os.sched_setaffinity(
            0, {args.client_core}
        )  # this process only waits: keep it off the server
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # servers inherit it: N sockets

    temp_peers = None
    args.frames_dir = tempfile.mkdtemp(prefix="bench-frames-")  # ours's frames, for the floor
    if args.fresh_peers:
        temp_peers = tempfile.mkdtemp(prefix="bench-peers-")
        args.peers_dir = Path(temp_peers)
    notes: list[str] = []
    if args.server_core is None:
        notes.append("Fewer than 2 CPUs: server and load client were not pinned to separate cores.")
    try:
        peers = setup_peers(args.peers_dir, servers)
        date = datetime.date.today().isoformat()
        results: dict[str, Any] = {
            "meta": {
                "date": date,
                "command": " ".join(
                    shlex.quote(a) for a in [".venv/bin/python", "bench/run.py", *sys.argv[1:]]
                ),
                "machine": machine_info(),
                "versions": {"ours": our_versions(), "peers": peers},
                "settings": {
                    "sizes": sizes,
                    "rounds": args.rounds,
                    "clicks": args.clicks,
                    "join_concurrency": args.join_concurrency,
                    "server_core": args.server_core,
                    "client_core": args.client_core,
                    "servers": servers,
                    "deflate": args.deflate,
                    "transport": args.transport,
                    "shape": args.shape,
                    "prefill_rounds": args.prefill_rounds,
                },
            },
            "runs": [],
            "notes": notes,
        }
        frame_size = 330
        for n in sizes:
            for name in servers:
                record = measure_quietly(name, "fanout", n, args, peers, frame_size)
                results["runs"].append(record)
                if name == "ours" and record.get("bytes_per_diff", {}).get("mean"):
                    frame_size = round(record["bytes_per_diff"]["mean"])
                if name == "floor":
                    record["floor_frame_size"] = frame_size
        if not args.no_rtt:
            for name in servers:
                record = measure_quietly(name, "rtt", 1, args, peers, frame_size)
                results["runs"].append(record)
        fanout_runs = [r for r in results["runs"] if r["phase"] == "fanout"]
        results["targets"] = compute_targets(fanout_runs, max(sizes), args.shape)
        args.out.mkdir(parents=True, exist_ok=True)
        stem = args.name or date + ("-deflate" if args.deflate else "") + (
            "" if args.shape == "list" else f"-{args.shape}"
        )
        json_path, md_path = args.out / f"{stem}.json", args.out / f"{stem}.md"
        json_path.write_text(json.dumps(results, indent=1) + "\n")
        write_report(results, md_path)
        log(f"wrote {md_path} and {json_path}")
        if not args.no_plots:
            write_plots(results, args.plots, stem)
    finally:
        shutil.rmtree(args.frames_dir, ignore_errors=True)
        if temp_peers is not None:
            shutil.rmtree(temp_peers, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
