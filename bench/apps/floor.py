"""The floor: a bare websocket server with no framework, the cheapest way to do the same job.

It speaks just enough of the Phoenix V2 frame format for the load client: a join gets an ok
reply (and, like a freshly mounted bench LiveView, restarts the count at 0), a heartbeat gets its
reply, and a click gets its reply and then **one pre-encoded diff frame** carrying the new count
as "0", written to every connected socket with `websockets.broadcast` (no per-socket await, no
render, no diff, no JSON encoding per recipient). No HTTP page: the load client joins directly.

The frame is our server's own diff frame for that count when `--frames` names a file the load
client recorded from ours on the same shape (`loadclient.py --record-frames`: count -> the frame
one of our LiveViews received, byte for byte, its topic included; the load client checks only
the count): so on every shape the floor writes exactly the bytes ours writes. A count the file
lacks gets the recorded frame of the highest count with its "0" replaced. Without `--frames`,
the frame is `{"0": count, "p": "xx…"}` padded to `--frame-size` bytes.

    python bench/apps/floor.py --port 8000 --frame-size 328 [--frames ours-frames.json]
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import orjson
from websockets.asyncio.server import ServerConnection, broadcast, serve

TOPIC = "lv:floor"


class Floor:
    def __init__(self, frame_size: int, frames: dict[str, str] | None = None) -> None:
        self.frame_size = frame_size
        self.frames = frames or {}
        self.count = 0
        self.clients: set[ServerConnection] = set()

    def diff_frame(self, count: int) -> str:
        """Ours's recorded frame for `count`, else `[null,null,"lv:floor","diff",{"0":"<count>",
        "p":"xx…"}]` of exactly frame_size bytes."""
        if self.frames:
            frame = self.frames.get(str(count))
            if frame is None:  # beyond the recording: the last recorded frame, count replaced
                last = orjson.loads(self.frames[max(self.frames, key=int)])
                last[4]["0"] = str(count)
                frame = self.frames[str(count)] = orjson.dumps(last).decode()
            return frame
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


async def main(port: int, frame_size: int, deflate: bool, frames: str | None) -> None:
    recorded = None
    if frames:
        with open(frames, "rb") as f:
            recorded = orjson.loads(f.read())
    floor = Floor(frame_size, recorded)
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
        source = f"{len(recorded)} frames recorded from ours" if recorded else frame_size
        print(f"floor on 127.0.0.1:{port}, frames: {source}", flush=True)
        await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--frame-size", type=int, default=328)
    parser.add_argument("--deflate", action="store_true", help="accept permessage-deflate")
    parser.add_argument("--frames", help="JSON file: count -> ours's diff frame (recorded)")
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:  # the same loop uvicorn picks when it is installed
        asyncio.run(main(args.port, args.frame_size, args.deflate, args.frames))
    else:
        uvloop.run(main(args.port, args.frame_size, args.deflate, args.frames))
