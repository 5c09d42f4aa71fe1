"""LiveViewApp: routing, dead render, layout, lifespan, navigation, mounting in another app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount

from liveview import (
    LiveComponent,
    LiveView,
    LiveViewApp,
    LiveViewSocket,
    SingleProcessPubSub,
    TemplateSyntaxError,
)
from liveview.socket import Assigns
from liveview.testing import LiveViewTestClient, ReplyError, WebSocketRejected


class Greeting(LiveView):
    template_file = "templates/greeting.html"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(name=params.get("name", "world"))
        socket.page_title = f"Hi {socket.assigns.name}"


class User(LiveView):
    def render(self, assigns: Assigns) -> str:
        return "<p>user {{ id }} of type {{ kind }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(id=params["id"], kind=type(params["id"]).__name__)


class Nav(LiveView):
    template = "<p id='page'>{{ page }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        if params.get("go") == "away":
            socket.redirect("/elsewhere")

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        socket.assign(page=params.get("page", "1"))

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "next":
            socket.push_patch(f"/nav?page={int(socket.assigns.page) + 1}")
        elif event == "navigate":
            socket.push_navigate("/greet", replace=True)
        elif event == "leave":
            socket.redirect("/bye")


def make_app(**options: Any) -> LiveViewApp:
    return LiveViewApp(
        routes={"/greet": Greeting, "/users/{id:int}": User, "/named/{id}": User, "/nav": Nav},
        secret="s",
        **options,
    )


async def test_template_file_title_and_query_params() -> None:
    async with LiveViewTestClient(make_app()) as client:
        response = await client.get("/greet?name=%3CAda%3E")
        assert '<p id="greeting">Hello, &lt;Ada&gt;!</p>' in response.text
        assert ">Hi &lt;Ada&gt;</title>" in response.text
        view = await client.live("/greet?name=Bob")
        assert view.html == '<p id="greeting">Hello, Bob!</p>'
        assert view.title == "Hi Bob"


async def test_path_params_converted_and_render_override() -> None:
    async with LiveViewTestClient(make_app()) as client:
        view = await client.live("/users/42")
        assert view.html == "<p>user 42 of type int</p>"
        assert (await client.get("/users/nope")).status_code == 404


async def test_percent_encoded_path_params_are_decoded_in_both_mounts() -> None:
    async with LiveViewTestClient(make_app()) as client:
        assert "<p>user a b of type str</p>" in (await client.get("/named/a%20b")).text
        view = await client.live("/named/a%20b")
        assert view.html == "<p>user a b of type str</p>"


async def test_redirect_in_dead_render_mount_is_http_302() -> None:
    async with LiveViewTestClient(make_app()) as client:
        response = await client.http.get("/nav?go=away")
        assert response.status_code == 302
        assert response.headers["location"] == "/elsewhere"


async def test_push_patch_runs_handle_params_and_tells_the_client() -> None:
    async with LiveViewTestClient(make_app()) as client:
        view = await client.live("/nav")
        await view.click("next")
        assert view.html == "<p id='page'>2</p>"
        patch = [f for f in view.pushes if f[3] == "live_patch"]
        assert patch[-1][4] == {"to": "/nav?page=2", "kind": "push"}
        response = await view.push("live_patch", {"url": "http://testserver/nav?page=7"})
        assert view.html == "<p id='page'>7</p>"
        assert response["diff"] == {"0": "7"}
        other = await view.push("live_patch", {"url": "http://testserver/greet"})
        assert other == {"link_redirect": True}


async def test_push_navigate_and_redirect_end_the_view() -> None:
    async with LiveViewTestClient(make_app()) as client:
        view = await client.live("/nav")
        response = await view.push("event", {"type": "click", "event": "navigate", "value": {}})
        assert response == {"live_redirect": {"to": "/greet", "kind": "replace"}}
        assert (await view.socket.receive_frame())[3] == "phx_close"
        view = await client.live("/nav")
        response = await view.push("event", {"type": "click", "event": "leave", "value": {}})
        assert response == {"redirect": {"to": "/bye"}}
        with pytest.raises(ReplyError):  # the view is gone
            await view.click("next")


async def test_lifespan_starts_pubsub_then_user_lifespan() -> None:
    order: list[str] = []

    @asynccontextmanager
    async def lifespan(app: LiveViewApp) -> AsyncIterator[None]:
        order.append("user start")
        await app.pubsub.publish("boot", {"ok": True})
        yield
        order.append("user stop")

    app = make_app(lifespan=lifespan)
    async with LiveViewTestClient(app):
        assert order == ["user start"]
    assert order == ["user start", "user stop"]


async def test_started_on_first_request_without_lifespan() -> None:
    app = make_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await http.get("/greet")).status_code == 200
    await app.close()


async def test_mounted_inside_a_starlette_app() -> None:
    live = make_app()
    outer = Starlette(routes=[Mount("/sub", app=live)])
    async with LiveViewTestClient(outer) as client:
        response = await client.get("/sub/greet")
        assert '<meta name="liveview-socket" content="/sub/live">' in response.text
        assert 'src="/sub/assets/app.js"' in response.text
        assert (await client.http.get("/sub/assets/app.js")).status_code == 200
        view = await client.live("/sub/greet?name=Mounted")
        assert "Hello, Mounted!" in view.html
    await live.close()


class _Recorder:
    """A pure ASGI middleware that sees every websocket message the server sends."""

    sent: ClassVar[list[str]] = []

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def recording_send(message: Any) -> None:
            self.sent.append(message["type"])
            await send(message)

        await self.app(scope, receive, recording_send if scope["type"] == "websocket" else send)


async def test_user_middleware_sees_the_websocket() -> None:
    _Recorder.sent = []
    app = LiveViewApp(routes={"/greet": Greeting}, secret="s", middleware=[Middleware(_Recorder)])
    async with LiveViewTestClient(app) as client:
        view = await client.live("/greet?name=Wrapped")
        assert "Hello, Wrapped!" in view.html
    assert _Recorder.sent[:2] == ["websocket.accept", "websocket.send"]  # the join reply
    await app.close()


async def test_missing_secret_warns_and_generates_one(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liveview import session

    monkeypatch.setattr(session, "_warned_random_secret", False)  # once per process
    monkeypatch.delenv("LIVEVIEW_SECRET", raising=False)
    LiveViewApp(routes={"/greet": Greeting})
    assert "LIVEVIEW_SECRET" in caplog.text
    caplog.clear()
    monkeypatch.setenv("LIVEVIEW_SECRET", "from-env")
    LiveViewApp(routes={"/greet": Greeting})
    assert "LIVEVIEW_SECRET" not in caplog.text


@pytest.mark.parametrize("origin", ["http://[", "http://[::1", "http://[x]/"])
async def test_an_origin_that_is_no_url_is_refused_not_an_error(origin: str) -> None:
    # urllib raises ValueError on these (found by tests/fuzz); the handshake must be refused
    # with 403 like any other foreign origin, not end in "Exception in ASGI application".
    async with LiveViewTestClient(make_app()) as client:
        await client.get("/greet")
        with pytest.raises(WebSocketRejected):
            await client.connect(headers={"origin": origin})
        await client.connect()  # the page's own origin still connects


def test_a_template_syntax_error_stops_the_app_with_its_line() -> None:
    class Broken(LiveView):
        template = "<h1>fine</h1>\n<p>{{ count }</p>"

    with pytest.raises(TemplateSyntaxError) as error:
        LiveViewApp(routes={"/": Broken}, secret="s")
    assert "line 2" in str(error.value)


@pytest.mark.parametrize("name", ["mount", "handle_event", "handle_info", "handle_params"])
def test_a_callback_that_is_not_async_is_refused_when_the_class_is_defined(name: str) -> None:
    def callback(self: Any, *args: Any) -> None: ...

    with pytest.raises(TypeError, match=rf"Sync.{name} must be `async def`"):
        type("Sync", (LiveView,), {"template": "<p></p>", name: callback})


def test_a_component_callback_that_is_not_async_is_refused() -> None:
    def update(self: Any, assigns: Any, socket: Any) -> None: ...

    with pytest.raises(TypeError, match=r"SyncCard.update must be `async def`"):
        type("SyncCard", (LiveComponent,), {"template": "<p></p>", "update": update})


def test_assigns_are_read_only_and_say_how_to_change_them() -> None:
    socket = LiveViewSocket(view_id="v", pubsub=SingleProcessPubSub(), connected=False)
    socket.assign(count=1)
    with pytest.raises(AttributeError, match=r"read-only: use socket.assign\(count=...\)"):
        socket.assigns.count = 2  # type: ignore[misc]
    with pytest.raises(AttributeError, match=r"no assign named 'cuont' \(assigns: count, flash\)"):
        _ = socket.assigns.cuont


async def test_a_mounted_app_runs_its_lifespan_from_the_outer_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[str] = []

    @asynccontextmanager
    async def publisher(app: LiveViewApp) -> AsyncIterator[None]:
        ran.append("start")
        yield
        ran.append("stop")

    live_app = LiveViewApp(routes={"/hello": Greeting}, secret="s", lifespan=publisher)

    @asynccontextmanager
    async def lifespan(outer: Starlette) -> AsyncIterator[None]:
        async with live_app.running():
            yield

    outer = Starlette(routes=[Mount("/live", app=live_app)], lifespan=lifespan)
    async with LiveViewTestClient(outer) as client:
        assert ran == ["start"]
        assert (await client.get("/live/hello")).status_code == 200
    assert ran == ["start", "stop"]
    assert "has not run" not in caplog.text


async def test_a_mounted_app_whose_lifespan_never_ran_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @asynccontextmanager
    async def publisher(app: LiveViewApp) -> AsyncIterator[None]:
        yield

    live_app = LiveViewApp(routes={"/hello": Greeting}, secret="s", lifespan=publisher)
    outer = Starlette(routes=[Mount("/live", app=live_app)])
    async with LiveViewTestClient(outer) as client:
        await client.get("/live/hello")
        await client.get("/live/hello")
    assert caplog.text.count("LiveViewApp(lifespan=publisher) has not run") == 1
    assert "live_app.running()" in caplog.text
