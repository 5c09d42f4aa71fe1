"""One page per pub/sub backend, each fed by a publisher that is not a LiveView.

Each page subscribes to its own topic and lists what arrives there. What differs is who can
publish:

- `InProcessFeed`: with `SingleProcessPubSub` the subscriptions live in this server's memory,
  so only code in this process can reach them: here a background task the page starts, which
  knows nothing of LiveViews (a cron-like job, a queue consumer in the app, ...). It works on
  every backend, since the app's pub/sub always reaches its own process.
- `RedisFeed`: any program that can talk to the same Redis, e.g. `redis-cli PUBLISH`, with the
  wire format of `liveview.pubsub.wire`: the channel is the prefix and the topic, the payload the
  message as JSON.
- `PostgresFeed`: any program connected to the same PostgreSQL, e.g. `psql` running
  `SELECT pg_notify(channel, json)`.

The Redis and PostgreSQL pages show the exact command for the server they run on (password
hidden), and only when the app runs on that backend; otherwise they say how to start it so.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shlex
from typing import Any, ClassVar
from urllib.parse import urlsplit

from liveview import (
    LiveView,
    LiveViewSocket,
    PostgresPubSub,
    PubSub,
    PubSubUnavailable,
    RedisPubSub,
)
from liveview.gallery.example import Example
from liveview.pubsub.redis import redact as redact_redis_url

KEPT = 20
"""Messages a page lists (the newest first)."""
SHOWN = 300
"""Characters of a message a page shows; the rest of a longer one is cut."""
TASK_MESSAGES = 3
"""Messages one click on the in-process page's button publishes, `TASK_INTERVAL` apart."""
TASK_INTERVAL = 1.0
MAX_TASKS = 20
"""Background publishers running at once, for every page of the process: more clicks wait."""

_tasks: set[asyncio.Task[None]] = set()  # background publishers running (a reference each)


def entry(number: int, message: Any) -> dict[str, Any]:
    """A received message as the page lists it: the `text` of `{"text": ...}`, or the JSON;
    cut to `SHOWN` characters (anyone who can reach the broker can publish)."""
    if isinstance(message, dict) and isinstance(message.get("text"), str):
        source = message.get("from")
        return {
            "n": number,
            "text": cut(message["text"]),
            "source": cut(str(source)) if source else "",
        }
    return {"n": number, "json": cut(json.dumps(message, ensure_ascii=False)), "source": ""}


def cut(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


class Feed(LiveView):
    """What the three pages share: subscribe to `topic`, list what arrives there."""

    topic: ClassVar[str]
    title: ClassVar[str]
    FEED = """
    <section aria-labelledby="received-heading" aria-live="polite">
      <h2 id="received-heading">Received on topic <code>{{ topic }}</code></h2>
      {% if gap %}<p id="gap" class="notice" role="status">The connection to the broker was lost
        and is back: messages published meanwhile may be missing.</p>{% endif %}
      {% if messages %}
      <ul id="messages">
        {% for m in messages %}
        <li id="message-{{ m.n }}">{% if m.text is defined %}{{ m.text }}{% else %}
          <code>{{ m.json }}</code>{% endif %}
          {%- if m.source %} <small class="muted">from {{ m.source }}</small>{% endif %}</li>
        {% endfor %}
      </ul>
      {% else %}
      <p id="no-messages" class="muted">Nothing yet.</p>
      {% endif %}
    </section>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.page_title = self.title
        socket.assign(
            topic=self.topic,
            backend=type(socket.pubsub).__name__,
            messages=[],
            received=0,
            gap=False,
            notice="",
        )
        if self.serves(socket.pubsub):
            await socket.subscribe(self.topic)

    def serves(self, pubsub: PubSub) -> bool:
        """Whether this page's publisher can reach the app's backend."""
        return True

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        received = socket.assigns.received + 1
        messages = [entry(received, info), *socket.assigns.messages][:KEPT]
        socket.assign(received=received, messages=messages)

    async def handle_gap(self, topic: str | None, socket: LiveViewSocket) -> None:
        socket.assign(gap=True)  # nothing to reload: what was published meanwhile is gone


async def publish_from_a_task(pubsub: PubSub, topic: str, text: str, count: int) -> None:
    """A publisher that is not a LiveView: `count` messages, `TASK_INTERVAL` seconds apart."""
    for n in range(1, count + 1):
        # the broker is away: this one is lost, the next may go through
        with contextlib.suppress(PubSubUnavailable):
            await pubsub.publish(topic, {"text": f"{text} ({n} of {count})", "from": "a task"})
        if n < count:
            await asyncio.sleep(TASK_INTERVAL)


class InProcessFeed(Feed):
    topic = "feed:in-process"
    title = "In-process pub/sub"
    template = (
        """
    <h1>In-process pub/sub</h1>
    <p><code>SingleProcessPubSub</code> (the default backend) keeps subscriptions in this server's
      memory, so only code running in this process can publish to them: a background task, a
      queue consumer, an admin endpoint of the app. <code>liveview publish</code> and other
      programs run in processes of their own and cannot reach it; for them, run the app on
      <a href="/pubsub/redis">Redis</a> or <a href="/pubsub/postgres">PostgreSQL</a>.</p>
    {% if backend != "SingleProcessPubSub" %}<p id="on-broker">This gallery runs on
      <code>{{ backend }}</code>: the task below publishes through it, and programs outside
      can reach this process too.</p>{% endif %}
    <form id="publish" phx-submit="publish">
      <label for="text">Message</label>
      <input id="text" name="text" value="hello" maxlength="200" autocomplete="off">
      <button id="start" type="submit" phx-disable-with="Starting…">Publish {{ count }} messages
        from a background task</button>
    </form>
    {% if notice %}<p id="notice" class="notice" role="status">{{ notice }}</p>{% endif %}
    <p>The task is plain Python, given the app's pub/sub (<code>app.pubsub</code>, or
      <code>socket.pubsub</code> here): it knows nothing of LiveViews.</p>
    <pre><code>async def publish_from_a_task(pubsub, topic, text, count):
    for n in range(1, count + 1):
        await pubsub.publish(topic, {"text": f"{text} ({n} of {count})", "from": "a task"})
        await asyncio.sleep(1)

asyncio.create_task(
    publish_from_a_task(app.pubsub, "{{ topic }}", "hello", {{ count }})
)</code></pre>
    """
        + Feed.FEED
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await super().mount(socket, session, params)
        socket.assign(count=TASK_MESSAGES)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "publish":
            text = str(payload.get("text", "")).strip()[:200]
            if not text:
                socket.assign(notice="Write a message to publish.")
                return
            if len(_tasks) >= MAX_TASKS:
                socket.assign(notice="Many tasks are publishing already: try again in a second.")
                return
            task = asyncio.create_task(
                publish_from_a_task(socket.pubsub, self.topic, text, TASK_MESSAGES)
            )
            _tasks.add(task)  # kept until done: the loop holds tasks only weakly
            task.add_done_callback(_tasks.discard)
            socket.assign(notice="")
        else:
            await super().handle_event(event, payload, socket)


def shell_json(message: Any) -> str:
    return json.dumps(message, ensure_ascii=False)


class RedisFeed(Feed):
    topic = "feed:redis"
    title = "Redis: publish from redis-cli"
    template = (
        """
    <h1>Redis: publish from <code>redis-cli</code></h1>
    {% if not on_backend %}
    <p id="not-served" class="notice">This gallery runs on <code>{{ backend }}</code>, not on
      Redis, so no program outside it can publish to this page. Start it on Redis (two servers
      on two ports sharing one Redis work too):</p>
    <pre><code>LIVEVIEW_PUBSUB_URL=redis://127.0.0.1:6379/0 liveview gallery</code></pre>
    {% else %}
    <p>Run this in a terminal: every tab of this page, served by any process sharing this
      Redis, lists the message.</p>
    <pre class="command"><code id="command">{{ command }}</code></pre>
    {% if "***" in command %}<p>(Put the password in place of <code>***</code>: it is not shown
      here.)</p>{% endif %}
    <p>The channel is the prefix and the topic (<code>{{ channel }}</code>); the payload is the
      message as JSON, which <code>handle_info</code> receives as it was written. The same with
      the <code>liveview</code> command, or with the envelope RedisPubSub itself sends:</p>
    <pre class="command"><code id="liveview-command">{{ liveview_command }}</code></pre>
    <pre class="command"><code id="envelope-command">{{ envelope_command }}</code></pre>
    <p>A payload that is not JSON (<code>PUBLISH {{ channel }} hello</code>) is logged by the
      server and dropped: this page keeps working.</p>
    {% endif %}
    """
        + "{% if on_backend %}"
        + Feed.FEED
        + "{% endif %}"
    )

    def serves(self, pubsub: PubSub) -> bool:
        return isinstance(pubsub, RedisPubSub)

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await super().mount(socket, session, params)
        pubsub = socket.pubsub
        socket.assign(on_backend=isinstance(pubsub, RedisPubSub))
        if isinstance(pubsub, RedisPubSub):
            url = redact_redis_url(pubsub.url)
            channel = pubsub.prefix + self.topic
            message = {"text": "hello from redis-cli"}
            envelope = {"topic": self.topic, "message": {"text": "hello in an envelope"}}
            socket.assign(
                channel=channel,
                command=shlex.join([*redis_cli(url), "PUBLISH", channel, shell_json(message)]),
                envelope_command=shlex.join(
                    [*redis_cli(url), "PUBLISH", channel, shell_json(envelope)]
                ),
                liveview_command=shlex.join(
                    [
                        "liveview",
                        "publish",
                        self.topic,
                        shell_json({"text": "hello"}),
                        "--redis",
                        url,
                    ]
                    + (["--prefix", pubsub.prefix] if pubsub.prefix != "liveview:" else [])
                ),
            )


def redis_cli(url: str) -> list[str]:
    """`redis-cli` with the options that reach the server of `url`."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return ["redis-cli", "-s", parts.path]
    return ["redis-cli", "-u", url]


class PostgresFeed(Feed):
    topic = "feed:postgres"
    title = "PostgreSQL: publish from psql"
    template = (
        """
    <h1>PostgreSQL: publish from <code>psql</code></h1>
    {% if not on_backend %}
    <p id="not-served" class="notice">This gallery runs on <code>{{ backend }}</code>, not on
      PostgreSQL, so no program outside it can publish to this page. Start it on PostgreSQL
      (two servers on two ports sharing one database work too):</p>
    <pre><code>LIVEVIEW_PUBSUB_URL=postgresql://postgres@127.0.0.1/postgres \\
    liveview gallery</code></pre>
    {% else %}
    <p>Run this in a terminal: every tab of this page, served by any process listening on
      this database, lists the message. A trigger calling the same
      <code>pg_notify</code> makes a table's new rows show up here.</p>
    <pre class="command"><code id="command">{{ command }}</code></pre>
    {% if password_hidden %}<p>(Add the database's password: it is not shown here.)</p>
    {% endif %}
    <p>The channel is the prefix and the topic (<code>{{ channel }}</code>; topics with other
      characters are mapped, <code>liveview channel TOPIC</code> prints the name); the payload is
      the message as JSON, which <code>handle_info</code> receives as it was written, up to
      8000 bytes. The same with the <code>liveview</code> command:</p>
    <pre class="command"><code id="liveview-command">{{ liveview_command }}</code></pre>
    <p>A payload that is not JSON is logged by the server and dropped: this page keeps
      working.</p>
    {% endif %}
    """
        + "{% if on_backend %}"
        + Feed.FEED
        + "{% endif %}"
    )

    def serves(self, pubsub: PubSub) -> bool:
        return isinstance(pubsub, PostgresPubSub)

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await super().mount(socket, session, params)
        pubsub = socket.pubsub
        socket.assign(on_backend=isinstance(pubsub, PostgresPubSub))
        if isinstance(pubsub, PostgresPubSub):
            dsn, hidden = redact_dsn(pubsub.dsn)
            channel = pubsub.channel(self.topic)
            message = shell_json({"text": "hello from psql"})
            sql = f"SELECT pg_notify({sql_string(channel)}, {sql_string(message)})"
            socket.assign(
                channel=channel,
                password_hidden=hidden,
                # double quotes around the SQL: its string literals are in single quotes
                command=" ".join(["psql", *([shlex.quote(dsn)] if dsn else []), "-c"])
                + f" {double_quoted(sql)}",
                liveview_command=shlex.join(
                    ["liveview", "publish", self.topic, shell_json({"text": "hello"})]
                    + (["--postgres", dsn] if dsn else [])
                    + (["--prefix", pubsub.prefix] if pubsub.prefix != "liveview:" else [])
                ),
            )


def sql_string(text: str) -> str:
    """`text` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def double_quoted(text: str) -> str:
    """`text` in double quotes for a POSIX shell (`\\`, `"`, `$` and a backquote escaped)."""
    escaped = "".join("\\" + c if c in '\\"$`' else c for c in text)
    return f'"{escaped}"'


def redact_dsn(dsn: str) -> tuple[str, bool]:
    """Where the DSN points, as a URL without its password (`""`: libpq's defaults, the `PG*`
    variables), and whether it had a password."""
    if not dsn:
        return "", False
    from psycopg.conninfo import conninfo_to_dict  # installed: the app runs PostgresPubSub

    from liveview.pubsub.postgres import redact

    return redact(dsn), bool(conninfo_to_dict(dsn).get("password"))


CSS = """<style>
pre.command { white-space: pre-wrap; overflow-wrap: anywhere; }
</style>"""
"""Commands wrap rather than scroll: a reader sees all of one before copying it."""

EXAMPLES = [
    Example(
        "/pubsub/in-process",
        InProcessFeed,
        title="In-process pub/sub",
        description="A background task in the server publishes; every tab lists it.",
        hint="Open this page in a second window, then publish: both windows list the three "
        "messages the task sends, a second apart.",
        section="Pub/sub backends",
        order=10,
        multiplayer=True,
    ),
    Example(
        "/pubsub/redis",
        RedisFeed,
        title="Redis pub/sub",
        description="redis-cli PUBLISH, from any shell, reaches the page.",
        hint="Run the redis-cli command shown in a terminal: the message appears here, and in "
        "every window of this page on any server sharing the Redis.",
        section="Pub/sub backends",
        order=20,
        multiplayer=True,
        head=CSS,
    ),
    Example(
        "/pubsub/postgres",
        PostgresFeed,
        title="PostgreSQL pub/sub",
        description="psql's pg_notify, from any shell or a trigger, reaches the page.",
        hint="Run the psql command shown in a terminal: the message appears here, and in every "
        "window of this page on any server listening on the database.",
        section="Pub/sub backends",
        order=30,
        multiplayer=True,
        head=CSS,
    ),
]
