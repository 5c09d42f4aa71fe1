"""A 20-field pydantic form validated on every keystroke: server CPU per `phx-change` round trip,
and the bytes of each reply.

    .venv/bin/python bench/form_validate.py                     # prints a markdown report
    .venv/bin/python bench/form_validate.py --out bench/results/2026-12-06-forms.md

A typing session fills the form of `bench/apps/forms20.py` (`Twenty`) as a person would: each
text field typed one character at a time, a select, a date, a checkbox and a multi-select
picked once: 144 `phx-change` events. The events are made by `liveview.testing`'s `FormTest`
(the same `_unused_` keys and `_target` as the official client: tests/e2e/test_forms.py checks
that), then replayed over a real websocket to a uvicorn server (our websocket protocol, as the
README serves apps), one at a time, each waiting for its reply: `--rounds` sessions, each in a
fresh tab (after one more that warms up).

Figures, for the page rendered with the package's macros (`/form`) and with hand-written inputs
(`/inline`):

- server CPU per round trip: the server process's time on CPU (`/proc/<pid>/task/*/schedstat`)
  over the rounds, divided by the events: decoding the frame, `to_form` (pydantic), the render
  and its diff, the JSON and the websocket write;
- reply bytes: the `phx_reply` frame as received (its JSON text); fields sent: entries of the
  fields loop the diff carries (only the fields whose markup changed are sent);
- round trip p50 / p99 as the client saw it;
- in-process, without sockets: `to_form` alone and the render + diff alone, per event.

The server is pinned to one core and the client to the other when `taskset` exists (2 shared
cores here: figures are noisy, compare runs of one machine).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from loadclient import LiveClient, ServerProc, Stats  # noqa: E402

from liveview.channel.params import form_payload  # noqa: E402

TYPED: list[tuple[str, str]] = [
    ("first_name", "Marguerite"),
    ("last_name", "Yourcenar"),
    ("email", "marguerite@example.org"),
    ("phone", "+33 1 23 45 67 89"),
    ("street", "12 rue de l'Odeon"),
    ("city", "Paris"),
    ("postcode", "75006"),
    ("company", "Gallimard"),
    ("title", "Author"),
    ("seats", "12"),
    ("age", "42"),
    ("budget", "5000"),
    ("notes", "A few words about the project."),
]
PICKED: list[tuple[str, Any]] = [
    ("country", "JP"),
    ("starts", "2027-01-04"),
    ("ends", "2027-06-30"),
    ("newsletter", "true"),
    ("plan", "team"),
    ("topics", ["web", "data"]),
]


async def session_events(path: str) -> list[dict[str, Any]]:
    """The `phx-change` payloads of one typing session on `path`, as the client sends them."""
    from bench.apps.forms20 import app
    from liveview.testing import LiveViewTestClient

    events: list[dict[str, Any]] = []
    async with LiveViewTestClient(app) as client:
        view = await client.live(path)
        original = view.send_form

        async def capture(event: str, form: Any, meta: Any, target: Any = None) -> None:
            events.append({"type": "form", "event": event, "value": form, "meta": meta})
            await original(event, form, meta, target)

        view.send_form = capture  # type: ignore[method-assign]
        form = view.form("#twenty")
        for name, text in TYPED:
            for end in range(1, len(text) + 1):
                await form.change({"twenty": {name: text[:end]}})
        for name, value in PICKED:
            await form.change({"twenty": {name: value}})
        assert form.errors == {}, form.errors  # the session ends on a valid form
    return events


class FormClient(LiveClient):
    """The load client's tab, keeping the size of each reply frame as it came."""

    sizes: dict[str, int]

    async def _read(self) -> None:
        assert self.ws is not None
        self.sizes = {}
        while True:
            data = await self.ws.recv(decode=False)
            frame = orjson.loads(data)
            if frame[3] == "phx_reply":
                self.sizes[frame[1]] = len(data)
                future = self._waiting.get(frame[1])
                if future is not None and not future.done():
                    future.set_result(frame[4])


def fields_sent(diff: dict[str, Any]) -> int:
    """How many entries of the fields loop a diff carries."""
    for value in diff.values():
        if isinstance(value, dict) and "k" in value:
            return sum(1 for key in value["k"] if key != "kc")
    return 0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"the server did not listen on {port} within {timeout:.0f} s")


def pinned(command: list[str], core: int) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(core), *command]
    return command


async def replay(
    port: int, server: ServerProc, path: str, events: list[dict[str, Any]], rounds: int
) -> dict[str, Any]:
    """Each round a fresh tab joins and types the session; figures over every round's events."""
    args = argparse.Namespace(
        host="127.0.0.1", port=port, path=path, protocol="ours", timeout=30.0, deflate=False
    )
    sizes: list[int] = []
    sent: list[int] = []
    times: list[float] = []
    cpu = 0.0
    for round_ in range(rounds + 1):  # the first round warms up and is not counted
        client = FormClient(0, Stats(), args)
        await client.open()
        try:
            cpu_before = server.cpu_sched()
            for event in events:
                start = time.perf_counter()
                reply = await client.request(client.topic, "event", event, join_ref=client.join_ref)
                elapsed = time.perf_counter() - start
                assert reply["status"] == "ok", reply
                size = client.sizes.pop(str(client._ref))
                if round_:
                    times.append(elapsed)
                    sizes.append(size)
                    sent.append(fields_sent(reply["response"].get("diff", {})))
            if round_:
                cpu += server.cpu_sched() - cpu_before
        finally:
            client.closing = True
            for task in client.tasks:
                task.cancel()
            assert client.ws is not None
            await client.ws.close()
    count = len(times)
    return {
        "events": count,
        "cpu_us": cpu / count * 1e6,
        "bytes_mean": statistics.fmean(sizes),
        "bytes_p50": pct([float(s) for s in sizes], 0.5),
        "bytes_max": max(sizes),
        "fields_mean": statistics.fmean(sent),
        "fields_max": max(sent),
        "rtt_p50_ms": pct(times, 0.5) * 1e3,
        "rtt_p99_ms": pct(times, 0.99) * 1e3,
    }


def in_process(path: str, events: list[dict[str, Any]], repeat: int) -> dict[str, float]:
    """`to_form` alone, and the render + diff alone, per event (no sockets, no JSON)."""
    from bench.apps.forms20 import Inline, Macros, Twenty
    from liveview.forms import to_form
    from liveview.template.state import RenderState

    view = Macros if path == "/form" else Inline
    template = view.compiled_template()
    params = [form_payload(e["value"], e["meta"]).get("twenty") for e in events]
    start = time.perf_counter()
    for _ in range(repeat):
        forms = [to_form(Twenty, p, action="validate") for p in params]
    validate = (time.perf_counter() - start) / (repeat * len(params))
    state = RenderState()
    state.render(template, {"form": to_form(Twenty)})
    start = time.perf_counter()
    for _ in range(repeat):
        for form in forms:
            state.render(template, {"form": form}, ["form"])
    render = (time.perf_counter() - start) / (repeat * len(forms))
    return {"to_form_us": validate * 1e6, "render_us": render * 1e6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4, help="typing sessions replayed")
    parser.add_argument("--out", type=Path, help="write the markdown report there too")
    args = parser.parse_args()

    load = os.getloadavg()
    results: dict[str, Any] = {}
    for path in ("/form", "/inline"):
        events = asyncio.run(session_events(path))
        port = free_port()
        command = [
            sys.executable, "-m", "uvicorn", "bench.apps.forms20:app", "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning", "--ws",
            "liveview.server:WebSocketProtocol", "--ws-per-message-deflate", "false",
            "--ws-ping-interval", "0",
        ]  # fmt: skip
        proc = subprocess.Popen(pinned(command, 1), cwd=ROOT)
        try:
            wait_listening(port, proc)
            if (os.cpu_count() or 1) > 1 and shutil.which("taskset"):
                os.sched_setaffinity(0, {0})  # the client on the other core
            results[path] = asyncio.run(
                replay(port, ServerProc([proc.pid]), path, events, args.rounds)
            )
        finally:
            proc.terminate()
            proc.wait(10)
        results[path].update(in_process(path, events, repeat=5))

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        f"# A 20-field form validated on every keystroke ({time.strftime('%Y-%m-%d')})",
        "",
        "```sh",
        "nice -n 10 .venv/bin/python bench/form_validate.py " + " ".join(sys.argv[1:]),
        "```",
        "",
        f"git {commit}; Python {platform.python_version()}; {os.cpu_count()} cores (shared);"
        f" pydantic {__import__('pydantic').VERSION}; load average at the start"
        f" {load[0]:.2f}, at the end {os.getloadavg()[0]:.2f} (other work on the machine: the"
        " in-process columns are wall time, so they move with it).",
        "",
        "| page | events | server CPU per round trip | to_form | render + diff | reply bytes"
        " mean / p50 / max | fields sent per reply mean / max | round trip p50 / p99 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for path, r in results.items():
        lines.append(
            f"| `{path}` | {r['events']} | {r['cpu_us']:.0f} µs | {r['to_form_us']:.0f} µs |"
            f" {r['render_us']:.0f} µs | {r['bytes_mean']:.0f} / {r['bytes_p50']:.0f} /"
            f" {r['bytes_max']} | {r['fields_mean']:.2f} / {r['fields_max']} |"
            f" {r['rtt_p50_ms']:.2f} / {r['rtt_p99_ms']:.2f} ms |"
        )
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
