"""A LiveView that crashes under `liveview.testing` fails the test at once, with its own
exception: `LiveViewCrashed`, chained to what the LiveView raised (not a `TimeoutError` when the
reply never comes)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.testing import (
    LiveViewCrashed,
    LiveViewTestClient,
    ReplyError,
    assert_push_event,
    refute_redirect,
)


class Fragile(LiveView):
    """Crashes where asked: `?crash=mount` or `?crash=params` on join, the `boom` event, the
    `later` event (in the `handle_info` it schedules), a patch to `?crash=params`."""

    template = '<p id="n">{{ n }}</p><button id="boom" phx-click="boom">boom</button>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        if socket.connected and params.get("crash") == "mount":
            raise KeyError("no such user")
        socket.assign(n=0)

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        if socket.connected and params.get("crash") == "params":
            raise ValueError(f"bad page {params.get('page')!r}")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "boom":
            raise RuntimeError("handler exploded")
        if event == "later":
            socket.send_info("explode")
        socket.assign(n=socket.assigns.n + 1)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        raise ZeroDivisionError("info exploded")


@pytest.fixture
async def client() -> AsyncIterator[LiveViewTestClient]:
    app = LiveViewApp(routes={"/": Fragile}, secret="test-secret")
    async with LiveViewTestClient(app) as client:
        yield client


def assert_crashed(info: pytest.ExceptionInfo[LiveViewCrashed], error: type, text: str) -> None:
    assert f"crashed: {error.__name__}: " in str(info.value)
    assert text in str(info.value)
    assert type(info.value.__cause__) is error
    assert text in str(info.value.__cause__)


async def test_a_click_on_a_crashing_handler_raises_its_error(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    with pytest.raises(LiveViewCrashed) as info:
        await view.click("boom")
    assert_crashed(info, RuntimeError, "handler exploded")
    assert str(info.value).startswith(f"LiveView {view.topic} crashed")
    assert info.value.topic == view.topic
    assert view.pushes[-1][2:4] == [view.topic, "phx_error"]


async def test_an_element_click_on_a_crashing_handler_raises_its_error(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    with pytest.raises(LiveViewCrashed) as info:
        await view.element("button#boom").click()
    assert_crashed(info, RuntimeError, "handler exploded")


async def test_a_crash_raises_in_an_assertion_waiting_on_the_view(
    client: LiveViewTestClient,
) -> None:
    view = await client.live("/")
    await view.click("later")  # handle_info crashes after this reply
    with pytest.raises(LiveViewCrashed) as info:
        await assert_push_event(view, "never")
    assert_crashed(info, ZeroDivisionError, "info exploded")


async def test_a_crash_raises_in_a_refute(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await view.click("later")
    with pytest.raises(LiveViewCrashed) as info:
        await refute_redirect(view)
    assert_crashed(info, ZeroDivisionError, "info exploded")


async def test_a_crash_in_mount_raises_on_join(client: LiveViewTestClient) -> None:
    with pytest.raises(LiveViewCrashed) as info:
        await client.live("/?crash=mount")
    assert_crashed(info, KeyError, "no such user")
    assert isinstance(info.value, ReplyError)  # what a join crash raised before
    assert info.value.response == {"reason": "join crashed"}


async def test_a_crash_in_handle_params_raises_on_join(client: LiveViewTestClient) -> None:
    with pytest.raises(LiveViewCrashed) as info:
        await client.live("/?crash=params&page=7")
    assert_crashed(info, ValueError, "bad page '7'")


async def test_a_crash_in_handle_params_raises_on_a_patch(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    with pytest.raises(LiveViewCrashed) as info:
        await view.push("live_patch", {"url": "http://testserver/?crash=params&page=2"})
    assert_crashed(info, ValueError, "bad page '2'")


async def test_a_crash_in_handle_info_raises_while_waiting(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    await view.click("later")
    with pytest.raises(LiveViewCrashed) as info:
        await view.wait_for(lambda html: "never" in html)
    assert_crashed(info, ZeroDivisionError, "info exploded")


async def test_the_view_works_again_after_a_rejoin(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    with pytest.raises(LiveViewCrashed):
        await view.click("boom")
    await view.rejoin()
    await view.click("inc")
    assert '<p id="n">1</p>' in view.html


async def test_another_views_crash_is_not_this_ones(client: LiveViewTestClient) -> None:
    view = await client.live("/")
    other = await client.live("/", socket=view.socket)
    await other.socket.send_frame(
        [other.join_ref, "x", other.topic, "event", {"type": "click", "event": "boom"}]
    )
    await view.click("inc")  # the other view's phx_error arrives meanwhile
    assert '<p id="n">1</p>' in view.html
    assert [other.topic, "phx_error"] in [frame[2:4] for frame in view.pushes]


@pytest.fixture
def silenced() -> Iterator[None]:
    logger = logging.getLogger("liveview")
    logger.disabled = True
    yield
    logger.disabled = False


async def test_without_the_log_the_crash_still_raises(
    client: LiveViewTestClient, silenced: None
) -> None:
    view = await client.live("/")
    with pytest.raises(LiveViewCrashed, match="crashed: no exception logged") as info:
        await view.click("boom")
    assert info.value.__cause__ is None


async def test_the_client_stops_listening_when_closed() -> None:
    logger = logging.getLogger("liveview")
    handlers = list(logger.handlers)
    app = LiveViewApp(routes={"/": Fragile}, secret="test-secret")
    async with LiveViewTestClient(app):
        assert len(logger.handlers) == len(handlers) + 1
    assert logger.handlers == handlers
