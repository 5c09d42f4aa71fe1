"""The floor: a bare websocket server with no framework, the cheapest way to do the same job.

It speaks just enough of the Phoenix V2 frame format for the load client: a join gets an ok
reply (and, like a freshly mounted bench LiveView, restarts the count at 0), a heartbeat gets its
reply, and a click gets its reply and then **one pre-encoded diff frame**, carrying the new count
as "0" and padded to `--frame-size` bytes (our server's diff frame at the same N), written to
every connected socket with `websockets.broadcast` (no per-socket await, no render, no diff, no
JSON encoding per recipient). No HTTP page: the load client joins directly.

    python bench/apps/floor.py --port 8000 --frame-size 328
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import orjson
from websockets.asyncio.server import ServerConnection, broadcast, serve

TOPIC = "lv:floor"


class Floor:
    def __init__(self, frame_size: int) -> None:
        self.frame_size = frame_size
        self.count = 0
        self.clients: set[ServerConnection] = set()

    def diff_frame(self, count: int) -> str:
        """`[null,null,"lv:floor","diff",{"0":"<count>","p":"xx…"}]`, exactly frame_size bytes."""
        empty = orjson.dumps([None, None, TOPIC, "diff", {"0": str(count), "p": ""}])
        pad = max(0, self.frame_size - len(empty))
        return orjson.dumps([None, None, TOPIC, "diff", {"0": str(count), "p": "x" * pad}]).decode()

    async def handler(self, ws: ServerConnection) -> None:
        self.clients.add(ws)
        try:
            async for message in ws:
                join_ref, ref, topic, event, _payload = orjson.loads(message)
                if event == "heartbeat":
                    response: dict[str, object] = {}
                elif event == "phx_join":
                    self.count = 0  # like a freshly mounted LiveView's count
                    response = {"rendered": {"s": ["<p>", "</p>"], "0": str(self.count)}}
                elif event == "event":
                    response = {}
                else:
                    continue
                reply = [join_ref, ref, topic, "phx_reply", {"status": "ok", "response": response}]
                await ws.send(orjson.dumps(reply).decode())
                if event == "event":
                    self.count += 1
                    broadcast(self.clients, self.diff_frame(self.count))
        finally:
            self.clients.discard(ws)


async def main(port: int, frame_size: int, deflate: bool) -> None:
    floor = Floor(frame_size)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with serve(
        floor.handler,
        "127.0.0.1",
        port,
        compression="deflate" if deflate else None,
        ping_interval=None,
        max_queue=None,
    ):
        print(f"floor on 127.0.0.1:{port}, frame size {frame_size}", flush=True)
        await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--frame-size", type=int, default=328)
    parser.add_argument("--deflate", action="store_true", help="accept permessage-deflate")
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:  # the same loop uvicorn picks when it is installed
        asyncio.run(main(args.port, args.frame_size, args.deflate))
    else:
        uvloop.run(main(args.port, args.frame_size, args.deflate))
