"""Publish bursts to 1,000 LiveViews on a real server: up to what rate does every one of them end
on the last update, in time, with none failed?

For each checkout (`--tree label=path`, each with its own `.venv`) and each rate, a fresh uvicorn
server runs `bench/apps/burst_app.py` against that checkout's `liveview`, served as the README
says, pinned to core 0; this process, pinned to core 1, joins `--views` LiveViews with the load
client (`loadclient.LiveClient`: one websocket each, as the official client does), asks the
server to publish `--burst` numbers at the rate (`GET /publish`, from inside the server), and
reads every frame. A rate is **held** when the server published at ≥ 95 % of it, every LiveView
shows the last number within `--lag` seconds of the last publish, and none got `phx_error` or
lost its websocket. Rates go up a ladder (`--rates`), the checkouts taking turns at each rate
(one sitting); a checkout leaves the ladder after two rates in a row that it did not hold, and
then the rates between its last held and first missed one are tried (`--refine` times).

    .venv/bin/python bench/burst_server.py --tree before=../h13-686 --tree after=. \\
        [--views 1000] [--burst 2000] [--rates 50,100,200,400,800,1600,3200] [--json out.json]

Each trial waits at most `--wait` seconds after the burst for the LiveViews to settle, so a
ladder is bounded; one load-client process reads every frame, so at high rates of per-message
diffs it may be the bottleneck (its busy share is recorded).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import orjson
from websockets.exceptions import ConnectionClosed

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.loadclient import LiveClient, Stats, http_get, open_all

BENCH = Path(__file__).resolve().parent
SERVER_CORE, CLIENT_CORE = 0, 1


class BurstClient(LiveClient):
    """A LiveView that remembers the last number its diffs showed, and whether it failed."""

    def __init__(self, index: int, args: argparse.Namespace) -> None:
        super().__init__(index, Stats(), args)
        self.last = -1
        self.diffs = 0
        self.failed = False
        self.notices = 0

    async def _read(self) -> None:
        ws = self.ws
        assert ws is not None
        try:
            while True:
                frame = orjson.loads(await ws.recv(decode=False))
                event, payload = frame[3], frame[4]
                if event == "diff":
                    self._saw(payload)
                elif event == "phx_reply":
                    response = payload.get("response", {})
                    self._saw(response.get("diff") or response.get("rendered") or {})
                    future = self._waiting.get(frame[1])
                    if future is not None and not future.done():
                        future.set_result(payload)
                elif event == "phx_error":
                    self.failed = True
        except ConnectionClosed:
            if not self.closing:
                self.failed = True

    def _saw(self, diff: dict[str, Any]) -> None:
        self.diffs += 1
        value = diff.get("0")
        if isinstance(value, str) and value.lstrip("-").isdigit():
            self.last = int(value)
        if diff.get("1"):  # the note: a notice came (messages dropped)
            self.notices += 1


class Server:
    """uvicorn serving the burst app with the `liveview` of checkout `tree`."""

    def __init__(self, tree: Path, port: int) -> None:
        env = dict(os.environ, PYTHONPATH=f"{tree}{os.pathsep}{BENCH / 'apps'}")
        command = [
            "taskset", "-c", str(SERVER_CORE), str(tree / ".venv/bin/python"), "-m", "uvicorn",
            "burst_app:app", "--host", "127.0.0.1", "--port", str(port),
            "--ws", "liveview.server:WebSocketProtocol", "--ws-ping-interval", "0",
            "--ws-per-message-deflate", "false", "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        self.port = port
        self.log = tempfile.NamedTemporaryFile(prefix="bench-burst-", suffix=".log")  # noqa: SIM115
        self.proc = subprocess.Popen(
            command, cwd=tree, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/burst", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server not ready")

    def stop(self) -> str:
        """Stop it; return the tail of its log."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.flush()
        tail = Path(self.log.name).read_text(errors="replace")[-1500:]
        self.log.close()
        return tail


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def trial(tree: Path, rate: int, args: argparse.Namespace) -> dict[str, Any]:
    server = Server(tree, free_port())
    try:
        await asyncio.to_thread(server.wait_ready)
        client_args = argparse.Namespace(
            host="127.0.0.1", port=server.port, path="/burst", protocol="phoenix",
            timeout=60.0, deflate=False,
        )  # fmt: skip
        clients = [BurstClient(i, client_args) for i in range(args.views)]
        _, errors = await open_all(clients, 32)
        if errors:
            return {"rate": rate, "error": f"{len(errors)} joins failed: {errors[0]!r}"}
        await asyncio.sleep(1.0)
        last = args.burst - 1
        server_cpu0, client_cpu0 = cpu_seconds(server.proc.pid), time.process_time()
        status, _, body = await http_get(
            "127.0.0.1", server.port, f"/publish?count={args.burst}&rate={rate}",
            timeout=args.burst / rate * 20 + 60,
        )  # fmt: skip
        assert status == 200, body
        published = json.loads(body)
        began, ended = published["began"], published["ended"]  # the machine's monotonic clock
        settled_at = None
        deadline = ended + args.wait
        while time.monotonic() < deadline:
            behind = sum(1 for c in clients if c.last != last and not c.failed)
            if behind == 0:
                settled_at = time.monotonic()
                break
            await asyncio.sleep(0.005)
        # (the loop above polls every 5 ms: the lag it sees is at most that late)
        at_end = time.monotonic()
        server_cpu = cpu_seconds(server.proc.pid) - server_cpu0
        client_cpu = time.process_time() - client_cpu0
        failed = sum(1 for c in clients if c.failed)
        on_last = sum(1 for c in clients if c.last == last and not c.failed)
        achieved = args.burst / max(1e-9, ended - began)
        lag = None if settled_at is None else settled_at - ended
        held = achieved >= 0.95 * rate and failed == 0 and lag is not None and lag <= args.lag
        result = {
            "rate": rate,
            "published_per_s": round(achieved, 1),
            "publish_s": round(ended - began, 3),
            "on_last": on_last,
            "failed": failed,
            "settled_after_last_publish_s": None if lag is None else round(lag, 3),
            "diffs_per_view": round(sum(c.diffs for c in clients) / len(clients), 1),
            "notices": sum(c.notices for c in clients),
            "server_cpu_s": round(server_cpu, 2),
            "client_busy": round(client_cpu / max(1e-9, at_end - began), 3),
            "held": held,
        }
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        return result
    finally:
        tail = await asyncio.to_thread(server.stop)
        if "Traceback" in tail:
            print(f"  server log: {tail}", file=sys.stderr)


async def ladder(args: argparse.Namespace) -> dict[str, Any]:
    trees = dict(entry.split("=", 1) for entry in args.tree)
    results: dict[str, list[dict[str, Any]]] = {label: [] for label in trees}
    out_of_ladder: set[str] = set()
    misses: dict[str, int] = dict.fromkeys(trees, 0)

    async def run(label: str, rate: int) -> dict[str, Any]:
        began = time.strftime("%H:%M:%S")
        result = await trial(Path(trees[label]).resolve(), rate, args)
        result["at"] = began
        results[label].append(result)
        print(f"{label:>8} {json.dumps(result)}", file=sys.stderr, flush=True)
        return result

    for rate in (int(r) for r in args.rates.split(",")):
        for label in trees:
            if label in out_of_ladder:
                continue
            result = await run(label, rate)
            misses[label] = 0 if result.get("held") else misses[label] + 1
            if misses[label] >= 2:
                out_of_ladder.add(label)
    for _ in range(args.refine):  # between the last held and the first missed rate
        for label in trees:
            held = [r["rate"] for r in results[label] if r.get("held")]
            missed = [r["rate"] for r in results[label] if not r.get("held")]
            low = max(held, default=0)
            high = min((r for r in missed if r > low), default=None)
            if high is None or high - low <= max(10, low // 10):
                continue
            await run(label, (low + high) // 2)
    summary = {
        label: max((r["rate"] for r in rows if r.get("held")), default=None)
        for label, rows in results.items()
    }
    return {"largest_rate_held": summary, "trials": results}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tree", action="append", required=True, help="label=path of a checkout")
    parser.add_argument("--views", type=int, default=1000)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--rates", default="50,100,200,400,800,1600,3200")
    parser.add_argument("--refine", type=int, default=2)
    parser.add_argument("--lag", type=float, default=1.0, help="held: settled within (s)")
    parser.add_argument("--wait", type=float, default=30.0, help="longest wait after a burst")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    os.sched_setaffinity(0, {CLIENT_CORE})
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    runner: Any = asyncio.run
    with contextlib.suppress(ImportError):
        import uvloop

        runner = uvloop.run
    began = time.time()
    output = runner(ladder(args))
    output["command"] = " ".join(sys.argv)
    output["arguments"] = vars(args)
    output["wall_s"] = round(time.time() - began, 1)
    text = json.dumps(output, indent=1)
    if args.json:
        Path(args.json).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
