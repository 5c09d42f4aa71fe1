"""Upload throughput and memory on a real server, beside a bare-websocket floor, in one sitting.

Three measures (`bench/apps/upload_app.py` is the server side of each):

- **one large file**: a `--size-mb` file (200 MB) of random bytes uploaded the way the official
  client does it — `allow_upload`, join `lvu:0` with the token, then binary `chunk` pushes of
  `--chunk` bytes, each awaited before the next, and a `progress` message whenever the whole
  percentage grows — then consumed by a "save" event; MB/s from the first chunk to the last reply;
- **the floor**: the same chunks, the same one-at-a-time acknowledgements, to a raw ASGI
  websocket app under the same uvicorn that appends each payload to a temporary file and replies
  `ok` (no framework, no tokens, no LiveView);
- **server CPU per MB** for both (all threads' time on CPU, from /proc): the cost of a byte on
  the server, which the load of a shared machine disturbs far less than MB/s; `cpu_ratio` is the
  floor's CPU per MB over ours (1.0: as cheap as the floor);
- **RSS growth** of our server while the large file streams (sampled every 20 ms from /proc,
  against its RSS after a 1 MB warm-up upload);
- **`--concurrent` uploads at once** (20 of 10 MB, one websocket each), then consumed; every stored
  file's SHA-256 checked against its source.

Floor and ours take turns `--pairs` times (the machine may be shared: compare the ratio of one
sitting). Both served as the README serves apps (uvicorn with `liveview.server:WebSocketProtocol`,
no compression); server pinned to core 0, this client to core 1 when `taskset` is there.

    .venv/bin/python bench/uploads.py [--size-mb 200] [--chunk 64000] [--pairs 3] \\
        [--concurrent 20] [--concurrent-mb 10] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.loadclient import LiveClient, ServerProc, Stats
from liveview.channel.frames import encode_binary

ROOT = Path(__file__).resolve().parents[1]
SERVER_CORE, CLIENT_CORE = "0", "1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def server(app: str, env: dict[str, str]) -> Iterator[tuple[int, ServerProc]]:
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", app, "--port", str(port), "--log-level", "warning",
        # as the README serves apps (the floor too): our websocket protocol, no compression
        "--ws", "liveview.server:WebSocketProtocol", "--ws-per-message-deflate", "false",
        "--ws-ping-interval", "0",
    ]  # fmt: skip
    if shutil.which("taskset"):
        command = ["taskset", "-c", SERVER_CORE, *command]
    proc = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{app} did not start")
            time.sleep(0.05)
        yield port, ServerProc([proc.pid])
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Uploader(LiveClient):
    """A LiveView page's websocket doing what the client's upload code does."""

    def __init__(self, port: int, chunk: int) -> None:
        args = argparse.Namespace(
            host="127.0.0.1", port=port, path="/upload", protocol="ours", timeout=60.0,
            deflate=False,
        )  # fmt: skip
        super().__init__(0, Stats(), args)
        self.chunk = chunk
        self.upload_ref = ""

    async def request(  # the join reply also names the upload's ref
        self,
        topic: str,
        event: str,
        payload: Any,
        join_ref: str | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        reply = await super().request(topic, event, payload, join_ref, timeout)
        if event == "phx_join" and topic.startswith("lv:"):
            found = re.search(rb'data-phx-upload-ref=\\"(phx-[^\\"]+)', orjson.dumps(reply))
            assert found, "no upload input in the page"
            self.upload_ref = found.group(1).decode()
        return reply

    async def push_binary(self, join_ref: str, topic: str, data: memoryview) -> dict[str, Any]:
        ref = self.next_ref()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[ref] = future
        assert self.ws is not None
        await self.ws.send(encode_binary(join_ref, ref, topic, "chunk", bytes(data)))
        try:
            result: dict[str, Any] = await asyncio.wait_for(future, 60)
            return result
        finally:
            self._waiting.pop(ref, None)

    async def upload(self, name: str, data: bytes, ref: str) -> float:
        """Upload `data` as entry `ref`; seconds from the first chunk to the last reply."""
        entry = {"ref": ref, "name": name, "size": len(data), "type": "", "last_modified": 1}
        pre = await self.request(
            self.topic, "allow_upload", {"ref": self.upload_ref, "entries": [entry]},
            join_ref=self.join_ref,
        )  # fmt: skip
        token = pre["response"]["entries"][ref]
        topic = f"lvu:{ref}"
        join_ref = self.next_ref()
        joined = await self.request(topic, "phx_join", {"token": token}, join_ref=join_ref)
        assert joined["status"] == "ok", joined
        view = memoryview(data)
        sent = reported = 0
        started = time.perf_counter()
        for offset in range(0, len(data), self.chunk):
            reply = await self.push_binary(join_ref, topic, view[offset : offset + self.chunk])
            assert reply["status"] == "ok", reply
            sent = min(len(data), offset + self.chunk)
            percent = sent * 100 // len(data)
            if percent > reported:  # as the client: not awaited before the next chunk
                reported = percent
                message = {"ref": self.upload_ref, "entry_ref": ref, "progress": percent}
                self._fire("progress", message)
        elapsed = time.perf_counter() - started
        await asyncio.sleep(0)
        return elapsed

    def _fire(self, event: str, payload: dict[str, Any]) -> None:
        task = asyncio.ensure_future(
            self.request(self.topic, event, payload, join_ref=self.join_ref)
        )
        task.add_done_callback(lambda t: t.exception())

    async def save(self) -> None:
        await self.request(
            self.topic, "event", {"type": "form", "event": "save", "value": ""},
            join_ref=self.join_ref,
        )  # fmt: skip


async def floor_upload(port: int, data: bytes, chunk: int) -> float:
    """The same chunks to the floor, read back the way `Uploader` reads: a reader task resolving
    one future per chunk, `asyncio.wait_for` on each (so the client's cost is the same)."""
    async with connect(f"ws://127.0.0.1:{port}/", max_size=None, compression=None) as ws:
        waiting: dict[str, asyncio.Future[Any]] = {}

        async def read() -> None:
            with contextlib.suppress(Exception):
                async for message in ws:
                    frame = orjson.loads(message)
                    future = waiting.pop(frame[1], None)
                    if future is not None:
                        future.set_result(frame[4])

        reader = asyncio.create_task(read())
        loop = asyncio.get_running_loop()

        async def push(ref: str, frame: str | bytes) -> dict[str, Any]:
            future: asyncio.Future[Any] = loop.create_future()
            waiting[ref] = future
            await ws.send(frame)
            result: dict[str, Any] = await asyncio.wait_for(future, 60)
            return result

        await push("1", orjson.dumps(["1", "1", "lvu:0", "phx_join", {}]).decode())
        view = memoryview(data)
        started = time.perf_counter()
        for n, offset in enumerate(range(0, len(data), chunk)):
            ref = str(n + 2)
            piece = bytes(view[offset : offset + chunk])
            reply = await push(ref, encode_binary("1", ref, "lvu:0", "chunk", piece))
            assert reply["status"] == "ok"
        seconds = time.perf_counter() - started
        reader.cancel()
        return seconds


async def sample_rss(proc: ServerProc, into: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        into.append(proc.rss_kb())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.02)


def stored(out: Path) -> dict[str, str]:
    index = out / "index.tsv"
    if not index.exists():
        return {}
    lines = index.read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines)


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


async def ours_large(data: bytes, chunk: int, work: Path) -> dict[str, Any]:
    out, temp = work / "out", work / "temp"
    out.mkdir(exist_ok=True)
    temp.mkdir(exist_ok=True)
    env = {"BENCH_UPLOAD_OUT": str(out), "LIVEVIEW_UPLOAD_DIR": str(temp)}
    env["BENCH_CHUNK_SIZE"] = str(chunk)
    with server("bench.apps.upload_app:app", env) as (port, proc):
        warm = Uploader(port, chunk)
        await warm.open()
        await warm.upload("warm.bin", os.urandom(1_000_000), "w")
        await warm.save()
        await warm.close()
        client = Uploader(port, chunk)
        await client.open()
        await asyncio.sleep(0.2)
        baseline = proc.rss_kb()
        samples: list[int] = []
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_rss(proc, samples, stop))
        cpu = proc.cpu_sched()
        seconds = await client.upload("large.bin", data, "0")
        cpu = proc.cpu_sched() - cpu
        stop.set()
        await sampler
        await client.save()
        await client.close()
        path = stored(out)["large.bin"]
        ok = sha256_file(path) == hashlib.sha256(data).hexdigest()
        os.unlink(path)
        leftover = [name for name in os.listdir(temp)]
    return {
        "mb_per_s": len(data) / seconds / 1e6,
        "seconds": seconds,
        "cpu_ms_per_mb": cpu * 1000 / (len(data) / 1e6),
        "rss_baseline_mb": baseline / 1024,
        "rss_peak_growth_mb": (max(samples) - baseline) / 1024,
        "sha256_ok": ok,
        "temp_files_left": len(leftover),
    }


async def ours_concurrent(n: int, size: int, chunk: int, work: Path) -> dict[str, Any]:
    out, temp = work / "out-c", work / "temp-c"
    out.mkdir(exist_ok=True)
    temp.mkdir(exist_ok=True)
    env = {"BENCH_UPLOAD_OUT": str(out), "LIVEVIEW_UPLOAD_DIR": str(temp)}
    env["BENCH_CHUNK_SIZE"] = str(chunk)
    files = {f"file-{i:02d}.bin": os.urandom(size) for i in range(n)}
    with server("bench.apps.upload_app:app", env) as (port, _):
        clients = [Uploader(port, chunk) for _ in range(n)]
        await asyncio.gather(*(c.open() for c in clients))
        started = time.perf_counter()
        pairs = zip(clients, files.items(), strict=True)
        await asyncio.gather(*(c.upload(name, data, "0") for c, (name, data) in pairs))
        seconds = time.perf_counter() - started
        await asyncio.gather(*(c.save() for c in clients))
        await asyncio.gather(*(c.close() for c in clients))
        on_disk = stored(out)
        good = sum(
            1
            for name, data in files.items()
            if name in on_disk and sha256_file(on_disk[name]) == hashlib.sha256(data).hexdigest()
        )
        leftover = os.listdir(temp)
    return {
        "uploads": n,
        "mb_each": size / 1e6,
        "seconds": seconds,
        "aggregate_mb_per_s": n * size / seconds / 1e6,
        "sha256_ok": good,
        "temp_files_left": len(leftover),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=64_000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--concurrent", type=int, default=20)
    parser.add_argument("--concurrent-mb", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if shutil.which("taskset"):
        os.sched_setaffinity(0, {int(CLIENT_CORE)})
    data = os.urandom(args.size_mb * 1_000_000)
    rounds = []
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp:
        work = Path(tmp)
        for pair in range(args.pairs):
            with server("bench.apps.upload_app:floor", {}) as (port, floor_proc):
                cpu = floor_proc.cpu_sched()
                floor_s = await floor_upload(port, data, args.chunk)
                floor_cpu = floor_proc.cpu_sched() - cpu
            ours = await ours_large(data, args.chunk, work)
            floor = len(data) / floor_s / 1e6
            floor_cpu_ms = floor_cpu * 1000 / (len(data) / 1e6)
            rounds.append(
                {
                    "floor_mb_per_s": floor,
                    **ours,
                    "ratio": ours["mb_per_s"] / floor,
                    "floor_cpu_ms_per_mb": floor_cpu_ms,
                    "cpu_ratio": floor_cpu_ms / ours["cpu_ms_per_mb"],
                }
            )
            print(json.dumps({"pair": pair + 1, **rounds[-1]}), flush=True)
        concurrent = await ours_concurrent(
            args.concurrent, args.concurrent_mb * 1_000_000, args.chunk, work
        )
    print(json.dumps({"concurrent": concurrent}), flush=True)
    result = {
        "size_mb": args.size_mb,
        "chunk": args.chunk,
        "rounds": rounds,
        "concurrent": concurrent,
        "cpus": os.cpu_count(),
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
