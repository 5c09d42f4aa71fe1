"""Hostile and malformed form events sent to a LiveView validating with `liveview.forms` (the
gallery's volunteers, which stores a valid submit): each gets an error reply or validation
errors, the LiveView keeps running, and nothing is stored."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import pytest

from liveview.gallery import volunteers
from liveview.gallery.forms_app import app
from liveview.testing import LiveViewTest, LiveViewTestClient, ReplyError, WebSocketClosed


@pytest.fixture
async def view() -> AsyncIterator[LiveViewTest]:
    volunteers.VOLUNTEERS.clear()
    async with LiveViewTestClient(app) as client:
        yield await client.live("/volunteers")
    volunteers.VOLUNTEERS.clear()


async def submit(view: LiveViewTest, encoded: str) -> str:
    await view.send_form("save", encoded, {})
    return view.html


async def still_running(view: LiveViewTest) -> None:
    """The LiveView answers the next event as if nothing had happened, and stored nothing."""
    await view.send_form("validate", "volunteer%5Bname%5D=Zed", {"_target": "volunteer[name]"})
    assert 'value="Zed"' in view.html
    assert volunteers.VOLUNTEERS == {}


def errors(view: LiveViewTest) -> dict[str, list[str]]:
    return view.form("#volunteer").errors


async def test_unknown_fields_are_ignored(view: LiveViewTest) -> None:
    await submit(
        view,
        "volunteer%5Bname%5D=Ann&volunteer%5Bphone%5D=555-123-4567"
        "&volunteer%5Badmin%5D=true&volunteer%5Bchecked_in%5D=true&id=x&other%5Bdeep%5D=1",
    )
    await view.wait_for(lambda html: 'class="name">Ann<' in html)
    (row,) = volunteers.VOLUNTEERS.values()
    assert set(row) == {"id", "name", "phone", "checked_in"}
    assert row["checked_in"] is False and row["id"] != "x"  # not taken from the client


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        # wrong types: a map or a list where a string belongs
        (
            "volunteer%5Bname%5D%5Bfirst%5D=Ann&volunteer%5Bphone%5D=555-123-4567",
            {"volunteer[name]": ["Input should be a valid string"]},
        ),
        (
            "volunteer%5Bname%5D%5B%5D=Ann&volunteer%5Bname%5D%5B%5D=Bo"
            "&volunteer%5Bphone%5D=555-123-4567",
            {"volunteer[name]": ["Input should be a valid string"]},
        ),
        # missing keys: a field, every field, the form's own key
        (
            "volunteer%5Bname%5D=Ann",
            {"volunteer[phone]": ["Field required"]},
        ),
        (
            "volunteer%5Bx%5D=1",
            {"volunteer[name]": ["Field required"], "volunteer[phone]": ["Field required"]},
        ),
        (
            "",
            {"volunteer[name]": ["Field required"], "volunteer[phone]": ["Field required"]},
        ),
        # the form's key holding a string, not fields
        (
            "volunteer=Ann",
            {"volunteer[name]": ["Field required"], "volunteer[phone]": ["Field required"]},
        ),
        # one megabyte in a field whose model allows 100 characters
        (
            "volunteer%5Bname%5D=" + "x" * 1_000_000 + "&volunteer%5Bphone%5D=555-123-4567",
            {"volunteer[name]": ["String should have at most 100 characters"]},
        ),
    ],
    ids=["map", "list", "one-missing", "all-missing", "empty", "string-form", "one-megabyte"],
)
async def test_malformed_values_are_validation_errors(
    view: LiveViewTest, encoded: str, expected: dict[str, list[str]]
) -> None:
    await submit(view, encoded)
    assert errors(view) == expected
    await still_running(view)


async def test_ten_thousand_keys_within_the_cap_are_read_fast(view: LiveViewTest) -> None:
    unknown = "&".join(f"volunteer%5Bk{n}%5D=v" for n in range(9_990))
    start = time.perf_counter()
    await submit(view, f"{unknown}&volunteer%5Bname%5D=Ann&volunteer%5Bphone%5D=12")
    assert time.perf_counter() - start < 2.0
    assert errors(view) == {"volunteer[phone]": ["should be a phone number, like 555-123-4567"]}
    await still_running(view)


@pytest.mark.parametrize(
    ("encoded", "reason"),
    [
        (
            "volunteer%5Bname%5D" + "%5Ba%5D" * 1_000 + "=Ann",
            "form too deep: more than 100 levels of brackets",
        ),
        (
            "&".join(f"volunteer%5Bk{n}%5D=v" for n in range(10_001)),
            "form too large: more than 10000 fields",
        ),
    ],
    ids=["1000-deep", "10001-keys"],
)
async def test_over_a_cap_is_an_error_reply(view: LiveViewTest, encoded: str, reason: str) -> None:
    with pytest.raises(ReplyError) as refused:
        await submit(view, encoded)
    assert refused.value.response == {"reason": reason}
    await still_running(view)


async def test_over_a_mebibyte_the_websocket_is_closed_and_the_page_rejoins() -> None:
    # The event's frame is over the 1 MiB frame limit before its value is over the form cap.
    volunteers.VOLUNTEERS.clear()
    async with LiveViewTestClient(app) as client:
        view = await client.live("/volunteers")
        with pytest.raises(WebSocketClosed) as closed:
            await submit(view, "volunteer%5Bname%5D=" + quote("x" * 1_048_577))
        assert closed.value.code == 1009
        await still_running(await client.live("/volunteers"))  # what the client's rejoin gets


@pytest.mark.parametrize("value", [{"volunteer": {"name": "Ann"}}, ["a"], 3, None])
async def test_a_form_value_that_is_not_a_string_is_an_empty_form(
    view: LiveViewTest, value: Any
) -> None:
    from liveview.channel.protocol import EVENT

    await view.push(EVENT, {"type": "form", "event": "save", "value": value, "meta": {}})
    assert errors(view) == {
        "volunteer[name]": ["Field required"],
        "volunteer[phone]": ["Field required"],
    }
    await still_running(view)
