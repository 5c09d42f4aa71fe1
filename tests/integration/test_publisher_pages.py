"""The gallery's Redis and PostgreSQL pages, on their brokers: every command a page shows, run
as shown by a shell (`redis-cli`, `psql`, `liveview publish`), reaches that page.

The pages are driven in-process by `liveview.testing`; the brokers are the shared test servers,
with a prefix of this test's own so concurrent runs do not meet."""

from __future__ import annotations

import html
import os
import re
import shutil
import sys
import uuid
from pathlib import Path

from liveview import LiveViewApp, PostgresPubSub, RedisPubSub
from liveview.gallery.publishers import InProcessFeed, PostgresFeed, RedisFeed
from liveview.testing import LiveViewTest, LiveViewTestClient
from tests.integration.feed_pages import run
from tests.services import find_postgres_binary


def shown(view: LiveViewTest, element_id: str) -> str:
    """The text of `<code id=...>` on the page, as a reader copies it."""
    found = re.search(rf'<code id="{element_id}">(.*?)</code>', view.html, re.DOTALL)
    assert found is not None, view.html
    return html.unescape(found[1])


async def run_in_a_shell(command: str, *tools: str) -> None:
    """`command` through `sh -c`, with the folders of `tools` and of `liveview` on PATH."""
    folders = [str(Path(tool).parent) for tool in tools] + [str(Path(sys.executable).parent)]
    path = os.pathsep.join([*folders, os.environ.get("PATH", "")])
    await run("sh", "-c", command, env={"PATH": path})


def texts(view: LiveViewTest) -> list[str]:
    """The texts the page lists, the newest first."""
    return [text.strip() for text in re.findall(r'<li id="message-\d+">([^<]*)', view.html)]


async def publish_as_shown(view: LiveViewTest, element_id: str, tool: str) -> str:
    """Run the command the page shows in `<code id=element_id>`; the text the page then lists."""
    count = len(texts(view))
    await run_in_a_shell(shown(view, element_id), tool)
    await view.wait_for(lambda _: len(texts(view)) == count + 1)
    return texts(view)[0]


async def test_redis_cli_and_liveview_publish_as_shown_reach_the_page(redis_url: str) -> None:
    cli = shutil.which("redis-cli")
    assert cli is not None, "redis-cli not found: `apt-get install redis-tools`"
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    pubsub = RedisPubSub(redis_url, prefix=prefix)
    async with LiveViewTestClient(
        LiveViewApp(routes={"/pubsub/redis": RedisFeed}, secret="s", pubsub=pubsub)
    ) as client:
        view = await client.live("/pubsub/redis")
        command = shown(view, "command")
        message = """'{"text": "hello from redis-cli"}'"""
        assert command == f"redis-cli -u {redis_url} PUBLISH {prefix}feed:redis {message}"
        assert f"--prefix {prefix}" in shown(view, "liveview-command")
        assert await publish_as_shown(view, "command", cli) == "hello from redis-cli"
        assert await publish_as_shown(view, "envelope-command", cli) == "hello in an envelope"
        assert await publish_as_shown(view, "liveview-command", cli) == "hello"


async def test_the_in_process_page_on_a_broker_says_so(redis_url: str) -> None:
    pubsub = RedisPubSub(redis_url, prefix=f"test-{uuid.uuid4().hex[:8]}:")
    app = LiveViewApp(routes={"/pubsub/in-process": InProcessFeed}, secret="s", pubsub=pubsub)
    async with LiveViewTestClient(app) as client:
        view = await client.live("/pubsub/in-process")
        assert "This gallery runs on\n      <code>RedisPubSub</code>" in view.html
        await view.submit("publish", {"text": "over redis"})
        await view.wait_for(lambda _: bool(texts(view)) and texts(view)[0] == "over redis (1 of 3)")


async def test_psql_and_liveview_publish_as_shown_reach_the_page(postgres_dsn: str) -> None:
    psql = find_postgres_binary("psql")
    prefix = f"test_{uuid.uuid4().hex[:8]}:"
    pubsub = PostgresPubSub(postgres_dsn, prefix=prefix)
    async with LiveViewTestClient(
        LiveViewApp(routes={"/pubsub/postgres": PostgresFeed}, secret="s", pubsub=pubsub)
    ) as client:
        view = await client.live("/pubsub/postgres")
        command = shown(view, "command")
        assert command.startswith("psql postgresql://") and "pg_notify" in command
        assert f"'{prefix}feed:postgres'" in command
        assert await publish_as_shown(view, "command", psql) == "hello from psql"
        assert await publish_as_shown(view, "liveview-command", psql) == "hello"
