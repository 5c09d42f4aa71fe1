"""Where does our server spend its time in fan-out? Sample it with py-spy during the rounds.

    .venv/bin/pip install py-spy           # a sampling profiler; not a project dependency
    .venv/bin/python bench/profile_ours.py [--n 1000] [--rounds 100] [--rate 500]

Starts our bench app (bench/apps/ours.py) on core 0 as run.py does, joins N LiveViews from this
process (core 1), then records the server with `py-spy record` (core 1) only while the rounds
run, and prints the functions with the most samples: self time (the function itself) and total
time (with everything it calls). The collapsed stacks are kept for flame graphs
(`--out bench/results/profile-<date>.txt`, e.g. for speedscope or inferno).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadclient
import run


def summarize(collapsed: Path, top: int) -> str:
    self_counts: collections.Counter[str] = collections.Counter()
    total_counts: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        samples += count
        frames = [_short(f) for f in stack.split(";")]
        self_counts[frames[-1]] += count
        for frame in set(frames):
            total_counts[frame] += count
    lines = [f"{samples} samples while the rounds ran", "", "self (the function itself):"]
    lines += [f"  {100 * c / samples:5.1f}%  {f}" for f, c in self_counts.most_common(top)]
    lines += ["", "total (with what it calls):"]
    lines += [f"  {100 * c / samples:5.1f}%  {f}" for f, c in total_counts.most_common(top * 2)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    """`send_text (starlette/websockets.py:123)` without the site-packages prefix."""
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in frame:
            head, _, tail = frame.partition("(")
            return f"{head.strip()} ({tail.split(marker, 1)[1].rstrip(')')})"
    return frame


async def drive(args: argparse.Namespace, pid: int, port: int, raw: Path) -> None:
    client_args = loadclient.parse_args(
        ["--port", str(port), "--server-pid", str(pid), "--n", str(args.n)]
    )
    stats = loadclient.Stats()
    clients = [loadclient.LiveClient(i, stats, client_args) for i in range(args.n)]
    wall, errors = await loadclient.open_all(clients, 32)
    if errors:
        raise RuntimeError(f"{len(errors)} joins failed: {errors[0]!r}")
    print(f"joined {args.n} LiveViews in {wall:.1f} s", file=sys.stderr)
    await asyncio.sleep(1)
    spy = subprocess.Popen(
        [
            "taskset", "-c", str(args.client_core),
            shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"),
            "record", "--pid", str(pid), "--rate", str(args.rate), "--format", "raw",
            "--output", str(raw), "--function", *(["--native"] if args.native else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.sleep(1)  # py-spy attaches
    fanouts = []
    for r in range(args.rounds):
        outcome = await loadclient.run_round(clients[r % args.n], clients, stats, r + 1, 30)
        fanouts.append(outcome["fanout"])
        await asyncio.sleep(0.02)
    spy.send_signal(signal.SIGINT)
    spy.wait(30)
    done = [f for f in fanouts if f is not None]
    print(
        f"{args.rounds} rounds, fan-out p50 {1000 * sorted(done)[len(done) // 2]:.0f} ms "
        f"(slowed by the sampling), missed {stats.pending}",
        file=sys.stderr,
    )
    await loadclient.close_all(clients)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--rate", type=int, default=500, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--native", action="store_true", help="include C frames (uvloop, the interpreter)"
    )
    parser.add_argument("--out", type=Path, help="keep the collapsed stacks here")
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    server_core, args.client_core = (cores[0], cores[1]) if len(cores) > 1 else (cores[0],) * 2
    os.sched_setaffinity(0, {args.client_core})
    server = run.Server("ours", server_core, {}, 0)
    raw = Path(args.out or f"/tmp/bench-profile-{os.getpid()}.txt")
    try:
        server.wait_ready()
        asyncio.run(drive(args, server.proc.pid, server.port, raw))
    finally:
        server.stop()
    print(summarize(raw, args.top))
    if args.out is None:
        raw.unlink(missing_ok=True)
    else:
        print(f"\ncollapsed stacks: {raw} ({datetime.date.today()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
