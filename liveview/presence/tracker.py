"""Presence: who is on a topic, replicated between nodes over any `PubSub` backend.

A node is one `Presence` on one started pub/sub instance (one server process, usually). Each
node is the only writer of its own presences; every node keeps a replica of every other node's,
and the union is what `list` returns and what `presence_diff` messages describe. Nothing is
stored on the broker: it only carries messages (`liveview.presence.wire`), so the same code runs
on Redis, on PostgreSQL's LISTEN/NOTIFY and in one process.

Design
------
- **Deltas.** A node's changes (track, untrack, update) are gathered for `broadcast_period`
  (50 ms) and published as one delta to every node, tagged with the node's clock before and
  after (`prev`, `clock`: a counter of its deltas, per node incarnation). A replica applies a
  delta only when its clock equals `prev`; otherwise it asks for a full sync.
- **Full syncs.** A node asks for the state of every node when it starts and when its broker
  connection comes back (`PubSubGap`), and of one node when that node's heartbeat shows a
  clock its replica does not have. States go to the asker's own topic, split in parts that fit
  the broker (PostgreSQL: under 8000 bytes); the asker replaces its replica with a complete
  state and applies the deltas it held back meanwhile. Joins and leaves are idempotent (a ref
  added twice is one presence; a ref removed twice is gone), so a state and a delta that
  overlap never duplicate anything.
- **Heartbeats.** Every `heartbeat_interval` (1 s) a node publishes its clock. A node not heard
  from for `node_timeout` (5 s) is dead: its presences are removed here and a `leaves` diff
  is delivered. Every node decides this alone from its own clock (`time.monotonic`); no clocks
  are compared between hosts. A closing node says `bye`, so a clean shutdown is seen at once.
- **Ids.** A node's id is new at every start, and every presence has a unique `phx_ref`, so a
  restarted process is a new node: what its previous life tracked expires with the old id.
- **Diffs.** Changes from every node are gathered per topic and delivered to this process's
  subscribers of the topic every `broadcast_period`, as one `presence_diff`: a page renders
  once for many joins. Delivery is local (each node tells its own subscribers), so a message
  is never seen twice.

Failure cases
-------------
- *A node is killed (SIGKILL, power loss)*: its heartbeats stop; everyone removes its presences
  within `node_timeout` plus one heartbeat interval (6 s by default) and sends the leaves.
- *A node is cut from the broker (network cut, broker unreachable from it)*: the others remove
  it as if killed; it removes them too (it hears no heartbeats), so its pages show only its own
  presences. When the connection is back, it asks everyone for their state and its heartbeat
  makes everyone ask for its own: within about a heartbeat everybody has everybody again, once.
- *The broker restarts*: every node is cut at once; those back within `node_timeout` keep
  their replicas and repair them by full sync; the rest are removed and come back as above.
- *A message is lost* (a delta published while the broker was away): the next heartbeat shows a
  clock the replica lacks, and a full sync of that node repairs it.
- *A slow event loop* (more than `node_timeout` without running the heartbeat) makes others
  drop this node's presences until its next heartbeat; keep `node_timeout` several heartbeats.

Cost on the broker
------------------
Per node: one heartbeat per `heartbeat_interval` (about 150 bytes), received by every other
node, so N nodes carry N heartbeats a second and each receives N - 1. Per presence: one entry
(its meta plus about 60 bytes) in a delta on track, one ref on untrack, both on update; deltas
of one broadcast period share a message. A node that starts or reconnects gets every other
node's state once (all their presences). Each node subscribes to two topics. A node starts at
its first `track` or `list`: until then (an app that does not use presence) it costs nothing,
and the first `list` shows other nodes' presences as their states arrive (as diffs).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import time
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from liveview.presence import wire
from liveview.presence.state import Index, Listing, Meta
from liveview.pubsub import (
    MessageTooLarge,
    PostgresPubSub,
    PubSub,
    PubSubGap,
    PubSubUnavailable,
    SingleProcessPubSub,
)
from liveview.pubsub.ids import unique_id
from liveview.pubsub.messages import check_topic, to_json_value, type_name
from liveview.pubsub.postgres import MAX_PAYLOAD_BYTES
from liveview.session import SECRET_ENV

logger = logging.getLogger("liveview.presence")

DEFAULT_NAMESPACE = "liveview"
APP = "app"
"""The owner of presences tracked outside any LiveView (`app.presence.track`)."""

_CHUNK_BYTES = 60_000
"""Entries per message on brokers without a size limit: bounded, so one big state does not
hold up a connection."""
_MAX_HELD = 1000
"""Deltas of one node held back while its full sync is awaited."""
_ENVELOPE_BYTES = 600
"""Room kept in each message for the envelope and replication fields."""

Entries = list[Any]
Refs = list[str]
Chunk = tuple[Entries, Refs]
Chunks = list[Chunk]

_ATTRIBUTE = "_liveview_presence"
"""Where a pub/sub instance holds its Presence (an attribute: a weak mapping would be kept
alive by the presence's own reference to the pub/sub)."""


def presence_of(pubsub: PubSub, namespace: str = DEFAULT_NAMESPACE) -> Presence:
    """The `Presence` of a pub/sub instance: the one made for it, else a new one with
    defaults (and `namespace`)."""
    presence: Presence | None = getattr(pubsub, _ATTRIBUTE, None)
    if presence is None:
        presence = Presence(pubsub, namespace=namespace)
    return presence


def namespace_for(secret: str | Sequence[str] | None) -> str:
    """The namespace of an app's presences: from its secret when it has one (argument or
    `LIVEVIEW_SECRET`; of a list, the first, which signs), so apps sharing a broker and prefix
    keep theirs apart; else the default, shared by every app without a secret on the broker."""
    first = secret if isinstance(secret, str) or secret is None else next(iter(secret), None)
    signing = first or os.environ.get(SECRET_ENV)
    if not signing:
        return DEFAULT_NAMESPACE
    return "app-" + hashlib.sha256(b"liveview.presence:" + signing.encode()).hexdigest()[:16]


class _Replica:
    """What this node knows of another node."""

    __slots__ = ("asked", "clock", "held", "parts", "refs", "seen", "sync")

    def __init__(self, now: float) -> None:
        self.clock = -1  # -1: unknown until a full sync (or a heartbeat at clock 0)
        self.refs: set[str] = set()
        self.seen = now
        self.asked = 0.0  # when a full sync was last asked for
        self.held: list[dict[str, Any]] = []  # deltas received while waiting for a sync
        self.sync: str | None = None
        self.parts: dict[int, list[Any]] = {}


class Presence:
    """Track who is on which topic; list them; tell subscribers what changed.

    One per pub/sub instance: making one registers it as the instance's (for sockets and
    `app.presence`), so configure it before the app starts. On a broker backend, `namespace`
    keeps apps that share a broker and prefix apart (the app passes one derived from its secret).
    """

    def __init__(
        self,
        pubsub: PubSub,
        *,
        namespace: str = DEFAULT_NAMESPACE,
        heartbeat_interval: float = 1.0,
        node_timeout: float = 5.0,
        broadcast_period: float = 0.05,
    ) -> None:
        if not isinstance(pubsub, PubSub):
            raise TypeError(f"pubsub must be a PubSub, not {type_name(pubsub)}")
        self.pubsub = pubsub
        self._started = False
        self.namespace = DEFAULT_NAMESPACE
        self.heartbeat_interval, self.node_timeout, self.broadcast_period = 1.0, 5.0, 0.05
        self.configure(
            namespace=namespace,
            heartbeat_interval=heartbeat_interval,
            node_timeout=node_timeout,
            broadcast_period=broadcast_period,
        )
        self.node_id = unique_id()
        self._replicated = not isinstance(pubsub, SingleProcessPubSub)
        limit = MAX_PAYLOAD_BYTES if isinstance(pubsub, PostgresPubSub) else None
        self._limit = limit
        self._budget = (limit if limit is not None else _CHUNK_BYTES) - _ENVELOPE_BYTES
        self._index = Index()
        self._local: dict[tuple[str, str, str], str] = {}  # (owner, topic, key) -> ref
        self._refs: dict[str, tuple[str, str, str, Meta]] = {}  # own ref -> owner, topic, key, meta
        self._clock = 0
        self._joins: dict[str, list[Any]] = {}  # own changes not yet published
        self._leaves: dict[str, None] = {}
        self._nodes: dict[str, _Replica] = {}
        self._outbox: deque[tuple[str, dict[str, Any]]] = deque()
        self._sender: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._flush_handle: asyncio.TimerHandle | None = None
        self._flush_loop: asyncio.AbstractEventLoop | None = None
        self._subscriptions: list[tuple[str, str]] = []
        self._start_lock = asyncio.Lock()
        self._unavailable = False
        setattr(pubsub, _ATTRIBUTE, self)

    def configure(
        self,
        *,
        namespace: str | None = None,
        heartbeat_interval: float | None = None,
        node_timeout: float | None = None,
        broadcast_period: float | None = None,
    ) -> None:
        """Change settings before the first `track` or `list` (`app.presence.configure(...)`);
        raises RuntimeError once started, ValueError for settings that cannot work."""
        if self._started:
            raise RuntimeError("presence is started: configure it before its first use")
        namespace = self.namespace if namespace is None else namespace
        beat = self.heartbeat_interval if heartbeat_interval is None else heartbeat_interval
        timeout = self.node_timeout if node_timeout is None else node_timeout
        period = self.broadcast_period if broadcast_period is None else broadcast_period
        if not isinstance(namespace, str) or not namespace:
            raise ValueError("namespace must be a non-empty str")
        if not 0 < beat < timeout:
            raise ValueError("heartbeat_interval must be positive and less than node_timeout")
        if period < 0:
            raise ValueError("broadcast_period must not be negative")
        self.namespace = namespace
        self.heartbeat_interval = beat
        self.node_timeout = timeout
        self.broadcast_period = period

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Join the other nodes: subscribe, ask for their state, start heartbeats. Called by
        the first `track` or `list` (an app that never uses presence costs the broker
        nothing); the pub/sub must be started."""
        if self._started:
            return
        async with self._start_lock:
            if self._started:
                return
            if self._replicated:
                for topic in (
                    wire.control_topic(self.namespace),
                    wire.node_topic(self.namespace, self.node_id),
                ):
                    subscription = await self.pubsub.subscribe(topic, self._on_message)
                    self._subscriptions.append((topic, subscription))
                self._started = True
                self._send(wire.control_topic(self.namespace), "req", to=None)
                self._heartbeat = asyncio.get_running_loop().create_task(
                    self._beat(), name="liveview.presence heartbeat"
                )
            self._started = True

    async def close(self) -> None:
        """Say goodbye to the other nodes and forget everything; `start` may follow."""
        if not self._started:
            return
        self._started = False
        loop = asyncio.get_running_loop()
        for task in (self._heartbeat, self._sender):
            if task is None or task.get_loop() is not loop:
                continue  # a task of an ended event loop is gone with it
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        self._heartbeat = self._sender = None
        if self._replicated:
            with contextlib.suppress(Exception):
                bye = wire.make(self.namespace, self.node_id, "bye")
                await self.pubsub.publish(wire.control_topic(self.namespace), bye)
            for topic, subscription in self._subscriptions:
                with contextlib.suppress(Exception):
                    await self.pubsub.unsubscribe(topic, subscription)
        self._subscriptions.clear()
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        self._index = Index()
        self._local.clear()
        self._refs.clear()
        self._nodes.clear()
        self._joins.clear()
        self._leaves.clear()
        self._outbox.clear()
        self._clock = 0
        self.node_id = unique_id()

    # -- the API -------------------------------------------------------------------------------

    async def track(
        self, topic: str, key: str, meta: Mapping[str, Any], *, owner: str = APP
    ) -> str:
        """Add a presence of `key` on `topic` (tracking it again for the same owner updates
        it); return its `phx_ref`.

        `meta` must be a JSON object: anything else raises `TypeError` naming where, as
        `publish` does; on PostgreSQL one whose entry cannot fit a notification raises
        `MessageTooLarge`. Nothing is changed when it is refused.
        """
        checked = self._check(topic, key, meta)
        await self.start()
        previous = self._local.get((owner, topic, key))
        ref = unique_id()
        checked["phx_ref"] = ref
        if previous is not None:
            checked["phx_ref_prev"] = previous
        self._check_size(ref, topic, key, checked)
        if previous is not None:
            self._drop(previous)
        self._local[(owner, topic, key)] = ref
        self._refs[ref] = (owner, topic, key, checked)
        self._index.add(ref, topic, key, checked)
        self._joins[ref] = [ref, topic, key, checked]
        self._changed()
        return ref

    async def update(
        self, topic: str, key: str, meta: Mapping[str, Any], *, owner: str = APP
    ) -> str:
        """Replace the meta of a tracked presence (a leave of the old ref and a join of a new
        one, as Phoenix); raises `KeyError` if `owner` does not track `key` on `topic`."""
        if (owner, topic, key) not in self._local:
            raise KeyError(f"{key!r} is not tracked on topic {topic!r}")
        return await self.track(topic, key, meta, owner=owner)

    async def untrack(self, topic: str, key: str, *, owner: str = APP) -> None:
        """Remove a presence; does nothing if it is not tracked."""
        ref = self._local.pop((owner, topic, key), None)
        if ref is not None:
            self._drop(ref)
            self._changed()

    async def untrack_owner(self, owner: str) -> None:
        """Remove every presence of `owner` (a LiveView that ended)."""
        refs = [ref for ref, (who, *_) in self._refs.items() if who == owner]
        for ref in refs:
            _, topic, key, _ = self._refs[ref]
            del self._local[(owner, topic, key)]
            self._drop(ref)
        if refs:
            self._changed()

    async def list(self, topic: str) -> Listing:
        """`{key: {"metas": [meta, ...]}}` of everyone on `topic`, on every node known here."""
        check_topic(topic)
        if not self._started and self._replicated and self.pubsub_started:
            await self.start()
        return self._index.listing(topic)

    @property
    def pubsub_started(self) -> bool:
        return bool(getattr(self.pubsub, "_started", True))

    @property
    def nodes(self) -> frozenset[str]:
        """The other nodes this one hears from (their ids)."""
        return frozenset(self._nodes)

    # -- own presences -------------------------------------------------------------------------

    def _check(self, topic: str, key: str, meta: Mapping[str, Any]) -> dict[str, Any]:
        check_topic(topic)
        if not isinstance(key, str):
            raise TypeError(f"presence key must be a str, not {type_name(key)}")
        if not isinstance(meta, Mapping):
            raise TypeError(f"meta must be a dict, not {type_name(meta)}")
        checked = to_json_value(meta, "meta")
        assert isinstance(checked, dict)
        return checked

    def _check_size(self, ref: str, topic: str, key: str, meta: Meta) -> None:
        if self._limit is None:
            return
        size = len(orjson.dumps([ref, topic, key, meta])) + _ENVELOPE_BYTES
        if size > self._limit:
            raise MessageTooLarge(
                f"presence meta of {key!r} on topic {topic!r} too large for PostgreSQL NOTIFY: "
                f"its entry needs about {size} bytes, and notifications must be under 8000 "
                "bytes; keep metas small (an id, a name, a status)",
                size=size,
                limit=self._limit,
            )

    def _drop(self, ref: str) -> None:
        self._refs.pop(ref, None)
        self._index.remove(ref)
        if self._joins.pop(ref, None) is None:
            self._leaves[ref] = None

    def _changed(self) -> None:
        loop = asyncio.get_running_loop()
        # A handle of another loop (an app reused across event loops, as tests do) never fires.
        if self._flush_handle is None or self._flush_loop is not loop:
            self._flush_loop = loop
            self._flush_handle = loop.call_later(self.broadcast_period, self._flush)

    def _flush(self) -> None:
        """Publish own changes as deltas and tell local subscribers what changed."""
        self._flush_handle = None
        if self._replicated and self._started and (self._joins or self._leaves):
            joins, self._joins = list(self._joins.values()), {}
            leaves, self._leaves = list(self._leaves), {}
            for chunk_joins, chunk_leaves in self._chunks(joins, leaves):
                prev, self._clock = self._clock, self._clock + 1
                self._send(
                    wire.control_topic(self.namespace),
                    "d",
                    prev=prev,
                    clock=self._clock,
                    joins=chunk_joins,
                    leaves=chunk_leaves,
                )
        deliver = self.pubsub._hub.deliver
        for topic, diff in self._index.take_diffs():
            deliver(topic, diff)

    def _chunks(self, joins: Entries, leaves: Refs) -> Chunks:
        chunks: Chunks = []
        current: Chunk = ([], [])
        size = 0
        for kind, item in [*((0, j) for j in joins), *((1, r) for r in leaves)]:
            item_size = len(orjson.dumps(item)) + 1
            if size + item_size > self._budget and (current[0] or current[1]):
                chunks.append(current)
                current, size = ([], []), 0
            current[kind].append(item)
            size += item_size
        if current[0] or current[1] or not chunks:
            chunks.append(current)
        return chunks

    # -- sending ---------------------------------------------------------------------------------

    def _send(self, topic: str, kind: str, **body: Any) -> None:
        """Queue a replication message; one task sends them in order (deltas before the
        heartbeat that shows their clock)."""
        self._outbox.append((topic, wire.make(self.namespace, self.node_id, kind, **body)))
        loop = asyncio.get_running_loop()
        if self._sender is None or self._sender.done() or self._sender.get_loop() is not loop:
            self._sender = loop.create_task(self._send_all(), name="liveview.presence sender")

    async def _send_all(self) -> None:
        while self._outbox:
            topic, message = self._outbox.popleft()
            try:
                await self.pubsub.publish(topic, message)
            except PubSubUnavailable as error:
                if not self._unavailable:
                    logger.warning("presence: broker unavailable (%s); retrying", error)
                self._unavailable = True
                continue  # lost: heartbeats and full syncs repair it when the broker is back
            except Exception:
                logger.exception("presence: could not publish a %s message", message["t"])
                continue
            if self._unavailable:
                self._unavailable = False
                logger.info("presence: broker reachable again")

    async def _beat(self) -> None:
        while True:
            if not any(m["t"] == "hb" for _, m in self._outbox):
                self._send(wire.control_topic(self.namespace), "hb", clock=self._clock)
            self._expire()
            await asyncio.sleep(self.heartbeat_interval)

    def _expire(self) -> None:
        now = time.monotonic()
        dead = [node for node, r in self._nodes.items() if now - r.seen > self.node_timeout]
        for node in dead:
            logger.info("presence: node %s silent for %.1f s: removing it", node, self.node_timeout)
            self._forget(node)
        for node, replica in self._nodes.items():
            if replica.clock < 0 and now - replica.asked > 2 * self.heartbeat_interval:
                self._ask(node, replica)

    def _forget(self, node: str) -> None:
        replica = self._nodes.pop(node, None)
        if replica is not None and replica.refs:
            for ref in replica.refs:
                self._index.remove(ref)
            self._changed()

    def _ask(self, node: str, replica: _Replica) -> None:
        replica.asked = time.monotonic()
        self._send(wire.control_topic(self.namespace), "req", to=node)

    # -- receiving -------------------------------------------------------------------------------

    def _on_message(self, message: Any) -> None:
        if not self._started:
            return
        if isinstance(message, PubSubGap):
            self._reconnected()
            return
        parsed = wire.parse(message, self.namespace)
        if parsed is None:
            logger.debug("presence: ignored a message that is not ours: %.200r", message)
            return
        if parsed.node == self.node_id:
            return
        if parsed.kind == "bye":
            self._forget(parsed.node)
            return
        if parsed.kind == "req":
            if parsed.body["to"] in (None, self.node_id):
                self._send_state(parsed.node)
            return
        replica = self._nodes.get(parsed.node)
        if replica is None:
            replica = self._nodes[parsed.node] = _Replica(time.monotonic())
        replica.seen = time.monotonic()
        body = parsed.body
        if parsed.kind == "hb":
            if body["clock"] == 0 and replica.clock <= 0 and not replica.refs:
                replica.clock = 0  # a node with nothing to tell: no sync needed
            elif body["clock"] != replica.clock and time.monotonic() - replica.asked > (
                self.heartbeat_interval
            ):
                self._ask(parsed.node, replica)
        elif parsed.kind == "d":
            self._on_delta(parsed.node, replica, body)
        elif parsed.kind == "s":
            self._on_state_part(replica, body)

    def _reconnected(self) -> None:
        """The broker connection came back: messages may be lost both ways."""
        if not self._started:
            return
        logger.info("presence: broker connection back: asking every node for its state")
        self._send(wire.control_topic(self.namespace), "hb", clock=self._clock)
        self._send(wire.control_topic(self.namespace), "req", to=None)

    def _on_delta(self, node: str, replica: _Replica, delta: dict[str, Any]) -> None:
        if delta["prev"] == replica.clock:
            self._apply(replica, delta)
        elif delta["clock"] > replica.clock:
            if len(replica.held) >= _MAX_HELD:
                del replica.held[0]  # the full sync asked for covers it
            replica.held.append(delta)
            if time.monotonic() - replica.asked > self.heartbeat_interval:
                self._ask(node, replica)

    def _apply(self, replica: _Replica, delta: dict[str, Any]) -> None:
        for ref, topic, key, meta in delta["joins"]:
            replica.refs.add(ref)
            self._index.add(ref, topic, key, meta)
        for ref in delta["leaves"]:
            if ref in replica.refs:
                replica.refs.discard(ref)
                self._index.remove(ref)
        replica.clock = delta["clock"]
        self._changed()

    def _send_state(self, to: str) -> None:
        entries = [[ref, topic, key, meta] for ref, (_, topic, key, meta) in self._refs.items()]
        # Own changes not yet published are in `entries` already; the delta that follows
        # repeats them harmlessly (idempotent).
        chunks = self._chunks(entries, [])
        sync = unique_id()
        for part, (chunk, _leaves) in enumerate(chunks):
            self._send(
                wire.node_topic(self.namespace, to),
                "s",
                clock=self._clock,
                sync=sync,
                part=part,
                parts=len(chunks),
                entries=chunk,
            )

    def _on_state_part(self, replica: _Replica, state: dict[str, Any]) -> None:
        if replica.clock >= 0 and state["clock"] < replica.clock:
            return  # older than what we have
        if state["sync"] != replica.sync:
            replica.sync, replica.parts = state["sync"], {}
        replica.parts[state["part"]] = state["entries"]
        if len(replica.parts) < state["parts"]:
            return
        entries = [entry for part in sorted(replica.parts) for entry in replica.parts[part]]
        replica.sync, replica.parts = None, {}
        refs = {entry[0] for entry in entries}
        for ref in replica.refs - refs:
            self._index.remove(ref)
        for ref, topic, key, meta in entries:
            self._index.add(ref, topic, key, meta)
        replica.refs = refs
        replica.clock = state["clock"]
        held, replica.held = sorted(replica.held, key=lambda d: d["clock"]), []
        for delta in held:
            if delta["prev"] == replica.clock:
                self._apply(replica, delta)
        self._changed()
