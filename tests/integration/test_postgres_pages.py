"""LiveViews fed through PostgresPubSub: psql, triggers, scripts and the `liveview` command reach
pages; PostgreSQL restarts are survived; connections do not leak.

Pages are driven in-process by `liveview.testing.LiveViewTestClient`; PostgreSQL is real, and
`psql` is the real binary. Tests that restart PostgreSQL, create tables and functions, or count
its connections use a server of their own (`start_private_postgres`).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

from liveview import (
    LiveView,
    LiveViewApp,
    LiveViewSocket,
    PostgresPubSub,
    PubSubGap,
    PubSubUnavailable,
)
from liveview.testing import LiveViewTestClient
from tests.services import PrivatePostgres, find_postgres_binary

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 5.0


class Feed(LiveView):
    """Shows what arrives on the topic named in the URL, and the gap notices it gets."""

    template = """
    <p id="status">{{ status }}</p>
    <ul>{% for text in lines %}<li>{{ text }}</li>{% endfor %}</ul>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(params["topic"])
        socket.assign(lines=[], status="live")

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if isinstance(info, PubSubGap):
            socket.assign(status=f"gap on {info.topic}: reloaded")
        else:
            socket.assign(lines=[*socket.assigns.lines, info["text"]])


class Orders(LiveView):
    """The README's trigger example: every inserted order shows on every open page."""

    template = "<ul>{% for o in orders %}<li>{{ o.quantity }} {{ o.item }}</li>{% endfor %}</ul>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe("orders")
        socket.assign(orders=[])

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if not isinstance(info, PubSubGap) and info["type"] == "order":
            socket.assign(orders=[*socket.assigns.orders, info["order"]])


def feed_app(pubsub: PostgresPubSub) -> LiveViewApp:
    return LiveViewApp(
        routes={"/feed/{topic}": Feed, "/feed": Feed, "/orders": Orders}, secret="s", pubsub=pubsub
    )


def topic() -> str:
    return f"news-{uuid.uuid4().hex[:8]}"


def fresh_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}:"


async def run(*command: str, env: dict[str, str] | None = None) -> str:
    """Run a program to completion; its stdout, or a failure showing its output."""
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=None if env is None else {**os.environ, **env},
    )
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    text = output.decode(errors="replace")
    assert process.returncode == 0, f"{command} exited with {process.returncode}:\n{text}"
    return text


def psql() -> str:
    found = shutil.which("psql")
    if found is None:
        try:
            found = find_postgres_binary("psql")
        except Exception:
            pytest.fail(
                "psql not found: install it (Debian/Ubuntu: `apt-get install postgresql-client`, "
                "which the postgresql package that `scripts/setup --services` installs pulls in)"
            )
    return found


async def sql(dsn: str, statement: str) -> str:
    """Run SQL with the real psql, stopping at the first error."""
    return await run(psql(), dsn, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", statement)


def readme_sql(containing: str) -> str:
    """The README's ```sql block that contains `containing`."""
    blocks: list[str] = re.findall(r"```sql\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    (block,) = [b for b in blocks if containing in b]
    return block


# -- outside publishers --------------------------------------------------------------------------


async def test_psql_in_the_documented_format_reaches_a_page(
    start_private_postgres: Callable[[], PrivatePostgres],
) -> None:
    server = start_private_postgres()  # the README's channel names, on a server of our own
    async with LiveViewTestClient(feed_app(PostgresPubSub(server.dsn))) as client:
        view = await client.live("/feed/counter")
        # As in the README: pg_notify with a bare message ...
        await sql(server.dsn, """SELECT pg_notify('liveview:counter', '{"text": "bare"}')""")
        await view.wait_for(lambda html: "<li>bare</li>" in html)
        # ... NOTIFY with an envelope
        envelope = """'{"topic": "counter", "message": {"text": "wrapped"}}'"""
        await sql(server.dsn, f'NOTIFY "liveview:counter", {envelope}')
        await view.wait_for(lambda html: "<li>wrapped</li>" in html)
        # ... and what is not JSON is dropped, the page lives on
        await sql(server.dsn, "NOTIFY \"liveview:counter\", 'not json'")
        await sql(server.dsn, """SELECT pg_notify('liveview:counter', '{"text": "still here"}')""")
        html = await view.wait_for(lambda html: "<li>still here</li>" in html)
        assert html.count("<li>") == 3


async def test_a_trigger_on_insert_updates_every_open_page(
    start_private_postgres: Callable[[], PrivatePostgres],
) -> None:
    server = start_private_postgres()
    await sql(server.dsn, readme_sql("CREATE TRIGGER orders_notify"))
    one, two = PostgresPubSub(server.dsn), PostgresPubSub(server.dsn)  # two server processes
    async with (
        LiveViewTestClient(feed_app(one)) as first,
        LiveViewTestClient(feed_app(two)) as second,
    ):
        pages = [await first.live("/orders"), await first.live("/orders")]
        pages.append(await second.live("/orders"))
        await sql(server.dsn, "INSERT INTO orders (item, quantity) VALUES ('tea', 2)")
        for page in pages:
            await page.wait_for(lambda html: "<li>2 tea</li>" in html)
        # a rolled-back insert notifies nobody; a committed one after it arrives alone
        await sql(
            server.dsn,
            "BEGIN; INSERT INTO orders (item, quantity) VALUES ('ghost', 1); ROLLBACK;",
        )
        await sql(server.dsn, "INSERT INTO orders (item, quantity) VALUES ('cake', 1)")
        for page in pages:
            html = await page.wait_for(lambda html: "<li>1 cake</li>" in html)
            assert "ghost" not in html
            assert html.count("<li>") == 2


async def test_the_sql_channel_function_and_the_channel_command_name_odd_topics(
    start_private_postgres: Callable[[], PrivatePostgres],
) -> None:
    server = start_private_postgres()
    await sql(server.dsn, readme_sql("FUNCTION liveview_channel"))
    odd = "chat room ü 'quoted'"
    channel = (await run(sys.executable, "-m", "liveview.cli", "channel", odd)).strip()
    assert channel.startswith("liveview:chat_room_") and "#" in channel
    async with LiveViewTestClient(feed_app(PostgresPubSub(server.dsn))) as client:
        view = await client.live(f"/feed?topic={quote(odd)}")
        await sql(server.dsn, f"""SELECT pg_notify('{channel}', '{{"text": "by name"}}')""")
        await view.wait_for(lambda html: "<li>by name</li>" in html)
        statement = """SELECT pg_notify(liveview_channel($$chat room ü 'quoted'$$), '{"text": "by function"}')"""  # noqa: E501
        await sql(server.dsn, statement)
        await view.wait_for(lambda html: "<li>by function</li>" in html)


async def test_a_python_script_publishing_with_postgres_pubsub_reaches_a_page(
    postgres_dsn: str,
) -> None:
    prefix, name = fresh_prefix(), topic()
    script = (
        "import asyncio, sys\n"
        "from liveview import PostgresPubSub\n"
        "async def main():\n"
        "    async with PostgresPubSub(sys.argv[1], channel_prefix=sys.argv[2]) as pubsub:\n"
        "        await pubsub.publish(sys.argv[3], {'text': 'from a script'})\n"
        "asyncio.run(main())\n"
    )
    pubsub = PostgresPubSub(postgres_dsn, channel_prefix=prefix)
    async with LiveViewTestClient(feed_app(pubsub)) as client:
        view = await client.live(f"/feed/{name}")
        await run(sys.executable, "-c", script, postgres_dsn, prefix, name)
        await view.wait_for(lambda html: "<li>from a script</li>" in html)


async def test_the_liveview_publish_command_reaches_a_page(postgres_dsn: str) -> None:
    prefix, name = fresh_prefix(), topic()
    pubsub = PostgresPubSub(postgres_dsn, channel_prefix=prefix)
    async with LiveViewTestClient(feed_app(pubsub)) as client:
        view = await client.live(f"/feed/{name}")
        await run(
            sys.executable, "-m", "liveview.cli", "publish", name, '{"text": "from the CLI"}',
            "--postgres", postgres_dsn, "--prefix", prefix,
        )  # fmt: skip
        await view.wait_for(lambda html: "<li>from the CLI</li>" in html)
        await run(
            sys.executable, "-m", "liveview.cli", "publish", name, '{"text": "from the env"}',
            "--prefix", prefix, env={"LIVEVIEW_PUBSUB_URL": postgres_dsn},
        )  # fmt: skip
        await view.wait_for(lambda html: "<li>from the env</li>" in html)


@pytest.mark.parametrize(
    ("arguments", "code", "says"),
    [
        (["t", "{not json", "--postgres", "postgresql://127.0.0.1:1/x"], 2, "not JSON"),
        (["t", "1", "--postgres", "postgresql://127.0.0.1:1/x"], 1, "cannot reach PostgreSQL at"),
        (["t", "1", "--postgres", "nonsense"], 2, "not a PostgreSQL DSN"),
        (
            ["t", "1", "--postgres", "postgresql://h/x", "--prefix", "bad prefix"],
            2,
            "channel prefix",
        ),
        (["t", '{"p": "' + "x" * 8000 + '"}', "--postgres", "{dsn}"], 2, "under 8000 bytes"),
    ],
)
async def test_the_liveview_publish_command_explains_failures(
    arguments: list[str],
    code: int,
    says: str,
    postgres_dsn: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LIVEVIEW_PUBSUB_URL", raising=False)
    arguments = [a.replace("{dsn}", postgres_dsn) for a in arguments]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "liveview.cli", "publish", *arguments,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, errors = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == code, errors.decode()
    assert says in errors.decode()
    assert "Traceback" not in errors.decode()


# -- PostgreSQL restarted --------------------------------------------------------------------------


async def test_pages_survive_a_postgres_restart_and_hear_of_the_gap(
    start_private_postgres: Callable[[], PrivatePostgres],
) -> None:
    server = start_private_postgres()
    app = feed_app(PostgresPubSub(server.dsn))
    outside = PostgresPubSub(server.dsn)  # another process, as far as PostgreSQL can tell
    async with LiveViewTestClient(app) as client, outside:
        view = await client.live("/feed/news")
        await outside.publish("news", {"text": "one"})
        await view.wait_for(lambda html: "<li>one</li>" in html)

        server.stop()
        await asyncio.sleep(0.1)  # the event loop sees the connections close
        for publisher in (outside, app.pubsub):
            began = time.monotonic()
            with pytest.raises(PubSubUnavailable):
                await publisher.publish("news", {"text": "lost"})
            assert time.monotonic() - began < 2.0
        # pages are still served and joined meanwhile; their subscriptions wait for PostgreSQL
        assert (await client.get("/feed/news")).status_code == 200
        later = await client.live("/feed/news")
        assert 'id="status">live<' in later.html.replace("\n", "")

        await asyncio.sleep(1.5)  # long enough for the reconnection to back off fully
        server.start()
        back = time.monotonic()
        for page in (view, later):
            await page.wait_for(lambda html: "gap on news: reloaded" in html, timeout=3.0)
        assert time.monotonic() - back < 3.0

        deadline = time.monotonic() + TIMEOUT
        while True:  # the publisher's connection comes back on its next publish
            try:
                await outside.publish("news", {"text": "two"})
                break
            except PubSubUnavailable:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
        for page in (view, later):
            await page.wait_for(lambda html: "<li>two</li>" in html)
        assert "lost" not in view.html


# -- no leaks ------------------------------------------------------------------------------------


async def test_no_connection_leak_after_200_liveviews_subscribe_and_leave(
    start_private_postgres: Callable[[], PrivatePostgres],
) -> None:
    server = start_private_postgres()
    pubsub = PostgresPubSub(server.dsn)
    async with await psycopg.AsyncConnection.connect(server.dsn, autocommit=True) as admin:

        async def others() -> list[tuple[int, str]]:
            cursor = await admin.execute(
                "SELECT pid, application_name FROM pg_stat_activity "
                "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY pid"
            )
            return [(int(pid), str(name)) for pid, name in await cursor.fetchall()]

        async with LiveViewTestClient(feed_app(pubsub)) as client:
            before = await others()
            assert sorted(name for _, name in before) == ["liveview-listen", "liveview-publish"]
            views = [await client.live(f"/feed/topic-{n % 50}") for n in range(200)]
            assert pubsub.subscription_count == 200
            await pubsub.publish("topic-7", {"text": "to four"})
            for n in (7, 57, 107, 157):
                await views[n].wait_for(lambda html: "<li>to four</li>" in html)
            assert await others() == before

            for view in views:
                await view.leave()
            deadline = time.monotonic() + TIMEOUT
            while pubsub.subscription_count:
                assert time.monotonic() < deadline, "subscriptions left behind"
                await asyncio.sleep(0.02)
            assert await others() == before  # the same two connections
        deadline = time.monotonic() + TIMEOUT
        while await others():  # and none once the app has shut down (backends exit at once)
            assert time.monotonic() < deadline, f"connections left behind: {await others()}"
            await asyncio.sleep(0.02)
