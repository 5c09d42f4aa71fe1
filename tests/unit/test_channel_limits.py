"""What a hostile or vanishing client costs, in-process: capped forms, oversized frames, and a
write to a websocket that is already gone."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from uvicorn.protocols.utils import ClientDisconnected

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.testing import LiveViewTestClient, ReplyError

stopped: list[str] = []


class Echo(LiveView):
    template = "<p id='echo'>{{ last }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(last="")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        socket.assign(last=repr(payload))

    async def shutdown(self, socket: LiveViewSocket) -> None:
        stopped.append(socket.id)


def make_app(**options: Any) -> LiveViewApp:
    return LiveViewApp(routes={"/echo": Echo}, secret="test-secret", **options)


# --- forms over a cap: an error reply, and the LiveView carries on ------------------------------


@pytest.mark.parametrize(
    ("value", "meta", "reason"),
    [
        ("a" + "[b]" * 60_000 + "=1", {}, "form too deep: more than 100 levels of brackets"),
        ("a=1", {"_target": "a" + "[b]" * 101}, "form too deep: more than 100 levels of brackets"),
        ("&".join(["x="] * 10_001), {}, "form too large: more than 10000 fields"),
    ],
)
async def test_a_form_over_a_cap_gets_an_error_reply_and_the_view_lives(
    value: str, meta: dict[str, Any], reason: str
) -> None:
    async with LiveViewTestClient(make_app()) as client:
        view = await client.live("/echo")
        form = {"type": "form", "event": "validate", "value": value, "meta": meta}
        with pytest.raises(ReplyError) as refused:
            await view.push("event", form)
        assert refused.value.response == {"reason": reason}
        html = await view.change("validate", "a%5Bb%5D=1", target="a[b]")
        assert "{&#39;a&#39;: {&#39;b&#39;: &#39;1&#39;}, &#39;_target&#39;" in html


# --- a client gone while we answer it: the connection ends quietly -----------------------------


@pytest.mark.parametrize(
    "frame",
    [
        '[null, "9", "phoenix", "heartbeat", {}]',  # the heartbeat reply
        '[null, "9", "lv:phx-x", "event", []]',  # an error reply to a malformed frame
        '[null, "9", "lv:phx-nobody", "event", {}]',  # "unmatched topic"
    ],
)
async def test_a_client_gone_while_a_reply_is_written_ends_the_connection_quietly(
    frame: str,
) -> None:
    app = make_app()
    async with LiveViewTestClient(app) as client:
        view = await client.live("/echo")
        socket = view.socket
        deliver = socket._from_app.put

        async def gone(message: dict[str, Any]) -> None:
            if message["type"] == "websocket.send":  # as uvicorn's send after a disconnect
                raise ClientDisconnected()
            await deliver(message)

        socket._from_app.put = gone  # type: ignore[method-assign]
        before = len(stopped)
        await socket.send_text(frame)
        await asyncio.wait_for(socket._task, 5)  # before: ConnectionError escaped the app
        assert len(stopped) == before + 1  # the LiveView on it was stopped
        assert not app.idle_sweeper._connections
