"""The long-poll transport (`liveview.channel.longpoll`), in process: the official client's
exchange, the relay between two apps sharing a pub/sub, reaping, and every bad input."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket, SingleProcessPubSub
from liveview.channel import longpoll_session
from liveview.testing import LiveViewTestClient
from tests.longpoll_client import LongPollClient

SHUTDOWNS: list[str] = []


class Counter(LiveView):
    template = '<p id="count">{{ count }}</p><button phx-click="inc">+</button>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0)
        await socket.subscribe("lp-counter")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "inc":
            await socket.pubsub.publish("lp-counter", {"count": socket.assigns.count + 1})
        elif event == "flood":
            for n in range(int(payload["n"])):  # a diff push each
                await socket.pubsub.publish("lp-counter", {"count": n})

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(count=info["count"])

    async def shutdown(self, socket: LiveViewSocket) -> None:
        SHUTDOWNS.append(socket.id)


def make_app(**options: Any) -> LiveViewApp:
    app = LiveViewApp(routes={"/": Counter}, secret="s", **options)
    app.longpoll.window = 0.3  # polls with nothing to send end fast
    return app


@pytest.fixture
async def client() -> AsyncIterator[LiveViewTestClient]:
    async with LiveViewTestClient(make_app()) as client:
        yield client


async def opened(client: LiveViewTestClient) -> tuple[LongPollClient, str]:
    """A long-poll session from the page's tab (its cookies, its CSRF token); the page."""
    response = await client.get("/")
    lp = LongPollClient(client.http, csrf=client.csrf_token, origin="http://testserver")
    await lp.open()
    return lp, response.text


async def test_the_first_get_opens_a_session_with_a_signed_token(
    client: LiveViewTestClient,
) -> None:
    lp, _ = await opened(client)
    assert lp.token and "." in lp.token  # itsdangerous: payload.timestamp.signature
    app = client.app
    assert isinstance(app, LiveViewApp)
    assert len(app.longpoll.sessions) == 1


async def test_a_poll_with_nothing_to_send_answers_204_after_the_window(
    client: LiveViewTestClient,
) -> None:
    lp, _ = await opened(client)
    body = await lp.get()
    assert body == {"status": 204, "token": lp.token, "messages": []}


async def test_join_event_and_broadcast_travel_over_long_poll(
    client: LiveViewTestClient,
) -> None:
    lp, html = await opened(client)
    topic, join_ref, reply = await lp.join(html, "http://testserver/")
    assert reply["status"] == "ok"
    assert "rendered" in reply["response"]
    ref = lp.ref()
    event = {"type": "click", "event": "inc", "value": {}}
    assert (await lp.post([join_ref, ref, topic, "event", event]))["status"] == 200
    assert (await lp.reply_to(ref))["status"] == "ok"
    # the broadcast comes back as a pushed diff
    diff = await lp.until(lambda f: f[3] == "diff")
    assert diff[0] == join_ref and diff[2] == topic
    assert "1" in json.dumps(diff[4])


async def test_a_post_carries_several_frames_and_heartbeats_are_answered(
    client: LiveViewTestClient,
) -> None:
    lp, _ = await opened(client)
    one, two = lp.ref(), lp.ref()
    body = await lp.post(
        [None, one, "phoenix", "heartbeat", {}], [None, two, "phoenix", "heartbeat", {}]
    )
    assert body == {"status": 200}
    assert (await lp.reply_to(one)) == {"status": "ok", "response": {}}
    assert (await lp.reply_to(two)) == {"status": "ok", "response": {}}


async def test_a_held_poll_is_answered_as_soon_as_a_frame_comes(
    client: LiveViewTestClient,
) -> None:
    lp, _ = await opened(client)
    client.app.longpoll.window = 30.0  # type: ignore[attr-defined]
    poll = asyncio.create_task(lp.get())
    await asyncio.sleep(0.05)
    assert not poll.done()
    ref = lp.ref()
    await lp.post([None, ref, "phoenix", "heartbeat", {}])
    body = await asyncio.wait_for(poll, 5)
    assert body["status"] == 200
    assert [json.loads(m)[1] for m in body["messages"]] == [ref]


async def test_a_new_poll_answers_the_one_it_replaces(client: LiveViewTestClient) -> None:
    lp, _ = await opened(client)
    client.app.longpoll.window = 30.0  # type: ignore[attr-defined]
    first = asyncio.create_task(lp.get())
    await asyncio.sleep(0.05)
    second = asyncio.create_task(lp.get())
    assert (await asyncio.wait_for(first, 5))["status"] == 204
    ref = lp.ref()
    await lp.post([None, ref, "phoenix", "heartbeat", {}])
    assert (await asyncio.wait_for(second, 5))["status"] == 200


async def test_the_token_may_come_in_phoenixs_header(client: LiveViewTestClient) -> None:
    lp, _ = await opened(client)
    response = await client.http.get(
        "/live/longpoll", headers={"x-phoenix-longpoll-token": lp.token or ""}
    )
    assert response.json()["status"] == 204


# bad input ------------------------------------------------------------------------------------


async def test_a_tampered_token_is_refused_and_makes_no_session(
    client: LiveViewTestClient,
) -> None:
    lp, _ = await opened(client)
    assert lp.token is not None
    lp.token = lp.token[:-2] + ("AA" if not lp.token.endswith("AA") else "BB")
    response = await client.http.get("/live/longpoll", params={"token": lp.token})
    assert response.status_code == 410
    assert response.json()["status"] == 410
    assert "bad long-poll token" in response.json()["error"]
    response = await client.http.post("/live/longpoll", params={"token": lp.token}, content="[]")
    assert response.json()["status"] == 410
    assert len(client.app.longpoll.sessions) == 1  # type: ignore[attr-defined]


async def test_a_token_of_another_secret_is_refused(client: LiveViewTestClient) -> None:
    other = LiveViewApp(routes={"/": Counter}, secret="other")
    token = other.signer.sign_longpoll("made-up", "node")
    response = await client.http.get("/live/longpoll", params={"token": token})
    assert response.json()["status"] == 410


async def test_an_unknown_session_is_gone(client: LiveViewTestClient) -> None:
    app = client.app
    assert isinstance(app, LiveViewApp)
    token = app.signer.sign_longpoll("no-such-session", app.pubsub.node_id)
    response = await client.http.get("/live/longpoll", params={"token": token})
    assert response.json() == {"status": 410, "token": token, "messages": []}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff\xfe[", "not UTF-8"),
        (b"not base64 nor json!", "neither a JSON array nor base64"),
        ("\n".join(['[null,null,"phoenix","heartbeat",{}]'] * 101).encode(), "at most 100"),
    ],
)
async def test_a_malformed_body_is_refused_and_ends_the_session(
    client: LiveViewTestClient, body: bytes, reason: str
) -> None:
    lp, _ = await opened(client)
    response = await lp.post_body(body)
    assert response.status_code == 400
    assert response.json()["status"] == 400
    assert reason in response.json()["error"]
    assert (await lp.get())["status"] == 410  # the client starts a new session
    assert client.app.longpoll.sessions == {}  # type: ignore[attr-defined]


async def test_a_malformed_frame_in_a_good_body_gets_an_error_reply(
    client: LiveViewTestClient,
) -> None:
    lp, _ = await opened(client)
    body = await lp.post([None, "7", "lv:nope", "event", "not an object"], [None, "8"])
    assert body["status"] == 200
    assert (await lp.reply_to("7"))["status"] == "error"


async def test_a_huge_body_is_refused_with_413(client: LiveViewTestClient) -> None:
    lp, _ = await opened(client)
    response = await lp.post_body(b"[" + b" " * 9_000_000 + b"]")
    assert response.status_code == 413
    assert "over the limit" in response.json()["error"]


async def test_a_frame_over_max_frame_size_is_refused_with_413() -> None:
    async with LiveViewTestClient(make_app(max_frame_size=1000)) as client:
        lp, _ = await opened(client)
        response = await lp.post(["x" * 2000])
        assert response["status"] == 413
        assert "over max_frame_size (1000)" in response["error"]
        binary = await lp.post_body(base64.b64encode(b"\0" * 2000))
        assert binary.json()["status"] == 413


async def test_another_sites_origin_is_refused(client: LiveViewTestClient) -> None:
    await client.get("/")
    response = await client.http.get("/live/longpoll", headers={"origin": "http://evil.example"})
    assert response.json() == {"status": 403}
    assert client.app.longpoll.sessions == {}  # type: ignore[attr-defined]


async def test_a_stale_csrf_token_gets_stale_joins(client: LiveViewTestClient) -> None:
    response = await client.get("/")
    lp = LongPollClient(client.http, csrf="forged")
    await lp.open()
    _, _, reply = await lp.join(response.text, "http://testserver/")
    assert reply == {"status": "error", "response": {"reason": "stale"}}


async def test_other_methods_are_not_allowed(client: LiveViewTestClient) -> None:
    response = await client.http.put("/live/longpoll")
    assert response.status_code == 405


# bounded --------------------------------------------------------------------------------------


async def test_a_session_nobody_polls_is_reaped_and_its_liveviews_stop() -> None:
    app = make_app()
    app.longpoll.sweeper.timeout = 0.4
    async with LiveViewTestClient(app) as client:
        lp, html = await opened(client)
        await lp.join(html, "http://testserver/")
        (session,) = app.longpoll.sessions.values()
        view_ids = [channel.view_id for channel in session._channels.values()]
        for _ in range(50):
            if not app.longpoll.sessions:
                break
            await asyncio.sleep(0.1)
        assert app.longpoll.sessions == {}
        await session.wait_closed()
        assert set(view_ids) <= set(SHUTDOWNS)
        assert (await lp.get())["status"] == 410


async def test_a_poll_held_longer_than_the_reap_timeout_keeps_its_session() -> None:
    app = make_app()
    app.longpoll.sweeper.timeout = 0.4
    app.longpoll.window = 1.2  # held three reap timeouts: the client is there all along
    async with LiveViewTestClient(app) as client:
        lp, _ = await opened(client)
        assert (await lp.get())["status"] == 204
        assert len(app.longpoll.sessions) == 1


async def test_a_session_whose_client_stops_reading_ends_at_its_buffer_limit(
    client: LiveViewTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(longpoll_session, "MAX_BUFFERED_FRAMES", 50)
    lp, _ = await opened(client)
    heartbeats: list[list[Any]] = [[None, str(n), "phoenix", "heartbeat", {}] for n in range(60)]
    assert (await lp.post(*heartbeats))["status"] == 410  # replies past the limit: ended
    assert client.app.longpoll.sessions == {}  # type: ignore[attr-defined]
    assert (await lp.get())["status"] == 410


async def test_closing_the_app_ends_its_sessions() -> None:
    app = make_app()
    async with LiveViewTestClient(app) as client:
        lp, html = await opened(client)
        await lp.join(html, "http://testserver/")
    assert app.longpoll.sessions == {}


# across workers -------------------------------------------------------------------------------


async def test_requests_alternating_between_two_apps_reach_the_session() -> None:
    """Two apps, two pub/sub instances (two nodes) on the process's shared hub: every other
    request lands on the app that does not hold the session, which relays it."""
    one, two = make_app(), make_app()
    assert one.pubsub is not two.pubsub
    async with LiveViewTestClient(one) as a, LiveViewTestClient(two) as b:
        response = await a.get("/")
        b.http.cookies = a.http.cookies
        lp = LongPollClient([a.http, b.http], csrf=a.csrf_token)
        await lp.open()  # on one
        one.longpoll.window = two.longpoll.window = 5.0
        topic, join_ref, reply = await lp.join(response.text, "http://testserver/")  # two
        assert reply["status"] == "ok"
        for expected in ("1", "2", "3"):
            ref = lp.ref()
            body = await lp.post([join_ref, ref, topic, "event", {"type": "click", "event": "inc"}])
            assert body["status"] == 200
            await lp.reply_to(ref)
            diff = await lp.until(lambda f: f[3] == "diff")
            assert json.dumps(diff[4]).count(f'"{expected}"') == 1
        assert len(one.longpoll.sessions) == 1 and two.longpoll.sessions == {}


async def test_a_relayed_request_for_a_gone_session_is_answered_410() -> None:
    one, two = make_app(), make_app()
    async with LiveViewTestClient(one) as a, LiveViewTestClient(two) as b:
        await a.get("/")
        b.http.cookies = a.http.cookies
        lp = LongPollClient([a.http, b.http], csrf=a.csrf_token)
        await lp.open()
        for session in list(one.longpoll.sessions.values()):
            session.close()
        body = await lp.get()  # on two, relayed: nobody acknowledges
        assert body["status"] == 410


async def test_a_bad_relay_message_is_ignored(client: LiveViewTestClient) -> None:
    lp, _ = await opened(client)
    app = client.app
    assert isinstance(app, LiveViewApp)
    (session_id,) = app.longpoll.sessions
    await app.pubsub.publish(f"liveview:longpoll:{session_id}", ["not", "a", "request"])
    await app.pubsub.publish(
        f"liveview:longpoll:{session_id}", {"ref": "r", "reply": "t", "op": "dance"}
    )
    assert (await lp.get())["status"] == 204  # still there


async def test_the_client_config_falls_back_to_long_poll() -> None:
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        script = (await http.get("/assets/app.js")).text
    assert "longPollFallbackMs: 2500" in script
    _ = SingleProcessPubSub  # the relay test's two nodes are two instances of it
