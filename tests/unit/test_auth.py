"""Sign-in that holds, in-process: what the server checks. Live sessions and their `on_mount`
hooks, logout (`app.disconnect`), token age and secret rotation, flash across navigation,
connect params; and each kind of bad input."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import itsdangerous.timed
import pytest
from starlette.responses import RedirectResponse

from liveview import (
    LiveSession,
    LiveView,
    LiveViewApp,
    LiveViewSocket,
    PubSubUnavailable,
    SingleProcessPubSub,
)
from liveview.channel.live_sockets import TOPIC
from liveview.gallery.accounts import make_app
from liveview.session import InvalidToken, SessionToken, TokenSigner
from liveview.testing import LiveViewTestClient, ReplyError, assert_redirect
from liveview.testing.page import find_container

SECRET = "unit-auth-secret"


async def sign_in(client: LiveViewTestClient, name: str, password: str) -> None:
    page = (await client.get("/sign-in")).text
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found is not None
    response = await client.http.post(
        "/session", data={"form_token": found.group(1), "name": name, "password": password}
    )
    assert response.status_code == 303


@pytest.fixture
async def alice() -> AsyncIterator[LiveViewTestClient]:
    async with LiveViewTestClient(make_app(secret=SECRET)) as client:
        await sign_in(client, "alice", "wonderland")
        yield client


async def join(
    client: LiveViewTestClient, path: str, *, redirect: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The reply to a join of the page at `path` (as a live navigation to `redirect`)."""
    page = (await client.get(path)).text
    container = find_container(page)
    assert container is not None
    socket = await client.connect()
    url = f"http://testserver{path}"
    payload: dict[str, Any] = {
        "params": {"_mounts": 0},
        "session": container.session,
        "static": container.static or None,
        **({"redirect": f"http://testserver{redirect}"} if redirect else {"url": url}),
        **extra,
    }
    reply, _ = await socket.request(f"lv:{container.id}", "phx_join", payload, join_ref="9")
    response: dict[str, Any] = reply[4]
    return response


# live sessions and on_mount ------------------------------------------------------------------


async def test_on_mount_assigns_in_the_dead_render_and_the_connected_mount(
    alice: LiveViewTestClient,
) -> None:
    assert '<b id="who">alice</b>' in (await alice.get("/profile")).text
    view = await alice.live("/profile")
    assert '<b id="who">alice</b>' in view.html


async def test_a_halting_hook_redirects_the_dead_render_with_its_flash() -> None:
    async with LiveViewTestClient(make_app(secret=SECRET)) as client:
        response = await client.get("/profile")
        assert response.status_code == 302 and response.headers["location"] == "/sign-in"
        assert "Please sign in." in (await client.get("/sign-in")).text
        assert "Please sign in." not in (await client.get("/sign-in")).text  # once


async def test_live_navigation_within_a_live_session_mounts(alice: LiveViewTestClient) -> None:
    reply = await join(alice, "/", redirect="/profile")
    assert reply["status"] == "ok"


async def test_live_navigation_to_another_live_session_is_refused(
    alice: LiveViewTestClient,
) -> None:
    # a valid token of the "user" session, for a route of the "admin" session
    assert await join(alice, "/", redirect="/admin") == {
        "status": "error",
        "response": {"reason": "unauthorized"},
    }


async def test_a_connected_mount_that_halts_fails_its_join_with_where_to() -> None:
    async with LiveViewTestClient(make_app(secret=SECRET)) as client:
        await sign_in(client, "alice", "wonderland")
        page = (await client.get("/")).text  # signed in: the page renders
        await client.http.post("/sign-out", data={"form_token": _form_token(page)})
        container = find_container(page)
        assert container is not None
        socket = await client.connect()
        # a tab of before the sign-out, its live navigation within the session: refused
        payload = {
            "redirect": "http://testserver/profile",
            "params": {},
            "session": container.session,
            "static": None,
        }
        reply, _ = await socket.request(f"lv:{container.id}", "phx_join", payload, join_ref="3")
        assert reply[4]["response"] == {"reason": "unauthorized"}


def _form_token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


class Fine(LiveView):
    template = "<p>fine {{ n }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(n=1)


def boom(socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]) -> None:
    if socket.connected:
        raise RuntimeError("hook failed")


async def test_an_on_mount_that_raises_fails_that_view_only() -> None:
    app = LiveViewApp(
        routes={"/fine": Fine},
        live_sessions=[LiveSession("fragile", {"/fragile": Fine}, on_mount=[boom])],
        secret=SECRET,
    )
    async with LiveViewTestClient(app) as client:
        fine = await client.live("/fine")
        reply = await join(client, "/fragile")
        assert reply == {"status": "error", "response": {"reason": "join crashed"}}
        await fine.socket.send_frame(["x", "1", "phoenix", "heartbeat", {}])
        assert "fine 1" in fine.html
        again = await client.live("/fine", socket=fine.socket)  # the websocket carries on
        assert "fine 1" in again.html


async def test_hooks_run_in_order_app_then_live_session_then_view() -> None:
    order: list[str] = []

    def hook(name: str) -> Any:
        async def run(socket: LiveViewSocket, session: Any, params: Any) -> None:
            order.append(name)

        return run

    class Page(LiveView):
        template = "<p>page</p>"
        on_mount = (hook("view"),)

        async def mount(self, socket: LiveViewSocket, session: Any, params: Any) -> None:
            order.append("mount")

    app = LiveViewApp(
        live_sessions=[LiveSession("s", {"/": Page}, on_mount=[hook("session")])],
        on_mount=[hook("app")],
        secret=SECRET,
    )
    async with LiveViewTestClient(app) as client:
        await client.live("/")
    assert order == ["app", "session", "view", "mount"] * 2  # dead render, then connected


async def test_live_session_session_reaches_both_mounts() -> None:
    seen: list[Any] = []

    class Page(LiveView):
        template = "<p>page</p>"

        async def mount(self, socket: LiveViewSocket, session: Any, params: Any) -> None:
            seen.append(session.get("tenant"))

    app = LiveViewApp(
        live_sessions=[LiveSession("s", {"/": Page}, session=lambda request: {"tenant": "acme"})],
        secret=SECRET,
    )
    async with LiveViewTestClient(app) as client:
        await client.live("/")
    assert seen == ["acme", "acme"]


# logout --------------------------------------------------------------------------------------


async def test_disconnect_redirects_the_users_live_views_and_refuses_their_old_tokens(
    alice: LiveViewTestClient,
) -> None:
    app = alice.app
    assert isinstance(app, LiveViewApp)
    view = await alice.live("/profile")
    await app.disconnect("users_socket:alice")
    frame = await view.socket.receive_frame()
    assert frame[2:4] == [view.topic, "redirect"]
    assert frame[4] == {"to": "http://testserver/profile"}  # no flash of the old page
    # a rejoin with the page's old token (a reconnect) is refused: the client loads over HTTP
    with pytest.raises(ReplyError) as refused:
        await view.rejoin()
    assert refused.value.response == {"reason": "unauthorized"}


async def test_disconnect_of_another_id_does_nothing(alice: LiveViewTestClient) -> None:
    app = alice.app
    assert isinstance(app, LiveViewApp)
    view = await alice.live("/profile")
    await app.disconnect("users_socket:bob")
    await app.disconnect("nobody")
    await view.rejoin()  # still signed in, still joins
    assert '<b id="who">alice</b>' in view.html


async def test_a_live_socket_id_claimed_in_connect_params_does_nothing(
    alice: LiveViewTestClient,
) -> None:
    app = alice.app
    assert isinstance(app, LiveViewApp)
    reply = await join(alice, "/profile", params={"live_socket_id": "users_socket:bob"})
    assert reply["status"] == "ok"
    await app.disconnect("users_socket:bob")
    view = await alice.live("/profile")  # alice's own views carry on
    await view.rejoin()
    assert '<b id="who">alice</b>' in view.html


async def test_a_forged_live_socket_id_in_a_token_is_refused() -> None:
    class Page(LiveView):
        template = "<p>page</p>"

    app = LiveViewApp(routes={"/": Page}, secret=SECRET)
    forger = TokenSigner("not-the-secret")
    async with LiveViewTestClient(app) as client:
        page = (await client.get("/")).text
        container = find_container(page)
        assert container is not None
        forged = forger.sign_session(
            SessionToken(container.id, "/", {"live_socket_id": "users_socket:root"})
        )
        socket = await client.connect()
        payload = {"url": "http://testserver/", "params": {}, "session": forged, "static": None}
        reply, _ = await socket.request(f"lv:{container.id}", "phx_join", payload, join_ref="1")
        assert reply[4]["response"] == {"reason": "stale"}


async def test_disconnect_needs_an_id() -> None:
    app = LiveViewApp(routes={"/": Fine}, secret=SECRET)
    async with LiveViewTestClient(app):
        with pytest.raises(ValueError, match="live_socket_id"):
            await app.disconnect("")


# tokens: age and rotation --------------------------------------------------------------------


async def test_an_expired_token_is_refused_as_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    app = LiveViewApp(routes={"/": Fine}, secret=SECRET, max_age=60)
    async with LiveViewTestClient(app) as client:
        real = itsdangerous.timed.time.time
        monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() - 120)
        page = (await client.get("/")).text  # signed two minutes ago
        monkeypatch.setattr(itsdangerous.timed.time, "time", real)
        container = find_container(page)
        assert container is not None
        socket = await client.connect()
        payload = {
            "url": "http://testserver/",
            "params": {},
            "session": container.session,
            "static": None,
        }
        reply, _ = await socket.request(f"lv:{container.id}", "phx_join", payload, join_ref="1")
        assert reply[4]["response"] == {"reason": "stale"}  # the client loads the page again
        await client.live("/")  # and gets fresh tokens that join


async def test_rotated_secrets_verify_old_tokens_until_dropped() -> None:
    async with LiveViewTestClient(LiveViewApp(routes={"/": Fine}, secret="old")) as old:
        page = (await old.get("/")).text
    container = find_container(page)
    assert container is not None
    rotated = TokenSigner(["new", "old"])
    assert rotated.verify_session(container.session).view_id == container.id
    assert TokenSigner("new").verify_session(rotated.sign_session(_token())).view_id == "phx-x"
    with pytest.raises(InvalidToken):
        TokenSigner(["new"]).verify_session(container.session)  # rotated out


async def test_a_page_signed_with_a_rotated_out_secret_joins_stale() -> None:
    async with LiveViewTestClient(LiveViewApp(routes={"/": Fine}, secret="old")) as old:
        page = (await old.get("/")).text
    async with LiveViewTestClient(LiveViewApp(routes={"/": Fine}, secret=["new"])) as new:
        await new.get("/")  # a CSRF cookie and token of the new secret
        container = find_container(page)
        assert container is not None
        socket = await new.connect()
        payload = {"url": "http://testserver/", "params": {}, "session": container.session}
        reply, _ = await socket.request(f"lv:{container.id}", "phx_join", payload, join_ref="1")
        assert reply[4]["response"] == {"reason": "stale"}


def _token() -> SessionToken:
    return SessionToken("phx-x", "/")


@pytest.mark.parametrize("secret", [[], [""], ["ok", 3]])
def test_a_bad_secret_list_is_an_error(secret: Any) -> None:
    with pytest.raises(ValueError, match="secret"):
        LiveViewApp(routes={"/": Fine}, secret=secret)


@pytest.mark.parametrize("max_age", [0, -1, True, 1.5])
def test_a_bad_max_age_is_an_error(max_age: Any) -> None:
    with pytest.raises(ValueError, match="max_age"):
        LiveViewApp(routes={"/": Fine}, secret=SECRET, max_age=max_age)


def test_bad_hooks_are_errors_at_once() -> None:
    with pytest.raises(TypeError, match="list of hooks"):
        LiveSession("s", {}, on_mount=boom)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="callable"):
        LiveViewApp(routes={"/": Fine}, secret=SECRET, on_mount=["not a hook"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="session"):
        LiveSession("s", {}, session="tenant")  # type: ignore[arg-type]


async def test_a_session_function_returning_no_mapping_fails_that_request_only() -> None:
    app = LiveViewApp(
        routes={"/fine": Fine},
        live_sessions=[LiveSession("s", {"/": Fine}, session=lambda request: None)],  # type: ignore[arg-type,return-value]
        secret=SECRET,
    )
    async with LiveViewTestClient(app) as client:
        with pytest.raises(TypeError, match="not a mapping"):
            await client.get("/")
        assert (await client.get("/fine")).status_code == 200


# flash ---------------------------------------------------------------------------------------


class Saver(LiveView):
    template = """<p>saver</p>
      <button id="navigate" phx-click="navigate">Save, then go on live</button>
      <button id="redirect" phx-click="redirect">Save, then load the next page</button>"""

    async def handle_event(self, event: str, payload: Any, socket: LiveViewSocket) -> None:
        socket.put_flash("info", "Saved")
        if event == "navigate":
            socket.push_navigate("/next")
        else:
            socket.redirect("/next")


async def test_a_flash_goes_along_a_push_navigate_once() -> None:
    app = LiveViewApp(live_sessions=[LiveSession("s", {"/": Saver, "/next": Fine})], secret=SECRET)
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        await view.element("button#navigate").click()
        navigation = await assert_redirect(view, "/next")
        assert navigation.kind == "live_redirect" and navigation.flash is not None
        token = navigation.flash
        assert app.signer.verify_flash(token) == {"info": "Saved"}
        ok = await join(client, "/", redirect="/next", flash=token)
        assert "Saved" in str(ok["response"]["rendered"])
        plain = await join(client, "/", redirect="/next")  # without it: none
        assert "Saved" not in str(plain["response"]["rendered"])
        forged = await join(client, "/", redirect="/next", flash="forged.token")
        assert forged["status"] == "ok" and "Saved" not in str(forged["response"]["rendered"])


async def test_a_flash_goes_along_a_redirect_in_the_cookie_the_client_sets() -> None:
    app = LiveViewApp(routes={"/": Saver, "/next": Fine}, secret=SECRET)
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        await view.element("button#redirect").click()
        navigation = await assert_redirect(view, "/next")
        assert navigation.kind == "redirect" and navigation.flash is not None
        token = navigation.flash
        client.http.cookies.set("__phoenix_flash__", token)  # as the client does
        response = await client.get("/next")
        assert "Saved" in response.text
        assert '__phoenix_flash__=""' in response.headers["set-cookie"]  # taken: shown once
        client.http.cookies.delete("__phoenix_flash__")
        assert "Saved" not in (await client.get("/next")).text


async def test_put_flash_on_a_plain_response_adds_up() -> None:
    app = LiveViewApp(routes={"/": Fine}, secret=SECRET)
    response = RedirectResponse("/")
    app.put_flash(response, "info", "one")
    app.put_flash(response, "error", "two")
    cookies = [v for k, v in response.raw_headers if k == b"set-cookie"]
    assert len(cookies) == 1
    token = cookies[0].decode().split("=", 1)[1].split(";")[0]
    assert app.signer.verify_flash(token) == {"info": "one", "error": "two"}


async def test_the_dead_render_flash_is_for_the_first_mount_only() -> None:
    app = LiveViewApp(routes={"/": Fine}, secret=SECRET)
    async with LiveViewTestClient(app) as client:
        client.http.cookies.set("__phoenix_flash__", app.signer.sign_flash({"info": "Hi"}))
        view = await client.live("/")
        assert "Hi" in view.html
        await view.rejoin()  # after a crash or a reconnect: not again
        assert "Hi" not in view.html


# connect params ------------------------------------------------------------------------------


async def test_connect_params_are_none_dead_and_the_join_params_connected() -> None:
    seen: list[Any] = []

    class Page(LiveView):
        template = "<p>page</p>"

        async def mount(self, socket: LiveViewSocket, session: Any, params: Any) -> None:
            seen.append(socket.connect_params)

    app = LiveViewApp(routes={"/": Page}, secret=SECRET)
    async with LiveViewTestClient(app) as client:
        await join(client, "/", params={"_mounts": 0, "timezone": "Europe/Paris"})
        await join(client, "/", params="not a dict")
    assert seen == [None, {"_mounts": 0, "timezone": "Europe/Paris"}, None, {}]


async def test_the_gallery_serves_the_accounts_example_under_accounts() -> None:
    from liveview.gallery.app import app as gallery

    async with LiveViewTestClient(gallery) as client:
        assert 'href="/accounts/sign-in"' in (await client.get("/")).text
        refused = await client.get("/accounts/profile")
        assert refused.headers["location"] == "/accounts/sign-in"
        page = (await client.get("/accounts/sign-in")).text
        response = await client.http.post(
            "/accounts/session",
            data={"form_token": _form_token(page), "name": "alice", "password": "wonderland"},
        )
        assert response.headers["location"] == "/accounts/"
        view = await client.live("/accounts/profile")  # over /accounts/live/websocket
        assert '<b id="who">alice</b>' in view.html


class NoLogoutTopic(SingleProcessPubSub):
    """A pub/sub whose broker refuses the logout topic (as one that is away would)."""

    async def subscribe(self, topic: str, handler: Any) -> str:
        if topic == TOPIC:
            raise PubSubUnavailable("the broker is away")
        return await super().subscribe(topic, handler)


async def test_a_join_goes_on_when_the_logout_topic_cannot_be_subscribed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with LiveViewTestClient(make_app(pubsub=NoLogoutTopic(), secret=SECRET)) as client:
        await sign_in(client, "alice", "wonderland")
        view = await client.live("/profile")
        assert '<b id="who">alice</b>' in view.html
        assert "logouts not heard yet" in caplog.text
