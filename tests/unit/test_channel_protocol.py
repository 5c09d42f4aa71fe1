"""The wire protocol end to end, in-process: what the official client sends, and bad input."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket
from liveview.static import CONTAINER
from liveview.testing import (
    LiveViewTest,
    LiveViewTestClient,
    ReplyError,
    TestWebSocket,
    WebSocketRejected,
)
from liveview.testing.page import find_container, find_csrf_token

shutdowns: list[str] = []


class Counter(LiveView):
    template = '<p id="count">{{ count }}</p><button phx-click="inc">+</button>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=int(params.get("start", 0)))

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> Any:
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)
        elif event == "boom":
            raise RuntimeError("handler exploded")
        elif event == "echo":
            socket.assign(last=payload)
        elif event == "ping":
            socket.push_event("pong", {"n": 1})
            socket.page_title = "Pinged"
            return {"pong": True}
        else:
            return await super().handle_event(event, payload, socket)
        return None

    async def shutdown(self, socket: LiveViewSocket) -> None:
        shutdowns.append(socket.id)


class Echo(LiveView):
    template = "<p id='echo'>{{ last }}</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(last=None)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        socket.assign(last=repr(payload))


def make_app(**options: Any) -> LiveViewApp:
    options.setdefault("secret", "test-secret")
    return LiveViewApp(routes={"/counter": Counter, "/echo": Echo}, **options)


@pytest.fixture
async def client() -> AsyncIterator[LiveViewTestClient]:
    async with LiveViewTestClient(make_app()) as client:
        yield client


async def test_dead_render_has_container_tokens_and_client(client: LiveViewTestClient) -> None:
    response = await client.get("/counter?start=3")
    assert response.status_code == 200
    text = response.text
    assert '<p id="count">3</p>' in text
    assert "data-phx-main" in text and "data-phx-session=" in text and "data-phx-static=" in text
    assert '<meta name="csrf-token"' in text
    assert "/assets/vendor/phoenix_live_view.min.js" in text
    assert "_liveview_csrf" in response.headers["set-cookie"]


async def test_join_then_clicks_update(client: LiveViewTestClient) -> None:
    view = await client.live("/counter?start=3")
    assert '<p id="count">3</p>' in view.html
    reply = await view.push("event", {"type": "click", "event": "inc", "value": {"value": ""}})
    assert reply["diff"] == {"0": "4"}
    assert '<p id="count">4</p>' in view.html


async def test_heartbeat(client: LiveViewTestClient) -> None:
    await client.get("/counter")
    socket = await client.connect()
    reply, _ = await socket.request("phoenix", "heartbeat", {})
    assert reply == [None, reply[1], "phoenix", "phx_reply", {"status": "ok", "response": {}}]


async def test_form_event_decoded_nested_with_target(client: LiveViewTestClient) -> None:
    view = await client.live("/echo")
    await view.push(
        "event",
        {
            "type": "form",
            "event": "validate",
            "value": "user%5Bname%5D=Al+%3Cb%3E&user%5Btags%5D%5B%5D=x",
            "meta": {"_target": "user[name]"},
        },
    )
    expected = repr({"user": {"name": "Al <b>", "tags": ["x"]}, "_target": ["user", "name"]})
    assert (
        view.html
        == "<p id='echo'>"
        + expected.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
        + "</p>"
    )


async def test_hook_reply_events_and_title(client: LiveViewTestClient) -> None:
    view = await client.live("/counter")
    assert await view.hook_event("ping") == {"pong": True}
    assert view.events == [["pong", {"n": 1}]]
    assert view.title == "Pinged"


async def test_tampered_session_token_is_stale_and_socket_keeps_working(
    client: LiveViewTestClient,
) -> None:
    response = await client.get("/counter")
    socket = await client.connect()
    view = await client.live("/counter", socket=socket)
    session = response.text.split('data-phx-session="')[1].split('"')[0]
    view_id = response.text.split('<div id="')[1].split('"')[0]
    payload = {
        "url": "http://testserver/counter",
        "params": {},
        "session": session[:-3] + "xyz",
        "static": None,
    }
    reply, _ = await socket.request(f"lv:{view_id}", "phx_join", payload, join_ref="99")
    assert reply[4] == {"status": "error", "response": {"reason": "stale"}}
    await view.click("inc")
    assert '<p id="count">1</p>' in view.html


async def test_session_token_of_another_view_is_stale(client: LiveViewTestClient) -> None:
    response = await client.get("/counter")
    socket = await client.connect()
    session = response.text.split('data-phx-session="')[1].split('"')[0]
    payload = {"url": "http://testserver/counter", "params": {}, "session": session, "static": None}
    reply, _ = await socket.request("lv:phx-someoneelse", "phx_join", payload, join_ref="5")
    assert reply[4]["response"] == {"reason": "stale"}


async def test_token_for_one_route_joined_at_another_is_unauthorized(
    client: LiveViewTestClient,
) -> None:
    response = await client.get("/counter")
    socket = await client.connect()
    session = response.text.split('data-phx-session="')[1].split('"')[0]
    view_id = response.text.split('<div id="')[1].split('"')[0]
    payload = {"url": "http://testserver/echo", "params": {}, "session": session, "static": None}
    reply, _ = await socket.request(f"lv:{view_id}", "phx_join", payload, join_ref="5")
    assert reply[4]["response"] == {"reason": "unauthorized"}


async def join_on(socket: TestWebSocket, page: str) -> dict[str, Any]:
    """The reply to a join of the LiveView in `page` (its HTML) on `socket`."""
    container = find_container(page)
    assert container is not None
    payload = {
        "url": "http://testserver/counter",
        "params": {},
        "session": container.session,
        "static": container.static or None,
    }
    reply, _ = await socket.request(f"lv:{container.id}", "phx_join", payload, join_ref="7")
    response: dict[str, Any] = reply[4]
    return response


@pytest.mark.parametrize("token", [None, "", "forged.token.value"])
async def test_missing_or_wrong_csrf_makes_every_join_stale(
    client: LiveViewTestClient, token: str | None
) -> None:
    # Not a refusal, which the client would retry forever (a tab rendered before a restart
    # with another secret): the joins are answered "stale", on which the client reloads.
    page = (await client.get("/counter")).text
    params = {} if token is None else {"_csrf_token": token}
    socket = await client.connect(params=params)
    assert await join_on(socket, page) == {"status": "error", "response": {"reason": "stale"}}
    await client.live("/counter")  # the server keeps serving others


async def test_csrf_token_without_its_cookie_makes_joins_stale(client: LiveViewTestClient) -> None:
    page = (await client.get("/counter")).text
    socket = await client.connect(headers={"cookie": "_liveview_csrf=someone-else"})
    assert await join_on(socket, page) == {"status": "error", "response": {"reason": "stale"}}


async def test_a_page_from_before_a_restart_with_another_secret_joins_stale() -> None:
    async with LiveViewTestClient(make_app(secret="before")) as old:
        page = (await old.get("/counter")).text
        cookie = old.http.cookies.get("_liveview_csrf")
    async with LiveViewTestClient(make_app(secret="after")) as new:
        new.http.cookies.set("_liveview_csrf", cookie or "")
        csrf = find_csrf_token(page)
        socket = await new.connect(params={"_csrf_token": csrf or ""})
        assert await join_on(socket, page) == {"status": "error", "response": {"reason": "stale"}}


async def test_cross_origin_websocket_refused(client: LiveViewTestClient) -> None:
    await client.get("/counter")
    with pytest.raises(WebSocketRejected):
        await client.connect(headers={"origin": "http://evil.example"})
    await client.live("/counter")


async def test_check_origin_list_and_off() -> None:
    async with LiveViewTestClient(make_app(check_origin=["http://app.example"])) as client:
        await client.get("/counter")
        await client.connect(headers={"origin": "http://app.example"})
        with pytest.raises(WebSocketRejected):
            await client.connect()  # its own host is not on the list
    async with LiveViewTestClient(make_app(check_origin=False)) as client:
        await client.get("/counter")
        await client.connect(headers={"origin": "http://anywhere.example"})


async def test_malformed_frames_do_not_end_the_connection(client: LiveViewTestClient) -> None:
    view = await client.live("/counter")
    socket = view.socket
    await socket.send_text("this is not json")
    await socket.send_text('{"not": "an array"}')
    await socket.send_bytes(b"\x00\x01binary")
    reply, _ = await socket.request(view.topic, "event", [], join_ref=view.join_ref)  # type: ignore[arg-type]
    assert reply[4] == {"status": "error", "response": {"reason": "payload must be an object"}}
    await view.click("inc")
    assert '<p id="count">1</p>' in view.html


async def test_unknown_topic(client: LiveViewTestClient) -> None:
    await client.get("/counter")
    socket = await client.connect()
    reply, _ = await socket.request(
        "lv:phx-nobody", "event", {"type": "click", "event": "x"}, join_ref="1"
    )
    assert reply[0] is None
    assert reply[4] == {"status": "error", "response": {"reason": "unmatched topic"}}
    reply, _ = await socket.request("room:lobby", "phx_join", {}, join_ref="9")
    assert reply[4] == {"status": "error", "response": {"reason": "unmatched topic"}}
    reply, _ = await socket.request("lv:phx-nobody", "phx_leave", {}, join_ref="1")
    assert reply[4] == {"status": "ok", "response": {}}


async def test_unknown_event_gets_error_reply_and_view_lives(client: LiveViewTestClient) -> None:
    view = await client.live("/counter")
    with pytest.raises(ReplyError) as info:
        await view.click("no-such-event")
    assert info.value.response == {"reason": "unknown event 'no-such-event'"}
    with pytest.raises(ReplyError):
        await view.click("lv:bogus")
    reply, _ = await view.socket.request(view.topic, "mystery", {}, join_ref=view.join_ref)
    assert reply[4]["status"] == "error"
    await view.click("inc")
    assert '<p id="count">1</p>' in view.html


async def test_crash_fails_only_that_view(client: LiveViewTestClient) -> None:
    first = await client.live("/counter")
    second = await client.live("/counter", socket=first.socket)
    await first.socket.send_frame(
        [
            first.join_ref,
            "77",
            first.topic,
            "event",
            {"type": "click", "event": "boom", "value": {}},
        ]
    )
    told = await first.socket.receive_frame()  # the page is told, then the error
    assert told[2:4] == [first.topic, "diff"] and told[4]["e"][0][0] == "liveview:error"
    frame = await first.socket.receive_frame()
    assert frame == [first.join_ref, first.join_ref, first.topic, "phx_error", {}]
    await second.click("inc")  # the other view on the same websocket carries on
    assert '<p id="count">1</p>' in second.html
    await first.rejoin()  # what the client does after phx_error: a fresh mount
    await first.click("inc")
    assert '<p id="count">1</p>' in first.html


async def test_stale_join_ref_is_ignored(client: LiveViewTestClient) -> None:
    view = await client.live("/counter")
    await view.socket.send_frame(
        ["old", "50", view.topic, "event", {"type": "click", "event": "inc"}]
    )
    await view.click("inc")  # the reply to this is the next frame: the stale one got none
    assert '<p id="count">1</p>' in view.html


async def test_duplicate_join_replaces_old_view(client: LiveViewTestClient) -> None:
    view = await client.live("/counter")
    await view.click("inc")
    old_join_ref = view.join_ref
    pushed = await view.rejoin()
    assert [view.topic, "phx_close"] == pushed[-1][2:4] and pushed[-1][0] == old_join_ref
    assert view.join_ref != old_join_ref
    assert '<p id="count">0</p>' in view.html  # a brand-new mount
    await view.click("inc")
    assert '<p id="count">1</p>' in view.html


async def test_shutdown_runs_on_leave_and_on_close(client: LiveViewTestClient) -> None:
    shutdowns.clear()
    left = await client.live("/counter")
    await left.leave()
    closed = await client.live("/counter")
    await closed.socket.close()
    await asyncio.sleep(0)
    assert shutdowns == [left.topic[3:], closed.topic[3:]]


class BrokenMount(LiveView):
    template = "<p>never</p>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        if socket.connected:
            raise RuntimeError("mount exploded")


async def test_crash_in_mount_replies_join_crashed_and_socket_lives() -> None:
    app = LiveViewApp(routes={"/broken": BrokenMount, "/counter": Counter}, secret="s")
    async with LiveViewTestClient(app) as client:
        good = await client.live("/counter")
        with pytest.raises(ReplyError) as info:
            await client.live("/broken", socket=good.socket)
        assert info.value.response == {"reason": "join crashed"}
        await good.click("inc")
        assert '<p id="count">1</p>' in good.html


async def test_long_open_tab_reconnects_with_the_same_tokens(client: LiveViewTestClient) -> None:
    view = await client.live("/counter")
    await view.socket.close()  # the network dropped; the tab keeps its page and tokens
    view.socket = await client.connect()
    await view.rejoin()
    await view.click("inc")
    assert '<p id="count">1</p>' in view.html


class Blocked(LiveView):
    """Stuck in `handle_info` until released; shows the infos it got, and what it missed."""

    template = "<p>{{ seen }}</p>"
    release: asyncio.Event

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe("flood")
        socket.assign(seen="")

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        await Blocked.release.wait()
        socket.assign(seen=f"{socket.assigns.seen} {info['n']}".strip())

    async def handle_gap(self, topic: str | None, socket: LiveViewSocket) -> None:
        socket.assign(seen=f"{socket.assigns.seen} dropped (topic {topic})".strip())

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        await Blocked.release.wait()


@asynccontextmanager
async def blocked_beside_a_counter(
    **config: int,
) -> AsyncIterator[tuple[LiveViewApp, LiveViewTest, LiveViewTest]]:
    """A `Blocked` view and a counter on one websocket, with `channel_config` set from
    `config`; the blocked view is released on the way out."""
    Blocked.release = asyncio.Event()
    app = LiveViewApp(routes={"/blocked": Blocked, "/counter": Counter}, secret="s")
    for name, value in config.items():
        setattr(app.channel_config, name, value)
    async with LiveViewTestClient(app) as client:
        blocked = await client.live("/blocked")
        other = await client.live("/counter", socket=blocked.socket)
        try:
            yield app, blocked, other
        finally:
            Blocked.release.set()


async def flood_fails_only_that_view(
    app: LiveViewApp, blocked: LiveViewTest, other: LiveViewTest, event: dict[str, Any]
) -> None:
    """Ten client events at the blocked view: it fails (`phx_error`, its subscription gone),
    the counter beside it is answered."""
    for ref in range(10):
        await blocked.socket.send_frame([blocked.join_ref, str(ref), blocked.topic, "event", event])
    frame = await blocked.socket.receive_frame()
    if frame[3] == "diff":  # the page is told of the crash first
        frame = await blocked.socket.receive_frame()
    assert frame[2:] == [blocked.topic, "phx_error", {}]
    assert app.pubsub.subscription_count == 0
    await other.click("inc")
    assert '<p id="count">1</p>' in other.html


async def test_a_view_behind_its_infos_is_told_what_it_missed_and_lives() -> None:
    async with blocked_beside_a_counter(mailbox_size=5) as (app, blocked, other):
        await app.pubsub.publish("flood", {"n": 0})
        await asyncio.sleep(0.01)  # the view is now stuck handling n=0
        # 1..5 fill the mailbox; 6 makes them one notice; 10 makes it and 6..9 one notice.
        for n in range(1, 12):
            await app.pubsub.publish("flood", {"n": n})
        await other.click("inc")  # the other LiveView on the socket is answered meanwhile
        assert '<p id="count">1</p>' in other.html
        Blocked.release.set()
        html = await blocked.wait_for(lambda html: "dropped" in html and "11" in html)
        assert "<p>0 dropped (topic None) 10 11</p>" in html  # 1..9 dropped
        assert app.pubsub.subscription_count == 1


async def test_a_logout_waiting_in_a_full_mailbox_is_never_shed() -> None:
    async with blocked_beside_a_counter(mailbox_size=5) as (app, blocked, _other):
        await app.pubsub.publish("flood", {"n": 0})
        await asyncio.sleep(0.01)  # the view is now stuck handling n=0
        connections = app.idle_sweeper._connections
        channel = next(
            channel
            for connection in connections
            for channel in connection._channels.values()  # type: ignore[attr-defined]
            if channel.topic == blocked.topic
        )
        channel.logged_out()  # as LiveViewApp.disconnect does for this view's user
        for n in range(1, 12):  # the infos behind it overflow the mailbox
            await app.pubsub.publish("flood", {"n": n})
        Blocked.release.set()
        events = []
        while "redirect" not in events:
            frame = await blocked.socket.receive_frame()
            events.append(frame[3])
        assert frame[2] == blocked.topic and frame[4]["to"].endswith("/blocked")


async def test_infos_waiting_past_their_byte_bound_make_way_for_a_notice() -> None:
    # 3 KB messages, far fewer than the count: 1..3 wait within the 10 KB bound, 4 makes them
    # one notice; the view lives, and its neighbour is answered meanwhile
    async with blocked_beside_a_counter(mailbox_info_bytes=10_000) as (app, blocked, other):
        blob = "x" * 3_000
        await app.pubsub.publish("flood", {"n": 0, "blob": blob})
        await asyncio.sleep(0.01)  # the view is now stuck handling n=0
        for n in range(1, 6):
            await app.pubsub.publish("flood", {"n": n, "blob": blob})
        await other.click("inc")
        assert '<p id="count">1</p>' in other.html
        Blocked.release.set()
        html = await blocked.wait_for(lambda html: "5</p>" in html)
        assert "<p>0 dropped (topic None) 4 5</p>" in html  # 1..3 dropped for handle_gap
        assert app.pubsub.subscription_count == 1


async def test_infos_handled_leave_the_byte_bound() -> None:
    # two waves of 9 KB behind a stuck message: 21 KB in all, never more than 10 KB waiting
    async with blocked_beside_a_counter(mailbox_info_bytes=10_000) as (app, blocked, _):
        blob = "x" * 3_000
        for wave in (0, 4):
            Blocked.release.clear()
            await app.pubsub.publish("flood", {"n": wave, "blob": blob})
            await asyncio.sleep(0.01)  # the view is now stuck handling it
            for n in range(wave + 1, wave + 4):
                await app.pubsub.publish("flood", {"n": n, "blob": blob})
            Blocked.release.set()
            last = f" {wave + 3}</p>"
            await blocked.wait_for(lambda html: last in html)  # noqa: B023 (awaited here)
        assert "<p>0 1 2 3 4 5 6 7</p>" in blocked.html


async def test_a_client_flooding_its_own_view_fails_only_that_view() -> None:
    # client events are never dropped: past the mailbox's count, the view fails
    async with blocked_beside_a_counter(mailbox_size=5) as (app, blocked, other):
        await flood_fails_only_that_view(
            app, blocked, other, {"type": "click", "event": "x", "value": {}}
        )


async def test_urls_that_cannot_be_split_and_odd_cids_get_replies_not_crashes(
    client: LiveViewTestClient, caplog: pytest.LogCaptureFixture
) -> None:
    view = await client.live("/counter")
    reply = await view.push("live_patch", {"url": "http://["})
    assert reply == {"link_redirect": True}
    deep = "[" * 400 + "1" + "]" * 400  # deeper than orjson writes: refused, never echoed
    frame = f'["{view.join_ref}","99","{view.topic}","cids_destroyed",{{"cids":[1,"2",{deep},3]}}]'
    await view.socket.send_text(frame)
    # the page has no components: none is deleted
    assert (await view.socket.receive_frame())[4] == {"status": "ok", "response": {"cids": []}}
    assert "Traceback" not in caplog.text and "crashed" not in caplog.text
    page = await client.get("/counter")
    found = CONTAINER.search(page.text)
    assert found is not None
    reply_frame, _ = await view.socket.request(
        f"lv:{found['id']}",
        "phx_join",
        {"url": "http://[", "session": html.unescape(found["session"]), "static": None},
        join_ref="77",
    )
    assert reply_frame[4] == {"status": "error", "response": {"reason": "unauthorized"}}
    await view.click("inc")  # the view on the socket carries on
    assert '<p id="count">1</p>' in view.html


async def test_client_messages_waiting_past_their_byte_bound_fail_only_that_view() -> None:
    # 10 events of 3 KB wait behind the first: more than the 10 KB bound, fewer than the count
    async with blocked_beside_a_counter(mailbox_frame_bytes=10_000) as (app, blocked, other):
        big = {"type": "click", "event": "x", "value": {"text": "y" * 3_000}}
        await flood_fails_only_that_view(app, blocked, other, big)


async def test_client_messages_handled_leave_the_byte_bound() -> None:
    app = LiveViewApp(routes={"/echo": Echo}, secret="s")
    app.channel_config.mailbox_frame_bytes = 10_000
    async with LiveViewTestClient(app) as client:
        view = await client.live("/echo")
        for _ in range(20):  # 60 KB in all, 3 KB at a time: never more than one waits
            await view.push("event", {"type": "click", "event": "e", "value": {"n": "z" * 3_000}})
        assert "zzz" in view.html
