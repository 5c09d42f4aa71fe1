"""Bugs the fuzz suite (and the outside probe) found, each as its smallest reproduction; all
fixed now, kept as regression tests.

While a bug is open its test here is marked `xfail(strict=True)` and its name is in
`mutator.OPEN_BUGS`, so the mutator leaves out the inputs that trigger it and the sample keeps
looking for new bugs (`python -m tests.fuzz.run --include <name>` sends them meanwhile). When it
is fixed, the mark and the name go.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from liveview.testing import LiveViewCrashed, LiveViewTest, LiveViewTestClient, ReplyError
from tests.fuzz.app import RECORDER, make_app


@pytest.fixture
async def client() -> AsyncIterator[LiveViewTestClient]:
    async with LiveViewTestClient(make_app()) as client:  # its lifespan resets RECORDER
        yield client


def assert_no_traceback() -> None:
    assert RECORDER.unexpected_count == 0, [entry.text for entry in RECORDER.unexpected]


async def answer_or_refusal(
    view: LiveViewTest, payload: dict[str, Any], event: str = "event"
) -> None:
    """Send `payload`; an ok reply or an error reply are both answers (a crash is not)."""
    try:
        await view.push(event, payload)
    except LiveViewCrashed:
        raise
    except ReplyError:
        pass


@pytest.mark.parametrize("key", ["url", "redirect"])
async def test_a_join_to_a_url_urllib_cannot_split_is_refused_without_a_traceback(
    client: LiveViewTestClient, key: str
) -> None:
    view = await client.live("/counter")
    payload = {**view.join_payload, key: "http://[::1"}
    reply, _ = await view.socket.request(view.topic, "phx_join", payload, join_ref="99")
    assert reply[4]["status"] == "error"
    assert_no_traceback()


async def test_a_live_patch_to_a_url_urllib_cannot_split_is_answered_and_the_view_lives(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/params")
    await answer_or_refusal(view, {"url": "http://[::1"}, event="live_patch")
    await view.click("inc")
    assert '<p id="count">1</p>' in view.html
    assert_no_traceback()


async def test_cids_destroyed_with_deeply_nested_cids_is_answered_and_the_view_lives(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/counter")
    reply, _ = await view.socket.request(
        view.topic, "cids_destroyed", {"cids": [[[[[[[[[[[]]]]]]]]]]]}, join_ref=view.join_ref
    )  # shallow: fine
    assert reply[4]["status"] == "ok"
    deep = "[" * 300 + "]" * 300  # deeper than orjson writes, so sent as text
    frame = f'["{view.join_ref}","77","{view.topic}","cids_destroyed",{{"cids":{deep}}}]'
    await view.socket.send_text(frame)
    reply = await view.socket.receive_frame()
    assert reply[1] == "77" and reply[4]["status"] == "ok"
    await view.click("inc")
    assert '<p id="count">1</p>' in view.html
    assert_no_traceback()


async def test_a_form_key_2000_brackets_deep_is_answered_and_the_view_lives(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/form")
    key = "a" + "[b]" * 2_000
    await answer_or_refusal(view, {"type": "form", "event": "validate", "value": f"{key}=1"})
    await view.click("inc")
    assert '<p id="count">1</p>' in view.html
    assert_no_traceback()
