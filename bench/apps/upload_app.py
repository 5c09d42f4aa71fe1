"""The upload bench's apps: a LiveView taking one upload, and the bare-websocket floor.

`app`: one LiveView, `/upload`, allowing `BENCH_UPLOAD_ENTRIES` files of up to 250 MB in
`BENCH_CHUNK_SIZE` chunks; its "save" event consumes them into `BENCH_UPLOAD_OUT` (under names of
its own) and appends `client name<TAB>stored path` to `index.tsv` there, for the bench to check.

`floor`: a raw ASGI websocket app with no framework doing the same job on the same server: it
answers any join, and for each binary push appends the payload to a temporary file and replies
`ok` — what an upload needs, and nothing else.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

import orjson

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.uploads import UploadEntry

OUT = Path(os.environ.get("BENCH_UPLOAD_OUT") or tempfile.mkdtemp(prefix="bench-upload-out-"))


class Upload(LiveView):
    template = '<form phx-submit="save">{{ live_file_input(uploads.file) }}</form>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.allow_upload(
            "file",
            accept="any",
            max_entries=int(os.environ.get("BENCH_UPLOAD_ENTRIES", "1")),
            max_file_size=250_000_000,
            chunk_size=int(os.environ.get("BENCH_CHUNK_SIZE", "64000")),
        )

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "save":
            await socket.consume_uploaded_entries("file", store)


def store(path: str, entry: UploadEntry) -> None:
    target = OUT / secrets.token_hex(8)
    shutil.move(path, target)
    with open(OUT / "index.tsv", "a", encoding="utf-8") as index:
        index.write(f"{entry.client_name}\t{target}\n")


app = LiveViewApp(routes={"/upload": Upload}, secret="bench")


async def floor(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    if scope["type"] != "websocket":
        return
    await receive()
    await send({"type": "websocket.accept"})
    fd, path = tempfile.mkstemp(prefix="bench-floor-")
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            data = message.get("bytes")
            if data is None:
                join_ref, ref, topic, _, _ = orjson.loads(message["text"])
            else:
                lengths = data[1:5]
                fields = []
                offset = 5
                for length in lengths:
                    fields.append(data[offset : offset + length].decode())
                    offset += length
                join_ref, ref, topic, _ = fields
                os.write(fd, memoryview(data)[offset:])
            reply = [join_ref, ref, topic, "phx_reply", {"status": "ok", "response": {}}]
            await send({"type": "websocket.send", "text": orjson.dumps(reply).decode()})
    finally:
        os.close(fd)
        os.unlink(path)
