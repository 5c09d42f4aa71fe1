"""The server's cost of one long poll, in process: a frame waits, a GET with the session's
token takes it, through the app's ASGI entry (as uvicorn calls it, minus HTTP parsing).

    .venv/bin/python bench/longpoll_poll.py [--polls 5000] [--profile]

Prints microseconds per poll (wall time on this machine: run it twice, before and after a
change, in one sitting). The fan-out figures over real HTTP are bench/run.py --transport both.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from liveview import LiveView, LiveViewApp

FRAME = '["1",null,"lv:phx-bench","diff",{"0":"12","1":{"0":"a","1":"b"}}]'


class Page(LiveView):
    template = "<p>bench</p>"


def scope(app: LiveViewApp, query: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/live/longpoll",
        "raw_path": b"/live/longpoll",
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"bench"), (b"accept", b"application/json")],
        "server": ("bench", 80),
        "client": ("127.0.0.1", 1),
        "state": {},
    }


async def main(polls: int, profile: bool) -> None:
    app = LiveViewApp(routes={"/": Page}, secret="bench")
    await app.start()
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    await app(scope(app, "vsn=2.0.0"), receive, send)
    token = orjson.loads(sent[-1]["body"])["token"]
    (session,) = app.longpoll.sessions.values()
    # what the official client's poll URL carries: its params, the CSRF token, the token
    query = urlencode(
        {"timezone": "UTC", "locale": "en-US", "_csrf_token": "x" * 70, "vsn": "2.0.0"}
    )
    poll = scope(app, f"{query}&token={token}")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    if profile:
        profiler.enable()
    for _ in range(polls):
        await session.send(FRAME)
        await app(dict(poll), receive, send)
    if profile:
        profiler.disable()
    elapsed = time.perf_counter() - started
    assert orjson.loads(sent[-1]["body"])["status"] == 200
    print(f"{elapsed / polls * 1e6:.1f} us per poll ({polls} polls)")
    if profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--polls", type=int, default=5000)
    parser.add_argument("--profile", action="store_true")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.polls, arguments.profile))
