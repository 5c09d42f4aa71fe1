"""A crash is never silent in the browser: the page is told (in debug: what and where), and a
crash while joining in debug ends on an error page instead of a reload loop."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.crashes import RELOAD_COOKIE, CrashReport, error_page, report
from liveview.testing import LiveViewCrashed, LiveViewTestClient


def explode(what: str) -> None:
    raise ValueError(f"{what} exploded")


RAISING_LINE = inspect.getsourcelines(explode)[1] + 1


class Fragile(LiveView):
    template = '<button id="b" phx-click="boom">{{ n }}</button>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        if socket.connected and params.get("crash") == "mount":
            explode("mount")
        socket.assign(n=0)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        explode("the handler")


def app(debug: bool) -> LiveViewApp:
    return LiveViewApp(routes={"/": Fragile}, secret="crashes", debug=debug)


async def test_a_crash_tells_the_page_what_and_where_in_debug() -> None:
    async with LiveViewTestClient(app(debug=True)) as client:
        view = await client.live("/")
        with pytest.raises(LiveViewCrashed):
            await view.click("boom")
        name, crash = view.events[-1]
        assert name == "liveview:error"
        assert crash["exception"] == "ValueError: the handler exploded"
        assert crash["callback"] == "handle_event" and crash["view"] == "Fragile"
        assert crash["where"] == f"{__file__}:{RAISING_LINE}"
        assert "explode" in crash["traceback"]


async def test_outside_debug_the_page_is_told_only_that_something_went_wrong() -> None:
    async with LiveViewTestClient(app(debug=False)) as client:
        view = await client.live("/")
        with pytest.raises(LiveViewCrashed):
            await view.click("boom")
        assert view.events[-1] == [
            "liveview:error",
            {"message": report(ValueError(), "Fragile", debug=False).message},
        ]
        assert "exploded" not in str(view.events)


async def test_a_crash_while_joining_in_debug_shows_the_error_page_once() -> None:
    async with LiveViewTestClient(app(debug=True)) as client:
        with pytest.raises(LiveViewCrashed) as refused:
            await client.live("/?crash=mount")
        response = refused.value.response
        assert response["reason"] == "reload" and response["status"] == 500
        client.http.cookies.set(RELOAD_COOKIE, response["token"])  # as the client does
        page = await client.get("/?crash=mount")
        assert page.status_code == 500
        assert "ValueError: mount exploded" in page.text and "in Fragile" not in page.text
        assert f"{__file__}:{RAISING_LINE}" in page.text and "<dt>Callback</dt>" in page.text
        assert RELOAD_COOKIE in page.headers["set-cookie"]  # cleared
        client.http.cookies.delete(RELOAD_COOKIE)
        assert (await client.get("/")).status_code == 200


async def test_outside_debug_a_crash_while_joining_is_retried_by_the_client() -> None:
    async with LiveViewTestClient(app(debug=False)) as client:
        with pytest.raises(LiveViewCrashed):
            await client.live("/?crash=mount")


async def test_a_forged_or_old_reload_cookie_gets_the_plain_error_page() -> None:
    async with LiveViewTestClient(app(debug=True)) as client:
        client.http.cookies.set(RELOAD_COOKIE, "forged")
        page = await client.get("/")
        assert page.status_code == 500 and "Try again" in page.text and "<pre>" not in page.text


def test_reports_round_trip_and_refuse_junk() -> None:
    crash = report(RuntimeError("x"), "V", debug=True)
    assert CrashReport.from_json(crash.to_json()) == crash
    assert CrashReport.from_json({"message": 5}) is None and CrashReport.from_json([]) is None
    assert "&lt;b&gt;" in error_page(CrashReport("m", exception="E: <b>", traceback="t"))
