"""The pub/sub backend pages through `liveview.testing`, in one process: the in-process page fed
by its background task, the broker pages explaining how to start the gallery on their broker,
and what a page lists for messages of any shape. A real `redis-cli` / `psql` publishing to the
broker pages is in tests/integration/test_publisher_pages.py."""

from __future__ import annotations

import html as html_lib
import re
import subprocess
from collections.abc import AsyncIterator

import pytest

from liveview import LiveViewApp, SingleProcessPubSub
from liveview.gallery import publishers
from liveview.gallery.publishers import (
    InProcessFeed,
    PostgresFeed,
    RedisFeed,
    double_quoted,
    sql_string,
)
from liveview.pubsub.messages import JSONLike
from liveview.testing import LiveViewTestClient

ROUTES = {
    "/pubsub/in-process": InProcessFeed,
    "/pubsub/redis": RedisFeed,
    "/pubsub/postgres": PostgresFeed,
}


@pytest.fixture
def pubsub() -> SingleProcessPubSub:
    return SingleProcessPubSub()


@pytest.fixture
async def client(
    monkeypatch: pytest.MonkeyPatch, pubsub: SingleProcessPubSub
) -> AsyncIterator[LiveViewTestClient]:
    monkeypatch.setattr(publishers, "TASK_INTERVAL", 0.01)
    app = LiveViewApp(routes=ROUTES, secret="s", pubsub=pubsub)
    async with LiveViewTestClient(app) as client:
        yield client


def listed(html: str) -> list[str]:
    """The messages a page lists, as text a reader sees."""
    items = re.findall(r'<li id="message-\d+">(.*?)</li>', html, re.DOTALL)
    return [html_lib.unescape(" ".join(re.sub("<[^>]+>", "", item).split())) for item in items]


async def test_the_background_task_reaches_every_tab(client: LiveViewTestClient) -> None:
    one = await client.live("/pubsub/in-process")
    two = await client.live("/pubsub/in-process")
    assert '<p id="no-messages" class="muted">Nothing yet.</p>' in one.html
    assert 'id="on-broker"' not in one.html  # on SingleProcessPubSub: nothing to add
    await one.form("form#publish", {"text": " <b>hi</b> "}).submit()
    expected = [f"<b>hi</b> ({n} of 3) from a task" for n in (3, 2, 1)]  # the newest first
    await two.wait_for(lambda html: len(listed(html)) == 3)
    await one.wait_for(lambda html: len(listed(html)) == 3)
    assert listed(one.html) == listed(two.html) == expected
    assert "<b>hi</b>" not in one.html  # escaped, as any value


async def test_an_empty_message_is_refused(client: LiveViewTestClient) -> None:
    view = await client.live("/pubsub/in-process")
    html = await view.form("form#publish", {"text": "   "}).submit()
    assert '<p id="notice" class="notice" role="status">Write a message to publish.</p>' in html
    html = await view.submit("publish", {})  # forged: no text field (the form always has one)
    assert "Write a message to publish." in html


async def test_messages_of_any_shape_are_listed_newest_first_and_kept_short(
    client: LiveViewTestClient, pubsub: SingleProcessPubSub
) -> None:
    view = await client.live("/pubsub/in-process")
    messages: list[JSONLike] = [{"text": "plain"}, [1, "two"], {"count": 5}, "a string", None]
    for message in messages:
        await pubsub.publish("feed:in-process", message)
    await view.wait_for(lambda html: len(listed(html)) == 5)
    assert listed(view.html) == ["null", '"a string"', '{"count": 5}', '[1, "two"]', "plain"]
    await pubsub.publish("feed:in-process", {"text": "x" * 100_000, "from": "y" * 1000})
    html = await view.wait_for(lambda html: len(listed(html)) == 6)
    assert listed(html)[0] == "x" * 299 + "… from " + "y" * 299 + "…"  # cut short
    for n in range(30):
        await pubsub.publish("feed:in-process", {"text": f"m{n}"})
    html = await view.wait_for(lambda html: "m29" in html)
    assert len(listed(html)) == publishers.KEPT and listed(html)[-1] == "m10"


@pytest.mark.parametrize(
    ("path", "start"),
    [
        ("/pubsub/redis", "LIVEVIEW_PUBSUB_URL=redis://127.0.0.1:6379/0 liveview gallery"),
        ("/pubsub/postgres", "LIVEVIEW_PUBSUB_URL=postgresql://postgres@127.0.0.1/postgres"),
    ],
)
async def test_a_broker_page_on_another_backend_says_how_to_start_on_its_broker(
    client: LiveViewTestClient, path: str, start: str
) -> None:
    view = await client.live(path)
    assert 'id="not-served"' in view.html and "<code>SingleProcessPubSub</code>" in view.html
    assert start in view.html
    assert 'id="command"' not in view.html and 'id="received-heading"' not in view.html


def test_shell_and_sql_quoting_survive_a_shell() -> None:
    nasty = """it's "$HOME" `x` \\ done"""
    echoed = subprocess.run(
        ["sh", "-c", "printf %s " + double_quoted(nasty)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert echoed.stdout == nasty
    assert sql_string("it's") == "'it''s'"


async def test_clicks_beyond_the_running_tasks_cap_wait(
    client: LiveViewTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publishers, "TASK_INTERVAL", 60)  # the tasks keep running
    monkeypatch.setattr(publishers, "MAX_TASKS", 2)
    view = await client.live("/pubsub/in-process")
    await view.form("form#publish", {"text": "a"}).submit()
    await view.form("form#publish", {"text": "b"}).submit()
    html = await view.form("form#publish", {"text": "c"}).submit()
    assert "Many tasks are publishing already: try again in a second." in html
    for task in list(publishers._tasks):
        task.cancel()
