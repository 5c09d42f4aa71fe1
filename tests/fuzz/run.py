"""The fuzz run from the command line: the long run, another seed, or one connection replayed.

    .venv/bin/python -m tests.fuzz.run                        # the CI sample's size, in-process
    .venv/bin/python -m tests.fuzz.run --server --frames 1000000 --connections 1000 \\
        --concurrency 20                                      # the long run, a real server
    .venv/bin/python -m tests.fuzz.run --seed 13 --only 7     # replay connection 7 of seed 13

Prints the figures (frames sent and received, server frames by event and reason, tracebacks,
non-protocol frames, RSS before / after / max, wall time) and each failure with the frames that
led to it; exits 1 if any oracle failed. `--json FILE` also writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

from tests.fuzz.driver import Config, Report, fuzz
from tests.fuzz.mutator import OPEN_BUGS
from tests.fuzz.targets import InProcess, RealServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fuzz.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", default="13", help="the run's seed (default 13)")
    parser.add_argument(
        "--frames",
        type=int,
        default=None,
        help="total frames (sets --frames-per-connection from --connections)",
    )
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--frames-per-connection", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--only", type=int, default=None, help="replay this connection alone")
    parser.add_argument(
        "--server",
        action="store_true",
        help="fuzz a real uvicorn server on loopback instead of in-process",
    )
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        choices=sorted(OPEN_BUGS),
        help="also generate the inputs of this open bug",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    return parser


async def _main(args: argparse.Namespace) -> Report:
    per_connection = args.frames_per_connection
    if args.frames is not None:
        per_connection = -(-args.frames // args.connections)
    seed: int | str = int(args.seed) if args.seed.isdigit() else args.seed
    config = Config(
        seed=seed,
        connections=args.connections,
        frames_per_connection=per_connection,
        concurrency=args.concurrency,
        include=frozenset(args.include),
        only=args.only,
        progress=args.frames is not None or args.connections > 100,
    )
    if args.server:
        log = Path(tempfile.mkdtemp(prefix="liveview-fuzz-")) / "server.log"
        print(f"server output: {log}", file=sys.stderr)
        async with RealServer(log) as server:
            return await fuzz(server, config)
    async with InProcess() as target:
        return await fuzz(target, config)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    report = asyncio.run(_main(args))
    print(report.format())
    if args.json is not None:
        figures = {
            **dict(report.figures()),
            "sent_by_kind": dict(report.sent_by_kind),
            "received_by_label": dict(report.received_by_label),
            "rss_trend_kb": report.rss_trend_kb,
            "server_log_levels": report.server.get("levels", {}),
            "failures": [vars(failure) for failure in report.failures],
        }
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
