"""LiveViews fed through PostgresPubSub: psql, triggers, scripts and the `liveview` command reach
pages; PostgreSQL restarts are survived; connections do not leak.

Pages are driven in-process by `liveview.testing.LiveViewTestClient`; PostgreSQL is real, and
`psql` is the real binary. Tests that restart PostgreSQL, create tables and functions, or count
its connections use a server of their own (`start_private_postgres`).
The `Feed` page and the steps Redis shares are in `feed_pages`.
"""

from __future__ import annotations

import re
import shutil
import sys
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket, PostgresPubSub
from liveview.testing import LiveViewTestClient
from tests.integration.broker_cases import TIMEOUT
from tests.integration.feed_pages import (
    ROOT,
    Feed,
    a_script_reaches_a_page,
    no_connection_leak_after_200_liveviews,
    pages_survive_an_outage,
    run,
    the_publish_command,
    the_publish_command_fails,
    topic,
)
from tests.integration.feed_pages import feed_app as plain_feed_app
from tests.services import PrivatePostgres, find_postgres_binary


class Orders(LiveView):
    """The docs' trigger example: every inserted order shows on every open page."""

    template = "<ul>{% for o in orders %}<li>{{ o.quantity }} {{ o.item }}</li>{% endfor %}</ul>"

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe("orders")
        socket.assign(orders=[])

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if info["type"] == "order":  # gaps go to handle_gap
            socket.assign(orders=[*socket.assigns.orders, info["order"]])


def feed_app(pubsub: PostgresPubSub) -> LiveViewApp:
    return plain_feed_app(pubsub, {"/feed": Feed, "/orders": Orders})


def fresh_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}:"


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


def docs_sql(containing: str) -> str:
    """The ```sql block of docs/pubsub.md that contains `containing`."""
    text = (ROOT / "docs" / "pubsub.md").read_text()
    blocks: list[str] = re.findall(r"```sql\n(.*?)```", text, re.DOTALL)
    (block,) = [b for b in blocks if containing in b]
    return block


# -- outside publishers --------------------------------------------------------------------------


async def test_psql_in_the_documented_format_reaches_a_page(
    start_private_postgres: Callable[[], PrivatePostgres],
) -> None:
    server = start_private_postgres()  # the docs' channel names, on a server of our own
    async with LiveViewTestClient(feed_app(PostgresPubSub(server.dsn))) as client:
        view = await client.live("/feed/counter")
        # As in docs/pubsub.md: pg_notify with a bare message ...
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
    await sql(server.dsn, docs_sql("CREATE TRIGGER orders_notify"))
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
    await sql(server.dsn, docs_sql("FUNCTION liveview_channel"))
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
    prefix = fresh_prefix()
    app = feed_app(PostgresPubSub(postgres_dsn, prefix=prefix))
    await a_script_reaches_a_page(app, PostgresPubSub, postgres_dsn, prefix)


async def test_the_liveview_publish_command_reaches_a_page(postgres_dsn: str) -> None:
    prefix, name = fresh_prefix(), topic()
    pubsub = PostgresPubSub(postgres_dsn, prefix=prefix)
    async with LiveViewTestClient(feed_app(pubsub)) as client:
        view = await client.live(f"/feed/{name}")
        message = '{"text": "from the CLI"}'
        await the_publish_command(name, message, "--postgres", postgres_dsn, "--prefix", prefix)
        await view.wait_for(lambda html: "<li>from the CLI</li>" in html)
        message, env = '{"text": "from the env"}', {"LIVEVIEW_PUBSUB_URL": postgres_dsn}
        await the_publish_command(name, message, "--prefix", prefix, env=env)
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
    await the_publish_command_fails(arguments, code, says)


# -- PostgreSQL restarted --------------------------------------------------------------------------


async def test_pages_survive_a_postgres_restart_and_hear_of_the_gap(
    start_private_postgres: Callable[[], PrivatePostgres],
) -> None:
    server = start_private_postgres()
    app = feed_app(PostgresPubSub(server.dsn))
    outside = PostgresPubSub(server.dsn)  # another process, as far as PostgreSQL can tell
    await pages_survive_an_outage(app, outside, server.stop, server.start, back_within=3.0)


# -- no leaks ------------------------------------------------------------------------------------


async def test_no_connection_leak_after_200_liveviews_subscribe_and_leave(
    start_private_postgres: Callable[[], PrivatePostgres],
) -> None:
    server = start_private_postgres()
    async with await psycopg.AsyncConnection.connect(server.dsn, autocommit=True) as admin:

        async def connections() -> list[tuple[Any, str]]:
            cursor = await admin.execute(
                "SELECT pid, application_name FROM pg_stat_activity "
                "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY pid"
            )
            return [(int(pid), str(name)) for pid, name in await cursor.fetchall()]

        # a backend exits soon after its connection closes, not at once
        await no_connection_leak_after_200_liveviews(
            PostgresPubSub(server.dsn), connections, shutdown_grace=TIMEOUT
        )
