"""The load client: N LiveViews, one websocket each, driven the way the official client does.

For each LiveView it does what a browser tab running the Phoenix LiveView client does: GET the
page (keeping its cookies), read the CSRF token from `<meta name="csrf-token">` and the
container's `id`, `data-phx-session` and `data-phx-static`, open
`/live/websocket?_csrf_token=…&vsn=2.0.0` with the cookies and a same-origin `Origin` header (no
permessage-deflate offered), send `phx_join` with url/params/session/static, then a heartbeat
every 30 s, and click events (`{"type": "click", "event": "inc", "value": {"value": ""}}`).

The same flow works on our server, pyview (0.20 protocol) and LiveViewJS: the V2 frames, the
tokens' places in the page and the join payload are the same; what differs is the diff format
(comprehensions as "d" lists or keyed "k" entries, statics sharing), and the client does not need
it: the count is the first dynamic of every bench app's template, so a diff carries the new
count as `"0"`, and that is what is checked. The floor has no page: the client joins directly.

Phases (one process per server and N, pinned to its own core by run.py):

  fanout  warm up (one LiveView joins, clicks, leaves), read the server's RSS, join N LiveViews,
          read RSS again, then for each round one LiveView clicks and the client waits until
          every LiveView has received a diff carrying the new count; server CPU from /proc.
          `--prefill-rounds` runs that many unmeasured rounds first (the chat shape's history).
  rtt     one LiveView, single clicks: click → reply and click → diff with the new count.

`--transport longpoll` speaks Phoenix's long poll instead of the websocket, as the official
client does when it falls back (`phoenix/assets/js/phoenix/longpoll.js`): a GET without a token
opens a session (status 410 with the token), a GET is kept open for the next frames, frames go out
as `application/x-ndjson` POSTs, one batch at a time (what is sent while a POST is out goes in the
next). No heartbeats, as that client sends none.

`--record-frames FILE` writes the diff frames the first LiveView received, by count, so that the
floor can send the very same bytes (run.py records ours's and replays them on the floor).

Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import os
import re
import resource
import statistics
import sys
import time
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

HEARTBEAT_INTERVAL = 30.0  # the official client's default
CLICK = {"type": "click", "event": "inc", "value": {"value": ""}}
CLK_TCK = os.sysconf("SC_CLK_TCK")

_META_CSRF = re.compile(r'<meta\s+name="csrf-token"\s+content="([^"]*)"')
_CONTAINER = re.compile(r"<div\b[^>]*\bdata-phx-session\b[^>]*>", re.S)
_ATTR = re.compile(r'([\w:-]+)(?:="([^"]*)")?')


# --- /proc of the server --------------------------------------------------------------------------


class ServerProc:
    """CPU time and memory of the server, read from /proc: one process, or the sum over several
    (`--server-pid` given more than once: workers, a proxy, a broker)."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids

    def rss_kb(self) -> int:
        return sum(self._rss_kb(pid) for pid in self.pids)

    @staticmethod
    def _rss_kb(pid: int) -> int:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_stat(self) -> float:
        """utime + stime of the whole process (all threads), in seconds (clock-tick resolution)."""
        total = 0.0
        for pid in self.pids:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15 of stat(5)
        return total

    def write_bytes(self) -> int:
        """Bytes the process has passed to write-like syscalls (`wchar` of /proc/<pid>/io): its
        websocket frames as they go on the wire, compressed or not, headers included."""
        total = 0
        for pid in self.pids:
            with open(f"/proc/{pid}/io") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("wchar:"))
        return total

    def cpu_sched(self) -> float:
        """Time on CPU of all live threads (schedstat), in seconds, nanosecond resolution."""
        return sum(self.cpu_sched_of(pid) for pid in self.pids)

    @staticmethod
    def cpu_sched_of(pid: int) -> float:
        total = 0
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass
        return total / 1e9


def machine_cpu() -> tuple[float, float]:
    """(busy, steal) seconds of all CPUs of the machine since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    busy = user + nice + system + irq + softirq
    return busy / CLK_TCK, steal / CLK_TCK


# --- HTTP: the page GET ---------------------------------------------------------------------------


async def http_get(host: str, port: int, path: str, timeout: float) -> tuple[int, list[str], str]:
    """A plain HTTP/1.1 GET (Connection: close); returns status, Set-Cookie values and body."""

    async def go() -> tuple[int, list[str], str]:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/html\r\n"
                "User-Agent: liveview-bench\r\nConnection: close\r\n\r\n".encode()
            )
            data = await reader.read(-1)
        finally:
            writer.close()
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        cookies: list[str] = []
        chunked = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "set-cookie":
                cookies.append(value.strip())
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            body = _dechunk(body)
        return status, cookies, body.decode()

    return await asyncio.wait_for(go(), timeout)


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2 :]
    return bytes(out)


def parse_page(body: str) -> dict[str, str | None]:
    """The CSRF meta token and the LiveView container's id and tokens, wherever the attributes
    are and however the framework quotes and spaces them."""
    csrf = _META_CSRF.search(body)
    container = _CONTAINER.search(body)
    if csrf is None or container is None:
        raise RuntimeError("page has no csrf-token meta or no LiveView container")
    attrs = {m.group(1): m.group(2) for m in _ATTR.finditer(container.group(0)[4:-1])}
    static = attrs.get("data-phx-static")
    return {
        "csrf": html.unescape(csrf.group(1)),
        "id": html.unescape(attrs["id"] or ""),
        "session": html.unescape(attrs["data-phx-session"] or ""),
        "static": html.unescape(static) if static else None,
    }


# --- one LiveView on its own websocket ------------------------------------------------------------


class Stats:
    """What the clients record while rounds run; `expected` is the count the round must bring."""

    def __init__(self) -> None:
        self.expected: str | None = None
        self.pending = 0
        self.round_t0 = 0.0
        self.arrivals: list[float] = []
        self.done = asyncio.Event()
        self.duplicates = 0
        self.unexpected = 0
        self.diff_bytes: list[int] = []
        self.heartbeats_sent = 0
        self.heartbeats_ok = 0
        self.closed_early = 0
        self.record: dict[str, str] | None = None  # --record-frames: count -> LiveView 0's frame


class LongPollWire:
    """One tab's long-poll transport, as the official client's `LongPoll` does it."""

    MAX_BATCH = 100  # the client's MAX_LONGPOLL_BATCH_SIZE

    def __init__(
        self,
        url: str,
        query: dict[str, str],
        headers: dict[str, str],
        on_frame: Any,
        on_closed: Any,
        timeout: float,
    ) -> None:
        # two connections, as a browser uses for a poll and a POST at once
        limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
        self.http = httpx.AsyncClient(headers=headers, limits=limits, timeout=timeout)
        self.url = url
        self.query = query
        self.token: str | None = None
        self._on_frame = on_frame
        self._on_closed = on_closed
        self._queue: list[str] = []
        self._posting = False
        self.closing = False
        self.tasks: list[asyncio.Task[None]] = []

    def _params(self) -> dict[str, str]:
        return {**self.query, "token": self.token} if self.token else self.query

    async def open(self) -> None:
        body = (await self.http.get(self.url, params=self._params())).json()
        if body.get("status") != 410 or not body.get("token"):
            raise RuntimeError(f"long poll not opened: {str(body)[:200]}")
        self.token = body["token"]
        self.tasks.append(asyncio.create_task(self._poll()))

    async def _poll(self) -> None:
        while not self.closing:
            try:
                body = (await self.http.get(self.url, params=self._params())).json()
            except (httpx.HTTPError, ValueError):
                if not self.closing:
                    self._on_closed()
                return
            status = body.get("status")
            if status == 200:
                self.token = body.get("token", self.token)
                for message in body["messages"]:
                    self._on_frame(message.encode())
            elif status != 204:
                if not self.closing:
                    self._on_closed()
                return

    async def send(self, text: str) -> None:
        """Queue a frame; the POSTs go one batch at a time, as the client's."""
        self._queue.append(text)
        if not self._posting:
            self._posting = True
            self.tasks.append(asyncio.create_task(self._post()))

    async def _post(self) -> None:
        try:
            await asyncio.sleep(0)  # what is sent in the same tick goes in one batch
            while self._queue and not self.closing:
                batch, self._queue = self._queue[: self.MAX_BATCH], self._queue[self.MAX_BATCH :]
                response = await self.http.post(
                    self.url,
                    params=self._params(),
                    content="\n".join(batch),
                    headers={"content-type": "application/x-ndjson"},
                )
                if response.json().get("status") != 200:
                    raise RuntimeError(f"POST refused: {response.text[:200]}")
        finally:
            self._posting = False

    async def close(self) -> None:
        self.closing = True
        for task in self.tasks:
            task.cancel()
        await self.http.aclose()


class LiveClient:
    def __init__(self, index: int, stats: Stats, args: argparse.Namespace) -> None:
        self.index = index
        self.stats = stats
        self.args = args
        self.ws: ClientConnection | None = None
        self.lp: LongPollWire | None = None
        self.topic = ""
        self.join_ref = ""
        self._ref = 0
        self._waiting: dict[str, asyncio.Future[Any]] = {}
        self.got = False  # received this round's diff
        self.tasks: list[asyncio.Task[None]] = []
        self.closing = False
        self.timings: dict[str, float] = {}

    def next_ref(self) -> str:
        self._ref += 1
        return str(self._ref)

    async def open(self) -> None:
        """GET the page, open the websocket, join; as the official client does."""
        args = self.args
        host, port = args.host, args.port
        t0 = time.perf_counter()
        query: dict[str, str] = {}
        headers: dict[str, str] = {}
        if args.protocol == "floor":
            self.topic = "lv:floor"
            payload: dict[str, Any] = {"url": f"http://{host}:{port}{args.path}", "params": {}}
        else:
            status, cookies, body = await http_get(host, port, args.path, args.timeout)
            if status != 200:
                raise RuntimeError(f"GET {args.path}: HTTP {status}")
            page = parse_page(body)
            self.topic = f"lv:{page['id']}"
            query["_csrf_token"] = page["csrf"] or ""
            cookie = "; ".join(c.split(";", 1)[0] for c in cookies)
            if cookie:
                headers["Cookie"] = cookie
            payload = {
                "url": f"http://{host}:{port}{args.path}",
                "params": {"_csrf_token": page["csrf"], "_mounts": 0, "_mount_attempts": 0},
                "session": page["session"],
                "static": page["static"],
                "sticky": False,
            }
        t1 = time.perf_counter()
        query["vsn"] = "2.0.0"
        if args.transport == "longpoll":
            self.lp = LongPollWire(
                f"http://{host}:{port}/live/longpoll",
                query,
                {**headers, "Origin": f"http://{host}:{port}", "Accept": "application/json"},
                self._on_frame,
                self._on_closed,
                args.timeout,
            )
            await asyncio.wait_for(self.lp.open(), args.timeout)
            t2 = time.perf_counter()
            await self._join(payload, t0, t1, t2)
            return
        self.ws = await asyncio.wait_for(
            connect(
                f"ws://{host}:{port}/live/websocket?{urlencode(query, quote_via=quote)}",
                origin=f"http://{host}:{port}",  # type: ignore[arg-type]
                additional_headers=headers,
                # No permessage-deflate offered (so no server compresses) unless --deflate:
                # then it is offered the way browsers do.
                compression="deflate" if args.deflate else None,
                ping_interval=None,  # the official client has no websocket-level pings
                max_size=None,
                open_timeout=args.timeout,
            ),
            args.timeout,
        )
        t2 = time.perf_counter()
        self.tasks.append(asyncio.create_task(self._read()))
        await self._join(payload, t0, t1, t2)
        self.tasks.append(asyncio.create_task(self._heartbeat()))

    async def _send(self, text: str) -> None:
        if self.lp is not None:
            await self.lp.send(text)
        else:
            assert self.ws is not None
            await self.ws.send(text)

    async def _join(self, payload: dict[str, Any], t0: float, t1: float, t2: float) -> None:
        self.join_ref = self.next_ref()
        reply = await self.request(self.topic, "phx_join", payload, join_ref=self.join_ref)
        if reply.get("status") != "ok" or "rendered" not in reply.get("response", {}):
            raise RuntimeError(f"join refused: {str(reply)[:200]}")
        t3 = time.perf_counter()
        self.timings = {"get": t1 - t0, "connect": t2 - t1, "join": t3 - t2, "total": t3 - t0}

    async def request(
        self,
        topic: str,
        event: str,
        payload: Any,
        join_ref: str | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        ref = join_ref if event == "phx_join" and join_ref else self.next_ref()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[ref] = future
        await self._send(orjson.dumps([join_ref, ref, topic, event, payload]).decode())
        try:
            return await asyncio.wait_for(future, timeout or self.args.timeout)
        finally:
            self._waiting.pop(ref, None)

    def send_click(self) -> asyncio.Future[Any]:
        """Send a click; the returned future gets the reply's payload."""
        ref = self.next_ref()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[ref] = future
        future.add_done_callback(lambda _f: self._waiting.pop(ref, None))
        frame = orjson.dumps([self.join_ref, ref, self.topic, "event", CLICK]).decode()
        sending = asyncio.ensure_future(self._send(frame))
        sending.add_done_callback(_retrieve)
        return future

    async def _heartbeat(self) -> None:
        stats = self.stats
        while not self.closing:
            await asyncio.sleep(HEARTBEAT_INTERVAL)
            stats.heartbeats_sent += 1
            try:
                reply = await self.request("phoenix", "heartbeat", {})
            except (TimeoutError, ConnectionClosed):
                continue
            if reply.get("status") == "ok":
                stats.heartbeats_ok += 1

    async def _read(self) -> None:
        ws = self.ws
        assert ws is not None
        try:
            while True:
                self._on_frame(await ws.recv(decode=False))
        except ConnectionClosed:
            self._on_closed()

    def _on_closed(self) -> None:
        if not self.closing:
            self.stats.closed_early += 1

    def _on_frame(self, data: bytes) -> None:
        stats = self.stats
        now = time.perf_counter()
        frame = orjson.loads(data)
        event = frame[3]
        if event == "diff":
            self._on_diff(frame[4], now, len(data))
            count = frame[4].get("0")
            if stats.record is not None and self.index == 0 and count == stats.expected:
                stats.record.setdefault(count, data.decode())
        elif event == "phx_reply":
            payload = frame[4]
            diff = payload.get("response", {}).get("diff")
            if diff and stats.expected is not None and diff.get("0") == stats.expected:
                self._on_diff(diff, now, None)  # a framework may answer in the reply
            future = self._waiting.get(frame[1])
            if future is not None and not future.done():
                future.set_result(payload)

    def _on_diff(self, diff: dict[str, Any], now: float, size: int | None) -> None:
        stats = self.stats
        if stats.expected is None or diff.get("0") != stats.expected:
            stats.unexpected += 1
            return
        if self.got:
            stats.duplicates += 1
            return
        self.got = True
        stats.arrivals.append(now - stats.round_t0)
        if size is not None:
            stats.diff_bytes.append(size)
        stats.pending -= 1
        if stats.pending == 0:
            stats.done.set()

    async def close(self, leave: bool = False) -> None:
        self.closing = True
        if leave and (self.ws is not None or self.lp is not None):
            # LiveViewJS sends no reply to a leave: do not wait the full timeout for it.
            with contextlib.suppress(TimeoutError, ConnectionClosed):
                await self.request(self.topic, "phx_leave", {}, join_ref=self.join_ref, timeout=1)
        for task in self.tasks:
            task.cancel()
        if self.lp is not None:
            await self.lp.close()
        if self.ws is not None:
            with contextlib.suppress(TimeoutError, ConnectionClosed):
                await asyncio.wait_for(self.ws.close(), 5)


def _retrieve(task: asyncio.Future[Any]) -> None:
    """A failed fire-and-forget send shows up as a missed delivery; do not log it twice."""
    if not task.cancelled():
        task.exception()


# --- phases ---------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: list[float]) -> dict[str, float | None]:
    return {
        "p50": _ms(pct(values, 50)),
        "p95": _ms(pct(values, 95)),
        "p99": _ms(pct(values, 99)),
        "max": _ms(max(values) if values else None),
        "mean": _ms(statistics.fmean(values) if values else None),
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


async def run_round(
    clicker: LiveClient, clients: list[LiveClient], stats: Stats, expected: int, timeout: float
) -> dict[str, Any]:
    """One click; wait until every LiveView has the diff with the new count (or time out)."""
    for client in clients:
        client.got = False
    stats.expected = str(expected)
    stats.pending = len(clients)
    stats.arrivals = []
    stats.done = asyncio.Event()
    stats.round_t0 = time.perf_counter()
    reply = clicker.send_click()
    try:
        await asyncio.wait_for(stats.done.wait(), timeout)
        timed_out = False
    except TimeoutError:
        timed_out = True
    wall = time.perf_counter() - stats.round_t0
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(reply, timeout)
    return {
        "wall": wall,
        "fanout": max(stats.arrivals) if stats.arrivals and not timed_out else None,
        "arrivals": stats.arrivals,
        "missed": stats.pending,
        "timed_out": timed_out,
    }


async def open_all(
    clients: list[LiveClient], concurrency: int
) -> tuple[float, list[BaseException]]:
    semaphore = asyncio.Semaphore(concurrency)
    errors: list[BaseException] = []

    async def one(client: LiveClient) -> None:
        async with semaphore:
            try:
                await client.open()
            except Exception as exc:  # recorded and reported, the run goes on
                errors.append(exc)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(client) for client in clients))
    return time.perf_counter() - t0, errors


async def close_all(clients: list[LiveClient]) -> None:
    semaphore = asyncio.Semaphore(100)

    async def one(client: LiveClient) -> None:
        async with semaphore:
            await client.close()

    await asyncio.gather(*(one(client) for client in clients))


async def fanout_phase(args: argparse.Namespace, server: ServerProc) -> dict[str, Any]:
    result: dict[str, Any] = {"phase": "fanout", "n": args.n, "rounds_requested": args.rounds}

    # Warm-up: one LiveView joins, clicks, leaves, so lazy imports and first-use caches are not
    # counted as per-LiveView memory.
    warm_stats = Stats()
    warm = LiveClient(-1, warm_stats, args)
    await warm.open()
    for i in range(args.warmup_clicks):
        await run_round(warm, [warm], warm_stats, i + 1, args.timeout)
    await warm.close(leave=True)
    await asyncio.sleep(args.settle)

    stats = Stats()
    stats.record = {} if args.record_frames else None
    clients = [LiveClient(i, stats, args) for i in range(args.n)]
    rss_before = server.rss_kb()
    cpu_join0 = server.cpu_sched()
    join_wall, errors = await open_all(clients, args.join_concurrency)
    cpu_join1 = server.cpu_sched()
    result["join"] = {
        "all_s": round(join_wall, 3),
        "concurrency": args.join_concurrency,
        "failed": len(errors),
        "errors": sorted({repr(e)[:200] for e in errors})[:5],
        "per_liveview_ms": summary_ms([c.timings["total"] for c in clients if c.timings]),
        "server_cpu_ms_per_join": round((cpu_join1 - cpu_join0) * 1000 / max(1, args.n), 3),
    }
    joined = [c for c in clients if c.timings]
    await asyncio.sleep(args.settle)
    rss_after = server.rss_kb()
    result["rss_kb"] = {
        "before": rss_before,
        "after_join": rss_after,
        "per_liveview": round((rss_after - rss_before) / max(1, len(joined)), 2),
    }
    if errors:
        result["error"] = f"{len(errors)} of {args.n} LiveViews failed to join"
        await close_all(clients)
        return result

    # Unmeasured rounds first (--prefill-rounds), e.g. to fill the chat shape's list of the last
    # 50 messages: the measured rounds then see the steady state, where every round shifts it.
    prefill_missed = 0
    for r in range(args.prefill_rounds):
        clicker = joined[(r * 7919) % len(joined)]
        outcome = await run_round(clicker, joined, stats, r + 1, args.round_timeout)
        prefill_missed += outcome["missed"]
        await asyncio.sleep(args.gap)
    result["prefill"] = {
        "rounds": args.prefill_rounds,
        "missed": prefill_missed,
        "duplicated": stats.duplicates,
        "unexpected": stats.unexpected,
    }
    stats.duplicates = stats.unexpected = 0
    stats.diff_bytes = []  # bytes per diff: the measured rounds' only

    rounds: list[dict[str, Any]] = []
    cpu_stat0, cpu_sched0 = server.cpu_stat(), server.cpu_sched()
    by_pid0 = {pid: server.cpu_sched_of(pid) for pid in server.pids}
    machine0, steal0, client0 = *machine_cpu(), time.process_time()
    written0 = server.write_bytes()
    busy_client = busy_server = busy_wall = 0.0
    consecutive_timeouts = 0
    t_rounds = time.perf_counter()
    for r in range(args.rounds):
        clicker = joined[(r * 7919) % len(joined)]
        c0, s0 = time.process_time(), server.cpu_sched()
        count = args.prefill_rounds + r + 1
        outcome = await run_round(clicker, joined, stats, count, args.round_timeout)
        c1, s1 = time.process_time(), server.cpu_sched()
        busy_client += c1 - c0
        busy_server += s1 - s0
        busy_wall += outcome["wall"]
        rounds.append(outcome)
        consecutive_timeouts = consecutive_timeouts + 1 if outcome["timed_out"] else 0
        if consecutive_timeouts >= 3:
            result["error"] = f"3 rounds in a row timed out after {args.round_timeout} s"
            break
        await asyncio.sleep(args.gap)
    # Late duplicates still in flight: give them a moment, with no round expected.
    stats.expected = None
    await asyncio.sleep(args.gap * 5)
    rounds_wall = time.perf_counter() - t_rounds
    cpu_stat1, cpu_sched1 = server.cpu_stat(), server.cpu_sched()
    by_pid1 = {pid: server.cpu_sched_of(pid) for pid in server.pids}
    machine1, steal1, client1 = *machine_cpu(), time.process_time()
    written1 = server.write_bytes()
    stats.expected = "-"  # anything after this is not a delivery
    # CPU used on the machine during the rounds by anything but the server and this client
    # (other processes, kernel threads), and time the hypervisor took away, in cores.
    other = (machine1 - machine0) - (cpu_stat1 - cpu_stat0) - (client1 - client0)
    result["other_load"] = {
        "cores": round(max(0.0, other) / rounds_wall, 3),
        "steal_cores": round((steal1 - steal0) / rounds_wall, 3),
    }

    delivered = sum(len(r["arrivals"]) for r in rounds)
    fanouts = [r["fanout"] for r in rounds if r["fanout"] is not None]
    arrivals = [a for r in rounds for a in r["arrivals"]]
    result["rounds"] = len(rounds)
    result["rounds_wall_s"] = round(rounds_wall, 3)
    result["fanout_ms"] = summary_ms(fanouts)
    result["delivery_ms"] = summary_ms(arrivals)
    result["delivered"] = delivered
    result["missed"] = sum(r["missed"] for r in rounds)
    result["duplicated"] = stats.duplicates
    result["unexpected"] = stats.unexpected
    result["rounds_timed_out"] = sum(1 for r in rounds if r["timed_out"])
    result["bytes_per_diff"] = {
        "mean": round(statistics.fmean(stats.diff_bytes), 1) if stats.diff_bytes else None,
        "min": min(stats.diff_bytes, default=None),
        "max": max(stats.diff_bytes, default=None),
    }
    expected_deliveries = len(joined) * len(rounds)
    # Everything the server wrote during the rounds (diff frames, the click replies, heartbeat
    # replies, pings) per delivered diff: the wire cost, after compression when it is on.
    result["server_written_bytes_per_diff"] = round((written1 - written0) / expected_deliveries, 1)
    result["server_cpu"] = {
        "stat_s": round(cpu_stat1 - cpu_stat0, 3),
        "sched_s": round(cpu_sched1 - cpu_sched0, 4),
        "us_per_diff_stat": round((cpu_stat1 - cpu_stat0) * 1e6 / expected_deliveries, 2),
        "us_per_diff": round((cpu_sched1 - cpu_sched0) * 1e6 / expected_deliveries, 2),
        "us_per_diff_by_pid": {
            str(pid): round((by_pid1[pid] - by_pid0[pid]) * 1e6 / expected_deliveries, 2)
            for pid in server.pids
        },
    }
    result["busy_during_fanout"] = {
        "client": round(busy_client / busy_wall, 3) if busy_wall else None,
        "server": round(busy_server / busy_wall, 3) if busy_wall else None,
    }
    result["rss_kb"]["after_rounds"] = server.rss_kb()
    result["heartbeats"] = {"sent": stats.heartbeats_sent, "ok": stats.heartbeats_ok}
    result["closed_early"] = stats.closed_early
    await close_all(clients)
    write_record(args, stats)
    return result


def write_record(args: argparse.Namespace, stats: Stats) -> None:
    """--record-frames: the diff frames LiveView 0 received, by count, for the floor to replay."""
    if args.record_frames and stats.record:
        with open(args.record_frames, "wb") as f:
            f.write(orjson.dumps(stats.record))


async def rtt_phase(args: argparse.Namespace, server: ServerProc) -> dict[str, Any]:
    stats = Stats()
    stats.record = {} if args.record_frames else None
    client = LiveClient(0, stats, args)
    await client.open()
    to_reply: list[float] = []
    to_diff: list[float] = []
    missed = 0
    cpu0 = server.cpu_sched()
    total = args.warmup_clicks + args.clicks
    for i in range(total):
        t0 = time.perf_counter()
        client.got = False
        stats.expected = str(i + 1)
        stats.pending = 1
        stats.arrivals = []
        stats.done = asyncio.Event()
        stats.round_t0 = t0
        reply = client.send_click()
        await asyncio.wait_for(reply, args.timeout)
        t_reply = time.perf_counter() - t0
        try:
            await asyncio.wait_for(stats.done.wait(), args.timeout)
        except TimeoutError:
            missed += 1
            continue
        if i >= args.warmup_clicks:
            to_reply.append(t_reply)
            to_diff.append(stats.arrivals[0])
    cpu1 = server.cpu_sched()
    stats.expected = None
    await asyncio.sleep(args.gap * 5)
    await client.close()
    write_record(args, stats)
    return {
        "phase": "rtt",
        "clicks": args.clicks,
        "click_to_diff_ms": summary_ms(to_diff),
        "click_to_reply_ms": summary_ms(to_reply),
        "missed": missed,
        "duplicated": stats.duplicates,
        "unexpected": stats.unexpected,
        "server_cpu_us_per_click": round((cpu1 - cpu0) * 1e6 / total, 2),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    server = ServerProc(args.server_pid)
    t0, cpu0 = time.perf_counter(), time.process_time()
    if args.phase == "fanout":
        result = await fanout_phase(args, server)
    else:
        result = await rtt_phase(args, server)
    result["client"] = {
        "wall_s": round(time.perf_counter() - t0, 3),
        "cpu_s": round(time.process_time() - cpu0, 3),
        "affinity": sorted(os.sched_getaffinity(0)),
    }
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--phase", choices=["fanout", "rtt"], default="fanout")
    parser.add_argument("--protocol", choices=["phoenix", "floor"], default="phoenix")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/bench")
    parser.add_argument(
        "--server-pid",
        type=int,
        action="append",
        required=True,
        help="the server's process; several times: CPU and memory are summed over them",
    )
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--clicks", type=int, default=500)
    parser.add_argument("--warmup-clicks", type=int, default=3)
    parser.add_argument("--join-concurrency", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=30.0, help="per request")
    parser.add_argument("--round-timeout", type=float, default=30.0)
    parser.add_argument("--gap", type=float, default=0.02, help="pause between rounds (s)")
    parser.add_argument("--deflate", action="store_true", help="offer permessage-deflate")
    parser.add_argument(
        "--transport",
        choices=["websocket", "longpoll"],
        default="websocket",
        help="longpoll: Phoenix's long-poll transport (/live/longpoll), as the official client "
        "speaks it when its websocket cannot connect",
    )
    parser.add_argument(
        "--prefill-rounds",
        type=int,
        default=0,
        help="fan-out: unmeasured rounds after the joins, before the measured ones",
    )
    parser.add_argument(
        "--record-frames",
        help="write the diff frames the first LiveView received to this file (JSON: count -> "
        "frame), for the floor to send the same frames",
    )
    parser.add_argument("--settle", type=float, default=2.0, help="pause before reading RSS (s)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop
    except ImportError:
        output = asyncio.run(main(arguments))
    else:
        output = uvloop.run(main(arguments))
    sys.stdout.write(orjson.dumps(output).decode() + "\n")
