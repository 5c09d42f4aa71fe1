"""The fuzz run: connections sending mutated frames, every server frame checked, then the
checks of the whole run, gathered in a `Report`.

Each connection (`k` = 0, 1, ...) GETs one page of every route (and one more, whose tokens are
foreign to it), opens a websocket, sends its frames from `Mutator(Random(f"{seed}:{k}"))` while a
reader checks every frame the server sends (oracle a), then sends a final heartbeat: the reply
must come (oracle c). A third of the connections send up to 60 frames before they may join.
After the last connection the server must still serve a fresh client ("healthy after", oracle
d): a new connection joins every page and clicks `inc` on each, and each click is answered `ok`
with a diff. The server's log recorder must hold no traceback but the intended crash's (oracle
b), and its RSS must stay within `RSS_BOUND` of where it started (oracle e).

On any failure the report names the seed, the connection and the frames sent just before it
(for a traceback: the frames sent to the topic its log message names), and the command that
replays that connection alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import sys
import time
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

import orjson

from liveview.channel.protocol import DIFF, EVENT, HEARTBEAT, JOIN, OK, PHOENIX_TOPIC, REPLY
from tests.fuzz.app import ROUTES
from tests.fuzz.mutator import Mutator, Sent
from tests.fuzz.oracles import ProtocolViolation, check_frame
from tests.fuzz.targets import Closed, Socket, Target

FINAL_TIMEOUT = 60.0
"""Seconds the final heartbeat's reply may take (frames sent before it are handled first)."""

RSS_BOUND_KB = 16 * 1024
"""Oracle (e): RSS after the run may exceed RSS before it (after a warm-up) by at most this
(16 MB; the in-process sample grows about 2.5 MB over 20,000 frames, 5 MB over 200,000)."""

_TOPIC = re.compile(r"lv:\S+")


@dataclass(frozen=True)
class Config:
    seed: int | str = 13
    connections: int = 50
    frames_per_connection: int = 400
    concurrency: int = 5
    include: frozenset[str] = frozenset()
    """Names of `mutator.OPEN_BUGS` to generate inputs for (normally none)."""
    only: int | None = None
    """Run connection `only` alone (a replay); `connections` is then ignored."""
    progress: bool = False
    """Print a line to stderr at every tenth of the connections (long runs)."""


@dataclass
class Failure:
    oracle: str
    detail: str
    connection: int | None = None
    frames: list[str] = field(default_factory=list)
    """The frames sent just before it, newest last (`#index kind: text`)."""


@dataclass(repr=False)
class Report:
    config: Config
    target: str
    frames_sent: int = 0
    frames_received: int = 0
    sent_by_kind: Counter[str] = field(default_factory=Counter)
    received_by_label: Counter[str] = field(default_factory=Counter)
    non_protocol: int = 0
    connections_done: int = 0
    closed_by_server: int = 0
    heartbeats_answered: int = 0
    healthy_after: bool | None = None
    server: dict[str, Any] = field(default_factory=dict)
    rss_before_kb: int = 0
    rss_after_kb: int = 0
    rss_max_kb: int = 0
    rss_trend_kb: list[int] = field(default_factory=list)
    """RSS after each tenth of the connections: flat when memory is bounded."""
    hwm_kb: int = 0
    wall_seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)

    def __repr__(self) -> str:  # short: pytest shows it beside a failed assertion
        return (
            f"Report(seed={self.config.seed!r}, frames_sent={self.frames_sent}, "
            f"failures={len(self.failures)})"
        )

    @property
    def tracebacks(self) -> int:
        return int(self.server.get("unexpected_tracebacks", 0))

    @property
    def intended_tracebacks(self) -> int:
        return int(self.server.get("intended_tracebacks", 0))

    def replay_command(self, connection: int | None) -> str:
        config = self.config
        command = (
            f".venv/bin/python -m tests.fuzz.run --seed {config.seed} "
            f"--frames-per-connection {config.frames_per_connection}"
        )
        if connection is not None:
            command += f" --only {connection}"
        for name in sorted(config.include):
            command += f" --include {name}"
        return command

    def figures(self) -> list[tuple[str, str]]:
        """The recorded figures, as (what, figure) rows."""
        n = self.connections_done
        rows = [
            ("target", self.target),
            ("seed", str(self.config.seed)),
            (
                "frames sent",
                f"{self.frames_sent:,} over {n:,} connections "
                f"({self.config.concurrency} at a time)",
            ),
            ("frames received", f"{self.frames_received:,}"),
            ("non-protocol frames from the server", f"{self.non_protocol:,}"),
            ("tracebacks (unexpected)", f"{self.tracebacks:,}"),
            (
                "tracebacks (the intended crash)",
                f"{self.intended_tracebacks:,}"
                + (
                    f" ({_tally(Counter(self.server['intended_by']))})"
                    if self.server.get("intended_by")
                    else ""
                ),
            ),
            *(
                [("tracebacks in the server's output", f"{self.server['log_tracebacks']:,}")]
                if "log_tracebacks" in self.server
                else []
            ),
            ("connections closed by the server", f"{self.closed_by_server:,}"),
            ("final heartbeat answered", f"{self.heartbeats_answered:,} / {n:,}"),
            ("healthy after", {True: "yes", False: "NO", None: "not checked"}[self.healthy_after]),
            (
                "RSS before / after / max (KB; sampled after each connection)",
                f"{self.rss_before_kb:,} / {self.rss_after_kb:,} / {self.rss_max_kb:,}",
            ),
            ("RSS at each tenth of the run (KB)", " ".join(f"{kb:,}" for kb in self.rss_trend_kb)),
            ("VmHWM (KB)", f"{self.hwm_kb:,}"),
            (
                "wall time",
                f"{self.wall_seconds:.1f} s "
                f"({self.frames_sent / max(self.wall_seconds, 1e-9):,.0f} frames/s)",
            ),
        ]
        return rows

    def format(self) -> str:
        lines = [f"{what}: {figure}" for what, figure in self.figures()]
        lines.append("frames sent by kind: " + _tally(self.sent_by_kind))
        lines.append("server frames by event / reply: " + _tally(self.received_by_label))
        levels = self.server.get("levels", {})
        if levels:
            lines.append("server log records by level: " + _tally(Counter(levels)))
        for failure in self.failures[:10]:
            lines.append("")
            lines.append(f"FAILED ({failure.oracle}): {failure.detail}")
            lines.append(f"  seed {self.config.seed}, connection {failure.connection}")
            lines.extend(f"  sent {frame}" for frame in failure.frames)
            lines.append(f"  replay: {self.replay_command(failure.connection)}")
        for entry in self.server.get("unexpected", [])[:3]:
            lines.append("")
            lines.append(f"traceback logged on {entry['logger']!r}: {entry['message']}")
            lines.append(entry["text"])
        if len(self.failures) > 10:
            lines.append(f"... and {len(self.failures) - 10} more failures")
        return "\n".join(lines)

    @property
    def ok(self) -> bool:
        return not self.failures


def _tally(counter: Counter[str]) -> str:
    return ", ".join(f"{label} {count:,}" for label, count in counter.most_common())


def _show(index: int, sent: Sent) -> str:
    data = sent.data
    text = data if isinstance(data, str) else repr(data)
    more = f" ... ({len(data):,} chars)" if len(text) > 300 else ""
    return f"#{index} {sent.kind}: {text[:300]}{more}"


class Run:
    """One fuzz run against a target."""

    def __init__(self, target: Target, config: Config) -> None:
        self.target = target
        self.config = config
        self.report = Report(config, target.name)
        # what was sent to each topic lately, for the connections still remembered: a logged
        # traceback names its LiveView's topic, and this says which frames went there
        self._history: OrderedDict[str, tuple[int, deque[str]]] = OrderedDict()
        self._tracebacks_seen = 0
        self._next_tenth = 0  # connections done at which to take the next RSS sample

    async def run(self) -> Report:
        report = self.report
        started = time.monotonic()
        await self._healthy("before")  # a warm-up: imports, templates, first renders
        stats = await self.target.server_stats()
        report.rss_before_kb = report.rss_max_kb = int(stats["rss_kb"])
        self._tracebacks_seen = int(stats["unexpected_tracebacks"])
        indices = (
            [self.config.only] if self.config.only is not None else range(self.config.connections)
        )
        self._next_tenth = max(1, len(indices) // 10)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in indices:
            queue.put_nowait(index)
        workers = [
            asyncio.create_task(self._worker(queue, len(indices), started))
            for _ in range(min(self.config.concurrency, len(indices)))
        ]
        await asyncio.gather(*workers)
        report.healthy_after = await self._healthy("after")
        await self._check_server()
        stats = report.server
        if stats.get("log_tracebacks"):  # a real server's output (uvicorn's own handlers)
            report.failures.append(
                Failure(
                    "b: no traceback",
                    f"{stats['log_tracebacks']} tracebacks in the server's output",
                )
            )
        report.rss_after_kb = int(stats["rss_kb"])
        report.hwm_kb = int(stats["hwm_kb"])
        report.rss_max_kb = max(report.rss_max_kb, report.rss_after_kb)
        if report.rss_after_kb > report.rss_before_kb + RSS_BOUND_KB:
            report.failures.append(
                Failure(
                    "e: RSS bounded",
                    f"RSS grew from "
                    f"{report.rss_before_kb:,} KB to {report.rss_after_kb:,} KB, more than "
                    f"{RSS_BOUND_KB:,} KB",
                )
            )
        report.wall_seconds = time.monotonic() - started
        return report

    async def _worker(self, queue: asyncio.Queue[int], total: int, started: float) -> None:
        report = self.report
        while not queue.empty():
            index = queue.get_nowait()
            await self._connection(index)
            await self._check_server()
            if report.connections_done >= self._next_tenth:
                step = max(1, total // 10)
                while self._next_tenth <= report.connections_done:
                    self._next_tenth += step
                report.rss_trend_kb.append(int(report.server["rss_kb"]))
                if self.config.progress:
                    print(
                        f"fuzz: {report.connections_done:,}/{total:,} connections, "
                        f"{report.frames_sent:,} frames, {len(report.failures)} failures, "
                        f"RSS {report.server['rss_kb']:,} KB, {time.monotonic() - started:.0f} s",
                        file=sys.stderr,
                    )

    async def _check_server(self) -> None:
        """Oracle (b), and the RSS high mark: read what the server logged since last time."""
        stats = await self.target.server_stats()
        self.report.server = stats
        self.report.rss_max_kb = max(self.report.rss_max_kb, int(stats["rss_kb"]))
        self._take_tracebacks(stats)

    def _take_tracebacks(self, stats: dict[str, Any]) -> None:
        count = int(stats["unexpected_tracebacks"])
        if count == self._tracebacks_seen:
            return
        kept = stats["unexpected"][self._tracebacks_seen :] or [{"message": "?", "exception": ""}]
        self._tracebacks_seen = count
        for entry in kept:
            connection, frames = self._frames_for(entry["message"])
            self.report.failures.append(
                Failure(
                    "b: no traceback",
                    f"{entry['exception']} logged as {entry['message']!r}",
                    connection,
                    frames,
                )
            )

    def _frames_for(self, message: str) -> tuple[int | None, list[str]]:
        for topic in _TOPIC.findall(message):
            found = self._history.get(topic.rstrip(".,:;"))
            if found is not None:
                return found[0], list(found[1])
        return None, []

    def _remember(self, index: int, topic: str) -> deque[str]:
        recent: deque[str] = deque(maxlen=6)
        self._history[topic] = (index, recent)
        while len(self._history) > 400:
            self._history.popitem(last=False)
        return recent

    async def _connection(self, index: int) -> None:
        report = self.report
        rng = random.Random(f"{self.config.seed}:{index}")
        pages = [await self.target.page(path) for path in ROUTES]
        foreign = [await self.target.page(rng.choice(ROUTES))]
        mutator = Mutator(rng, pages, foreign, include=self.config.include)
        by_topic = {page.topic: self._remember(index, page.topic) for page in pages}
        recent: deque[str] = deque(maxlen=6)  # every frame of this connection
        socket = await self.target.connect()
        final_ref = f"final:{index}"
        reader = asyncio.create_task(self._read(socket, index, recent, final_ref))

        before_join = rng.randrange(1, 61) if rng.random() < 1 / 3 else 0
        mutator.joins_allowed = before_join == 0
        sent_ok = True
        for i in range(self.config.frames_per_connection):
            if i == before_join:
                mutator.joins_allowed = True
            sent = mutator.next()
            shown = _show(i, sent)
            recent.append(shown)
            topic = _topic_of(sent.data)
            if topic in by_topic:
                by_topic[topic].append(shown)
            try:
                await socket.send(sent.data)
            except Closed:
                sent_ok = False
                break
            report.frames_sent += 1
            report.sent_by_kind[sent.kind] += 1
            if reader.done():
                break
            await asyncio.sleep(0)
            count = self.target.traceback_count()
            if count is not None and count != self._tracebacks_seen:
                # in-process: a traceback right after this frame (the frames sent to the
                # topic it names are still the ones that led to it)
                self._take_tracebacks(await self.target.server_stats())

        if sent_ok and not reader.done():
            final = orjson.dumps([None, final_ref, PHOENIX_TOPIC, HEARTBEAT, {}]).decode()
            with contextlib.suppress(Closed):
                await socket.send(final)
        try:
            answered = await asyncio.wait_for(reader, FINAL_TIMEOUT)
        except TimeoutError:
            answered = False
            report.failures.append(
                Failure(
                    "c: answers a final heartbeat",
                    f"no reply within {FINAL_TIMEOUT:.0f} s",
                    index,
                    list(recent),
                )
            )
        if answered:
            report.heartbeats_answered += 1
        report.connections_done += 1
        await socket.close()

    async def _read(self, socket: Socket, index: int, recent: deque[str], final_ref: str) -> bool:
        """Check every frame the server sends (oracle a) until the final heartbeat's reply;
        False if the server closed the websocket first (oracle c)."""
        report = self.report
        while True:
            try:
                data = await socket.receive()
            except Closed as closed:
                report.closed_by_server += 1
                report.failures.append(
                    Failure(
                        "c: stays open",
                        f"the server closed the websocket ({closed})",
                        index,
                        list(recent),
                    )
                )
                return False
            report.frames_received += 1
            try:
                label = check_frame(data)
            except ProtocolViolation as violation:
                report.non_protocol += 1
                report.failures.append(
                    Failure("a: protocol frames only", str(violation), index, list(recent))
                )
                continue
            report.received_by_label[label] += 1
            if label.startswith(REPLY) and isinstance(data, str) and final_ref in data:
                frame = orjson.loads(data)
                if frame[1] == final_ref and frame[2] == PHOENIX_TOPIC:
                    return True

    async def _healthy(self, when: str) -> bool:
        """A fresh client joins every page and clicks `inc` on each: every reply `ok`, every
        click answered with a diff (oracle d). `when` names the moment in a failure."""
        pages = [await self.target.page(path) for path in ROUTES]
        socket = await self.target.connect()
        problems: list[str] = []
        try:
            for page in pages:
                joined = await _request(
                    socket,
                    "j" + page.topic,
                    page.topic,
                    JOIN,
                    {"url": page.url, "params": {}, "session": page.session, "static": page.static},
                    join_ref="j" + page.topic,
                )
                if joined[4].get("status") != OK or "rendered" not in joined[4]["response"]:
                    problems.append(f"join of {page.path} answered {joined[4]}")
                    continue
                clicked = await _request(
                    socket,
                    "c" + page.topic,
                    page.topic,
                    EVENT,
                    {"type": "click", "event": "inc", "value": {}},
                    join_ref="j" + page.topic,
                )
                if clicked[4].get("status") != OK or DIFF not in clicked[4]["response"]:
                    problems.append(f"click on {page.path} answered {clicked[4]}")
        except (Closed, TimeoutError, ProtocolViolation) as exc:
            problems.append(f"{type(exc).__name__}: {exc}")
        finally:
            await socket.close()
        for problem in problems:
            self.report.failures.append(Failure(f"d: healthy {when}", problem))
        return not problems


async def _request(
    socket: Socket, ref: str, topic: str, event: str, payload: dict[str, Any], *, join_ref: str
) -> list[Any]:
    await socket.send(orjson.dumps([join_ref, ref, topic, event, payload]).decode())

    async def reply() -> list[Any]:
        while True:
            data = await socket.receive()
            check_frame(data)
            frame: list[Any] = orjson.loads(data)
            if frame[1] == ref and frame[3] == REPLY:
                return frame

    return await asyncio.wait_for(reply(), 10)


def _topic_of(data: str | bytes) -> str | None:
    """The topic of a frame that decodes as one, cheaply (for the history of a topic)."""
    if not isinstance(data, str) or len(data) > 100_000:
        return None
    try:
        frame = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if isinstance(frame, list) and len(frame) == 5 and isinstance(frame[2], str):
        return frame[2]
    return None


async def fuzz(target: Target, config: Config) -> Report:
    return await Run(target, config).run()
