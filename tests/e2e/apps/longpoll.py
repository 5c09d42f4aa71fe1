"""A multi-player room for the long-poll tests: a shared counter (clicks), a chat form (a
change event echoes the draft, a submit publishes the line). $LIVEVIEW_PUBSUB_URL, when set,
is the broker (several processes, for the relay between workers; $LIVEVIEW_PUBSUB_PREFIX its
channel prefix)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from liveview import LiveView, LiveViewApp, LiveViewSocket, SingleProcessPubSub
from liveview.pubsub import PubSub, from_url
from liveview.uploads import UploadEntry

TOPIC = "longpoll-room"


class Room(LiveView):
    template = """
    <p>count <span id="count">{{ count }}</span></p>
    <button id="inc" phx-click="inc">+</button>
    <form id="chat" phx-change="draft" phx-submit="say">
      <input id="text" name="text" value="{{ draft }}" autocomplete="off">
    </form>
    <p id="draft">{{ draft }}</p>
    <ul id="lines">{% for line in lines %}<li>{{ line }}</li>{% endfor %}</ul>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0, draft="", lines=[])
        await socket.subscribe(TOPIC)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "inc":
            await socket.pubsub.publish(TOPIC, {"count": socket.assigns.count + 1})
        elif event == "draft":
            socket.assign(draft=payload.get("text", ""))
        elif event == "say":
            socket.assign(draft="")
            await socket.pubsub.publish(TOPIC, {"line": payload.get("text", "")})

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if isinstance(info, dict) and "count" in info:
            socket.assign(count=info["count"])
        elif isinstance(info, dict) and "line" in info:
            socket.assign(lines=[*socket.assigns.lines, info["line"]])


class Upload(LiveView):
    """Files uploaded in chunks (binary frames: base64 lines of a long-poll POST)."""

    template = """
    <form id="upload-form" phx-change="validate" phx-submit="save">
      {{ live_file_input(uploads.files) }}
      <button id="save" type="submit">Upload</button>
    </form>
    <ul id="stored">{% for line in stored %}<li>{{ line }}</li>{% endfor %}</ul>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(stored=[])
        socket.allow_upload("files", accept="any", max_entries=2, max_file_size=1_000_000)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "save":

            def digest(path: str | Path, entry: UploadEntry) -> str:
                data = Path(path).read_bytes()
                return f"{entry.client_name} {len(data)} {hashlib.sha256(data).hexdigest()[:16]}"

            lines = await socket.consume_uploaded_entries("files", digest)
            socket.assign(stored=[*socket.assigns.stored, *lines])


def _pubsub() -> PubSub:
    url = os.environ.get("LIVEVIEW_PUBSUB_URL")
    prefix = os.environ.get("LIVEVIEW_PUBSUB_PREFIX")  # a test's own channels on a shared Redis
    return from_url(url, prefix=prefix) if url else SingleProcessPubSub()


app = LiveViewApp(
    routes={"/room": Room, "/upload": Upload}, pubsub=_pubsub(), secret="e2e-longpoll"
)
