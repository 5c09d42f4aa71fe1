"""Streams at scale (issue 17): 1,000 LiveViews on one topic, 10,000 chat messages published
one after another, each shown by every LiveView — as a stream, and as a plain list.

    .venv/bin/python bench/streams.py [--n 1000] [--messages 10000] [--own-messages 300]
        [--pages stream,plain,plain-own]

One process, no sockets (the LiveViews are joined with real tokens from the dead render, as
`fanout_inprocess.py` does, on channels whose send only counts), one page per process (so each
RSS figure is that page's alone). The pages (the same markup: one `<li>` a message):

- `stream`: `handle_info` does `socket.stream_insert("messages", message)`; the browser keeps
  the rows, the server none;
- `plain`: `handle_info` assigns the list of every message so far, one tuple for the process
  (made once per message, as the gallery chat's history is), so the LiveViews read the same
  object and share one render: the cheapest a plain list gets;
- `plain-own`: `handle_info` appends to the LiveView's own list (`[*messages, message]`, the
  common habit): each LiveView keeps and re-renders all its rows. Quadratic in the messages,
  so it runs `--own-messages` of them only.

Each message is 60 bytes of text. Printed and written to `results/<date>-streams.md/.json`:
the RSS after 100 messages and after all, CPU per delivered diff (`time.process_time` over the
deliveries over N times the messages), the bytes of a diff (the JSON payload) and its frame.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import gc
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fanout_inprocess import join_channels, rss_kb
from liveview import LiveView, LiveViewApp, LiveViewSocket

TOPIC = "room"
TEXT = "x" * 60
MARKUP = '<li id="{{ dom_id }}"><b>{{ m.name }}</b>: {{ m.text }}</li>'
RESULTS = Path(__file__).resolve().parent / "results"


class StreamPage(LiveView):
    template = (
        '<ul id="messages" phx-update="stream">{% for dom_id, m in streams.messages %}'
        + MARKUP
        + "{% endfor %}</ul>"
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.stream("messages", [])
        await socket.subscribe(TOPIC)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.stream_insert("messages", info)


ALL: list[tuple[dict[str, Any], ...]] = [()]


def everything(message: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """Every message so far, one tuple for the process (the first LiveView to get a message
    makes it)."""
    current = ALL[0]
    if not current or current[-1] is not message:
        ALL[0] = current = (*current, message)
    return current


class PlainPage(LiveView):
    template = (
        '<ul id="messages">{% for m in messages %}'
        + MARKUP.replace("{{ dom_id }}", "messages-{{ m.id }}")
        + "{% endfor %}</ul>"
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(messages=ALL[0])
        await socket.subscribe(TOPIC)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(messages=everything(info))


class PlainOwnPage(PlainPage):
    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(messages=[])
        await socket.subscribe(TOPIC)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(messages=[*socket.assigns.messages, info])


PAGES: dict[str, type[LiveView]] = {
    "stream": StreamPage,
    "plain": PlainPage,
    "plain-own": PlainOwnPage,
}


async def measure(page: str, n: int, messages: int) -> dict[str, Any]:
    app = LiveViewApp(routes={"/": PAGES[page]}, secret="bench")
    await app.start()
    sent = 0
    target = n
    done = asyncio.Event()
    frames: list[str] = []

    async def send(text: str) -> None:
        nonlocal sent
        sent += 1
        if len(frames) < 3:
            frames.append(text)
        if sent >= target:
            done.set()

    gc.collect()
    before_join = rss_kb()
    channels = await join_channels(app, n, lambda topic: send)
    await asyncio.wait_for(done.wait(), 60 + n * 0.1)
    gc.collect()
    joined = rss_kb()
    rss: dict[int, int] = {}
    cpu = 0.0
    wall = time.perf_counter()
    for number in range(1, messages + 1):
        sent = 0
        done.clear()
        frames.clear()
        message = {"id": number, "name": f"user{number % 50}", "text": TEXT}
        began = time.process_time()
        await app.pubsub.publish(TOPIC, message)
        await asyncio.wait_for(done.wait(), 600)
        cpu += time.process_time() - began
        if number in (100, messages) or number % 500 == 0:
            gc.collect()
            rss[number] = rss_kb()
            print(
                f"  {page}: {number} messages, RSS {rss[number] / 1024:.1f} MB, "
                f"{cpu / (n * number) * 1e6:.1f} µs CPU per delivered diff so far",
                flush=True,
            )
    wall = time.perf_counter() - wall
    frame = frames[0]
    diff = orjson.loads(frame)[4]
    for channel in channels:
        await channel.stop()
    await app.close()
    return {
        "page": page,
        "n": n,
        "messages": messages,
        "rss_kb_before_join": before_join,
        "rss_kb_joined": joined,
        "rss_kb": rss,
        "cpu_us_per_diff": cpu / (n * messages) * 1e6,
        "wall_s": wall,
        "diff_bytes": len(orjson.dumps(diff)),
        "frame_bytes": len(frame.encode()),
        "last_diff": diff,
    }


def child(args: argparse.Namespace) -> None:
    record = asyncio.run(measure(args.child, args.n, args.count))
    print("RESULT " + json.dumps(record), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--own-messages", type=int, default=300)
    parser.add_argument("--pages", default="stream,plain,plain-own")
    parser.add_argument("--child")
    parser.add_argument("--count", type=int)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    records = []
    for page in args.pages.split(","):
        count = args.own_messages if page == "plain-own" else args.messages
        cmd = [sys.executable, __file__, "--child", page, "--n", str(args.n), "--count", str(count)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        sys.stdout.write(out.stdout.replace("RESULT ", "  raw: ")[:2000])
        if out.returncode != 0:
            sys.exit(out.stderr)
        record = json.loads(out.stdout.rsplit("RESULT ", 1)[1])
        records.append(record)
    report = render(records, args)
    print(report)
    if not args.no_write:
        stem = RESULTS / f"{datetime.date.today().isoformat()}-streams"
        stem.with_suffix(".json").write_text(json.dumps(records, indent=1) + "\n")
        stem.with_suffix(".md").write_text(report)


def render(records: list[dict[str, Any]], args: argparse.Namespace) -> str:
    command = "python bench/streams.py " + shlex.join(sys.argv[1:])
    git = ["git", "rev-parse", "--short", "HEAD"]
    commit = subprocess.run(git, capture_output=True, text=True, check=False).stdout.strip()
    lines = [
        "# Streams: 1,000 LiveViews on one topic, chat messages published one by one",
        "",
        f"Command: `{command}` (`.venv/bin/python`; one process a page, no sockets).",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with other jobs; "
        f"Python {platform.python_version()}; "
        f"commit {commit}.",
        "",
        "| page | N | messages | RSS joined | RSS after 100 | RSS after all | growth 100→all "
        "| CPU µs / delivered diff | diff bytes | frame bytes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        rss = {int(k): v for k, v in r["rss_kb"].items()}
        after_100, after_all = rss.get(100), rss[r["messages"]]
        growth = "" if after_100 is None else f"{(after_all - after_100) / after_100:+.1%}"
        lines.append(
            f"| {r['page']} | {r['n']} | {r['messages']} | {r['rss_kb_joined'] / 1024:.1f} MB "
            f"| {'' if after_100 is None else f'{after_100 / 1024:.1f} MB'} "
            f"| {after_all / 1024:.1f} MB | {growth} | {r['cpu_us_per_diff']:.1f} "
            f"| {r['diff_bytes']} | {r['frame_bytes']} |"
        )
    lines += ["", "The last diff of each page:", ""]
    for r in records:
        lines.append(f"- {r['page']}: `{json.dumps(r['last_diff'])}`")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
