"""What a hostile or vanishing client costs, in-process: capped forms, oversized frames, and a
write to a websocket that is already gone."""

from __future__ import annotations

from typing import Any

import pytest

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
