"""The fan-out benchmark through a deployment: nginx (deploy/nginx.conf, as tested) in front of two
`liveview run` processes on Redis, beside one `liveview run` process without a proxy.

    .venv/bin/python bench/deploy.py [--n 1000] [--rounds 50] [--name 2026-12-06-deploy]

Topologies, each started fresh, measured by bench/loadclient.py's fan-out phase (N LiveViews
join, then each round one clicks and every LiveView gets the diff), the app bench/apps/ours.py:

- `single` (1 process): `liveview run` alone, SingleProcessPubSub (as bench/run.py's "ours", but
  served by the CLI);
- `single-redis` (1 process, Redis): the same on a private redis-server: what the broker
  costs alone;
- `nginx2` (nginx + 2 processes, Redis): the deployment of docs/deployment.md. The load client's
  connections go to nginx, whose round robin gives each page and each websocket to either
  process (a page rendered by one is often joined by the other).

Server CPU per delivered diff is summed over every process on the server side: the liveview
processes, nginx (master and worker) and redis-server, each also listed. Nothing is pinned to
a core (`taskset`): five processes share the machine's cores. Writes bench/results/<name>.json
and .md. Loopback only; every loop bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402  (run.py's pieces: the same waits, machine and versions)
    PYTHON,
    contamination,
    free_port,
    log,
    machine_info,
    our_versions,
    wait_quiet,
)
from tests.nginx import Nginx  # noqa: E402
from tests.services import PrivateRedis  # noqa: E402

APP = "bench.apps.ours:app"
TOPOLOGIES = {
    "single": "1 process",
    "single-redis": "1 process, Redis",
    "nginx2": "nginx + 2 processes, Redis",
}
"""`--topologies` keys and the names the report gives them."""


class Process:
    """`liveview run` of the bench app on a free port, until `stop`."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.command = [
            PYTHON, "-m", "liveview.cli", "run", APP, "--host", "127.0.0.1",
            "--port", str(self.port), "--log-level", "warning", "--proxy-headers",
        ]  # fmt: skip
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (open while it runs)
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env={**os.environ, "LIVEVIEW_SECRET": "bench", **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"exited: {self.log.read()[-2000:].decode(errors='replace')}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/bench", timeout=2).close()
                return
            time.sleep(0.2)
        raise RuntimeError(f"not ready after {timeout} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@contextlib.contextmanager
def topology(name: str, folder: Path, n: int) -> Iterator[tuple[int, dict[str, list[int]]]]:
    """Start `name`; yield the port the clients use and the server-side pids by role."""
    with contextlib.ExitStack() as stack:
        env: dict[str, str] = {}
        roles: dict[str, list[int]] = {}
        if name != "single":
            redis = stack.enter_context(PrivateRedis())
            env["BENCH_PUBSUB_URL"] = redis.url
            roles["redis-server"] = [redis.pid]
        count = 2 if name == "nginx2" else 1
        processes = [Process(env) for _ in range(count)]
        for process in processes:
            stack.callback(process.stop)
        for process in processes:
            process.wait_ready()
        roles["liveview"] = [process.proc.pid for process in processes]
        port = processes[0].port
        if count == 2:
            upstreams = (processes[0].port, processes[1].port)
            nginx = Nginx(free_port(), upstreams, folder / "nginx", connections=4 * n + 256)
            stack.enter_context(nginx)
            roles["nginx"] = nginx.pids
            port = nginx.port
        yield port, roles


def measure(name: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    record: dict[str, Any] = {"topology": TOPOLOGIES[name], "n": args.n}
    record["machine_before"] = wait_quiet(args)
    started = time.monotonic()
    try:
        with topology(name, folder, args.n) as (port, roles):
            pids = [pid for group in roles.values() for pid in group]
            cmd = [
                PYTHON, str(ROOT / "bench" / "loadclient.py"), "--phase", "fanout",
                "--port", str(port), "--n", str(args.n), "--rounds", str(args.rounds),
                "--join-concurrency", str(args.join_concurrency),
                *(arg for pid in pids for arg in ("--server-pid", str(pid))),
            ]  # fmt: skip
            log(f"{name} N={args.n} (port {port}, server pids {roles})")
            done = subprocess.run(
                cmd, cwd=ROOT, capture_output=True, text=True, timeout=args.run_timeout
            )
            record["roles"] = roles
            if done.returncode != 0 or not done.stdout.strip():
                record["error"] = f"load client failed ({done.returncode}): {done.stderr[-1500:]}"
            else:
                record.update(json.loads(done.stdout.strip().splitlines()[-1]))
    except Exception as exc:  # recorded; the next topology still runs
        record["error"] = f"{type(exc).__name__}: {exc}"
    record["duration_s"] = round(time.monotonic() - started, 1)
    log(f"  {name}: {record.get('error') or summary(record)} ({record['duration_s']} s)")
    return record


def summary(r: dict[str, Any]) -> str:
    return (
        f"fan-out p99 {r['fanout_ms']['p99']} ms, {r['server_cpu']['us_per_diff']} us/diff "
        f"over {sum(len(g) for g in r['roles'].values())} processes"
    )


def by_role(r: dict[str, Any]) -> dict[str, float]:
    """µs of CPU per delivered diff, by role (liveview, nginx, redis-server)."""
    per_pid = r["server_cpu"]["us_per_diff_by_pid"]
    return {
        role: round(sum(per_pid[str(pid)] for pid in pids), 2) for role, pids in r["roles"].items()
    }


def write_report(results: dict[str, Any], path: Path) -> None:
    path.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")
    lines = [
        f"# Fan-out through a deployment, N = {results['n']} ({results['date']})",
        "",
        "nginx (deploy/nginx.conf) in front of two `liveview run` processes on Redis, beside one",
        "`liveview run` process without a proxy; the app is bench/apps/ours.py (the issue's list",
        "shape). CPU per delivered diff is summed over every server-side process (liveview,",
        "nginx master and worker, redis-server), on-CPU time from schedstat; the split by role",
        "follows. Nothing pinned: the processes and the load client share the machine's cores.",
        "",
        "| topology | joined | delivered | missed | fan-out p50 ms | p99 ms | CPU µs/diff, all "
        "| liveview | nginx | redis-server | other load (cores) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["runs"]:
        if "error" in r:
            lines.append(f"| {r['topology']} | error: {r['error'][:200]} |" + " |" * 9)
            continue
        roles = by_role(r)
        lines.append(
            f"| {r['topology']} | {r['n'] - r['join']['failed']} | {r['delivered']} | "
            f"{r['missed']} | {r['fanout_ms']['p50']} | {r['fanout_ms']['p99']} | "
            f"{r['server_cpu']['us_per_diff']} | {roles.get('liveview', '—')} | "
            f"{roles.get('nginx', '—')} | {roles.get('redis-server', '—')} | "
            f"{round(contamination(r), 2)} |"
        )
    lines += [
        "",
        f"Machine: {results['machine']}.",
        f"Versions: {results['versions']}.",
        "",
        "Command:",
        "",
        f"    {results['command']}",
        "",
    ]
    path.with_suffix(".md").write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--join-concurrency", type=int, default=32)
    parser.add_argument("--topologies", default=",".join(TOPOLOGIES), help="comma-separated")
    parser.add_argument("--quiet-threshold", type=float, default=0.10)
    parser.add_argument("--quiet-wait", type=float, default=60.0, help="longest wait (s)")
    parser.add_argument("--run-timeout", type=float, default=900.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--name", default=f"{datetime.date.today().isoformat()}-deploy")
    args = parser.parse_args()
    wanted = [t.strip() for t in args.topologies.split(",")]
    unknown = [t for t in wanted if t not in TOPOLOGIES]
    if unknown:
        parser.error(f"unknown topologies {unknown}; choose among {list(TOPOLOGIES)}")
    results: dict[str, Any] = {
        "n": args.n,
        "date": datetime.date.today().isoformat(),
        "command": " ".join(shlex.quote(a) for a in [".venv/bin/python", *sys.argv]),
        "machine": machine_info(),
        "versions": our_versions(),
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as folder:
        for name in wanted:
            results["runs"].append(measure(name, args, Path(folder)))
    args.out.mkdir(parents=True, exist_ok=True)
    write_report(results, args.out / args.name)
    log(f"wrote {args.out / args.name}.md")
    return 0 if all("error" not in r for r in results["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
