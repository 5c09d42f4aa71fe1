"""Long poll without sticky sessions: two app processes (two uvicorn servers) sharing a real
Redis, every request of a long-poll client going to the other one in turn, as a round-robin load
balancer sends them. The session lives in the process that created it; the other relays through
the app's pub/sub (`liveview.channel.longpoll_relay`)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import LiveServer, _start_server
from tests.longpoll_client import LongPollClient

APP = "tests.e2e.apps.longpoll:app"


def start_two(redis_url: str, log_dir: Path) -> tuple[LiveServer, LiveServer]:
    env = {"LIVEVIEW_PUBSUB_URL": redis_url, "LIVEVIEW_PUBSUB_PREFIX": f"lp-{uuid.uuid4().hex}:"}
    return _start_server(APP, env, log_dir), _start_server(APP, env, log_dir)


@pytest.fixture(scope="module")
def shared_workers(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two workers for the module's tests that leave them running."""
    one, two = start_two(redis_url, tmp_path_factory.mktemp("longpoll-workers"))
    yield one, two
    one.stop()
    two.stop()


@pytest.fixture
def own_workers(redis_url: str, tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two workers for a test that stops one."""
    one, two = start_two(redis_url, tmp_path)
    yield one, two
    one.stop()
    two.stop()


async def clients_of(
    workers: tuple[LiveServer, LiveServer],
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    one, two = workers
    async with (
        httpx.AsyncClient(base_url=one.url) as a,
        httpx.AsyncClient(base_url=two.url) as b,
    ):
        yield a, b


@pytest.fixture
async def clients(
    shared_workers: tuple[LiveServer, LiveServer],
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async for pair in clients_of(shared_workers):
        yield pair


@pytest.fixture
async def own_clients(
    own_workers: tuple[LiveServer, LiveServer],
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async for pair in clients_of(own_workers):
        yield pair


async def tab(a: httpx.AsyncClient, b: httpx.AsyncClient, first: str) -> tuple[LongPollClient, str]:
    """A browser tab: the page from `first`, then long-poll requests alternating between the
    two workers (both see the tab's cookies)."""
    http = a if first == "a" else b
    page = await http.get("/room")
    for other in (a, b):
        other.cookies = http.cookies
    csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    order = [a, b] if first == "a" else [b, a]
    return LongPollClient(order, csrf=csrf), page.text


def counts(frame: list[object]) -> str:
    return json.dumps(frame[4])


async def test_a_session_works_with_requests_alternating_between_workers(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    a, b = clients
    lp, html = await tab(a, b, "a")
    await lp.open()  # on a: the session lives there
    url = str(a.base_url) + "/room"
    topic, join_ref, reply = await lp.join(html, url)  # POST on b (relayed), poll on a
    assert reply["status"] == "ok", reply
    for n in range(1, 5):  # each click and each poll lands on the other worker than the last
        ref = lp.ref()
        event = {"type": "click", "event": "inc", "value": {}}
        assert (await lp.post([join_ref, ref, topic, "event", event]))["status"] == 200
        assert (await lp.reply_to(ref))["status"] == "ok"
        diff = await lp.until(lambda f: f[3] == "diff")
        assert f'"{n}"' in counts(diff)
    form = {"type": "form", "event": "draft", "value": "text=hello+relay"}
    ref = lp.ref()
    await lp.post([join_ref, ref, topic, "event", form])
    assert "hello relay" in json.dumps(await lp.reply_to(ref))


async def test_a_held_relayed_poll_gets_a_broadcast_from_a_tab_on_the_other_worker(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    a, b = clients
    ann, ann_html = await tab(a, b, "a")
    await ann.open()
    await ann.join(ann_html, str(a.base_url) + "/room")
    bob, bob_html = await tab(b, a, "b")
    await bob.open()  # Bob's session lives on b
    bob_topic, bob_ref, _ = await bob.join(bob_html, str(b.base_url) + "/room")
    # Ann's next poll goes to b, which does not hold her session: relayed, and held there
    ann._turn = 1  # the next request goes to b
    held = asyncio.create_task(ann.get())
    await asyncio.sleep(0.3)
    assert not held.done()
    line = {"type": "form", "event": "say", "value": "text=from+bob"}
    await bob.post([bob_ref, bob.ref(), bob_topic, "event", line])
    body = await asyncio.wait_for(held, 10)
    assert body["status"] == 200
    assert any("from bob" in message for message in body["messages"])


async def test_a_session_whose_worker_stopped_is_gone_for_the_other(
    own_workers: tuple[LiveServer, LiveServer],
    own_clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    a, b = own_clients
    lp, _ = await tab(a, b, "a")
    await lp.open()  # on a
    own_workers[0].stop()
    body = await lp.get()  # on b: nobody acknowledges within 2 s
    assert body["status"] == 410
    # the client starts over: a new session, on the worker that answers
    lp._https = [b]
    await lp.open()
    ref = lp.ref()
    assert (await lp.post([None, ref, "phoenix", "heartbeat", {}]))["status"] == 200
    assert (await lp.reply_to(ref))["status"] == "ok"
