"""What a hostile or vanishing client costs, in-process: capped forms, oversized frames, and a
write to a websocket that is already gone."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from uvicorn.protocols.utils import ClientDisconnected

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.testing import LiveViewTestClient, ReplyError, WebSocketClosed

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
        socket.write_at_once = False  # as our protocol once disconnected: through ASGI's send
        before = len(stopped)
        await socket.send_text(frame)
        await asyncio.wait_for(socket._task, 5)  # before: ConnectionError escaped the app
        assert len(stopped) == before + 1  # the LiveView on it was stopped
        assert not app.idle_sweeper._connections


# --- frames over max_frame_size: closed with 1009, as a server enforcing the limit would -------

LIMIT = 1_000


def padded(size: int, filler: str = " ") -> str:
    """A heartbeat of exactly `size` UTF-8 bytes, padded with `filler` in an unused field."""
    head, tail = '[null,"7","phoenix","heartbeat",{"pad":"', '"}]'
    spare = size - len(head) - len(tail)
    width = len(filler.encode())
    return head + filler * (spare // width) + " " * (spare % width) + tail


async def test_a_frame_at_the_limit_is_served() -> None:
    async with LiveViewTestClient(make_app(max_frame_size=LIMIT)) as client:
        await client.get("/echo")
        socket = await client.connect()
        for filler in (" ", "é"):
            frame = padded(LIMIT, filler)
            assert len(frame.encode()) == LIMIT
            await socket.send_text(frame)
            reply = await socket.receive_frame()
            assert reply[1:4] == ["7", "phoenix", "phx_reply"]


@pytest.mark.parametrize(
    "message",
    [
        {"type": "websocket.receive", "text": padded(LIMIT + 1)},
        {"type": "websocket.receive", "text": "€" * (LIMIT // 3 + 1)},  # fewer characters, UTF-8
        {"type": "websocket.receive", "bytes": b"\x00" * (LIMIT + 1)},
    ],
)
async def test_a_frame_over_the_limit_closes_with_1009_and_others_carry_on(
    message: dict[str, Any],
) -> None:
    async with LiveViewTestClient(make_app(max_frame_size=LIMIT)) as client:
        view = await client.live("/echo")
        other = await client.live("/echo")
        before = len(stopped)
        await view.socket._to_app.put(message)
        with pytest.raises(WebSocketClosed) as closed:
            await view.socket.receive_frame()
        assert closed.value.code == 1009
        await asyncio.wait_for(view.socket._task, 5)
        assert len(stopped) == before + 1  # its LiveView stopped with it
        assert "echo" in await other.change("validate", "a=1")  # another websocket: served


async def test_the_default_limit_is_1_mib_and_none_turns_it_off() -> None:
    big = padded(1_048_577)
    async with LiveViewTestClient(make_app()) as client:
        await client.get("/echo")
        socket = await client.connect()
        await socket.send_text(padded(1_048_576))
        assert (await socket.receive_frame())[3] == "phx_reply"
        await socket.send_text(big)
        with pytest.raises(WebSocketClosed) as closed:
            await socket.receive_frame()
        assert closed.value.code == 1009
    async with LiveViewTestClient(make_app(max_frame_size=None)) as client:
        await client.get("/echo")
        socket = await client.connect()
        await socket.send_text(big)
        assert (await socket.receive_frame())[3] == "phx_reply"


@pytest.mark.parametrize("size", [0, -1, 1.5, True])
def test_a_limit_that_is_not_a_positive_int_is_refused(size: Any) -> None:
    with pytest.raises(ValueError, match="max_frame_size"):
        make_app(max_frame_size=size)
