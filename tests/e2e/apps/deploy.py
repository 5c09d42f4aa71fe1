"""The app `tests/e2e/test_deploy.py` runs in two `liveview run` processes behind nginx.

The gallery's shared counter and chat, each page saying which process served it: the
`X-Served-By` header on HTTP responses (the dead render) and `#worker` in the LiveView (the
process holding its websocket, which may be the other one). `/desk` adds a form whose inputs
the server renders from its assigns, as Phoenix forms do, so that form recovery on a rejoin in
another process shows what was typed. Configured by the environment: LIVEVIEW_WORKER (the
name; default "pid <process id>"), LIVEVIEW_PUBSUB_URL, LIVEVIEW_SECRET.
"""

import os
from typing import Any

from starlette.types import Receive, Scope, Send

from liveview import LiveViewApp, LiveViewSocket
from liveview.gallery.chat import Chat
from liveview.gallery.shared_counter import SharedCounter
from liveview.pubsub import from_url

WORKER = os.environ.get("LIVEVIEW_WORKER") or f"pid {os.getpid()}"
SHOWN = '<p>worker <span id="worker">{{ worker }}</span></p>'


class Desk(SharedCounter):
    template = (
        SharedCounter.template
        + """
    <form id="note" phx-change="draft">
      <input id="title" name="title" value="{{ title }}">
      <textarea id="body" name="body">{{ body }}</textarea>
    </form>
    <p id="saved">{{ title }}</p>
    """
        + SHOWN
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await super().mount(socket, session, params)
        socket.assign(worker=WORKER, title="", body="")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "draft":
            socket.assign(title=payload.get("title", ""), body=payload.get("body", ""))
            return
        await super().handle_event(event, payload, socket)


class WorkerChat(Chat):
    template = Chat.template + SHOWN

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await super().mount(socket, session, params)
        socket.assign(worker=WORKER)


class ServedBy:
    """Adds `X-Served-By: <worker>` to HTTP responses; websockets pass through untouched."""

    def __init__(self, app: LiveViewApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-served-by", WORKER.encode())]
            await send(message)

        await self.app(scope, receive, send_with_header)


app = ServedBy(
    LiveViewApp(
        {"/desk": Desk, "/chat": WorkerChat},
        pubsub=from_url(os.environ.get("LIVEVIEW_PUBSUB_URL")),
    )
)
