"""What presence promises on every pub/sub backend, as test classes the backends' tests subclass.

`PresenceContract` needs one node and runs on all three backends (`make_pubsub`: a factory of
new, unstarted pub/sub instances that reach one another). `NodesContract` needs several nodes,
so only the broker backends run it (`broker_url`, `make_at(url)`, `start_private`): late
joiners, a node killed with SIGKILL in a real subprocess, the broker restarted, one node's
broker connection cut. Waits are on conditions with generous timeouts, never sleeps.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from liveview import MessageTooLarge, Presence, PubSubGap, sync_diff
from liveview.pubsub import PubSub
from tests.presence_proxy import CutProxy

TIMEOUT = 15.0
FAST: dict[str, float] = {"heartbeat_interval": 0.2, "node_timeout": 1.5, "broadcast_period": 0.02}
"""Short periods for tests: a dead node is removed within node_timeout + one heartbeat."""
BOUND = FAST["node_timeout"] + FAST["heartbeat_interval"]
SLACK = 10.0  # a loaded machine (2 cores, several test runs) may stall the loop this long
ROOT = Path(__file__).resolve().parent.parent


async def eventually(check: Callable[[], Any], timeout: float = TIMEOUT, what: Any = "") -> float:
    """Wait until check() (sync or async) is truthy; return the seconds it took."""
    start = time.monotonic()
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            shown = what() if callable(what) else what
            pytest.fail(f"not within {timeout}s: {shown or check}")
        await asyncio.sleep(0.02)


def keys_of(listing: dict[str, Any]) -> dict[str, int]:
    """key -> number of metas, the shape that shows duplicates and missing entries."""
    return {key: len(entry["metas"]) for key, entry in listing.items()}


class Watcher:
    """A subscriber of a topic keeping its own listing from `list` and the diffs, as a page."""

    def __init__(self, presence: Presence, topic: str) -> None:
        self.presence = presence
        self.topic = topic
        self.state: dict[str, Any] = {}
        self.diffs: list[dict[str, Any]] = []
        self.gaps = 0

    async def start(self) -> Watcher:
        await self.presence.pubsub.subscribe(self.topic, self)
        self.state = await self.presence.list(self.topic)
        return self

    def __call__(self, message: Any) -> None:
        if isinstance(message, PubSubGap):
            self.gaps += 1
            return
        assert message["event"] == "presence_diff"
        self.diffs.append(message)
        self.state = sync_diff(self.state, message)

    def keys(self) -> dict[str, int]:
        return keys_of(self.state)


def topic() -> str:
    return f"room:{uuid.uuid4().hex[:10]}"


class PresenceContract:
    """One node: track, untrack, update, two tabs, diffs, bad input."""

    @pytest.fixture
    async def open_node(
        self, make_pubsub: Callable[[], PubSub]
    ) -> AsyncIterator[Callable[..., Any]]:
        opened: list[tuple[PubSub, Presence]] = []

        async def open_node(**options: Any) -> Presence:
            pubsub = make_pubsub()
            await pubsub.start()
            presence = Presence(pubsub, **{**FAST, **options})
            await presence.start()
            opened.append((pubsub, presence))
            return presence

        yield open_node
        for pubsub, presence in reversed(opened):
            await presence.close()
            await pubsub.close()

    async def test_track_lists_and_tells_subscribers(self, open_node: Any) -> None:
        node, t = await open_node(), topic()
        watcher = await Watcher(node, t).start()
        ref = await node.track(t, "al", {"name": "Al"})
        assert await node.list(t) == {"al": {"metas": [{"name": "Al", "phx_ref": ref}]}}
        await eventually(lambda: watcher.diffs)
        assert watcher.diffs == [
            {
                "event": "presence_diff",
                "joins": {"al": {"metas": [{"name": "Al", "phx_ref": ref}]}},
                "leaves": {},
            }
        ]

    async def test_untrack_sends_leaves(self, open_node: Any) -> None:
        node, t = await open_node(), topic()
        ref = await node.track(t, "al", {"name": "Al"})
        watcher = await Watcher(node, t).start()
        await node.untrack(t, "al")
        assert await node.list(t) == {}
        await eventually(lambda: watcher.diffs and watcher.state == {})
        assert watcher.diffs[-1]["leaves"] == {"al": {"metas": [{"name": "Al", "phx_ref": ref}]}}
        await node.untrack(t, "al")  # again: nothing to do, no error

    async def test_update_replaces_the_meta_with_a_new_ref(self, open_node: Any) -> None:
        node, t = await open_node(), topic()
        first = await node.track(t, "al", {"typing": False})
        watcher = await Watcher(node, t).start()
        second = await node.update(t, "al", {"typing": True})
        assert second != first
        metas = (await node.list(t))["al"]["metas"]
        assert metas == [{"typing": True, "phx_ref": second, "phx_ref_prev": first}]
        await eventually(lambda: watcher.state == {"al": {"metas": metas}})
        with pytest.raises(KeyError):
            await node.update(t, "nobody", {"typing": True})

    async def test_two_tabs_of_one_user_are_one_key_with_two_metas(self, open_node: Any) -> None:
        node, t = await open_node(), topic()
        one = await node.track(t, "al", {"tab": 1}, owner="tab-1")
        two = await node.track(t, "al", {"tab": 2}, owner="tab-2")
        metas = (await node.list(t))["al"]["metas"]
        assert sorted(m["phx_ref"] for m in metas) == sorted([one, two])
        await node.untrack_owner("tab-1")
        assert (await node.list(t))["al"]["metas"] == [{"tab": 2, "phx_ref": two}]

    async def test_many_joins_make_few_diffs(self, open_node: Any) -> None:
        node, t = await open_node(broadcast_period=0.05), topic()
        watcher = await Watcher(node, t).start()
        for i in range(300):
            await node.track(t, f"user-{i}", {"i": i}, owner=f"page-{i}")
        await eventually(lambda: len(watcher.state) == 300)
        assert len(watcher.diffs) < 30
        assert watcher.state == await node.list(t)

    async def test_metas_that_are_not_json_are_refused(self, open_node: Any) -> None:
        node, t = await open_node(), topic()
        with pytest.raises(TypeError, match=r"meta\['at'\] is a set"):
            await node.track(t, "al", {"at": {1, 2}})
        with pytest.raises(TypeError, match="meta must be a dict"):
            await node.track(t, "al", ["not", "a", "dict"])  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="presence key must be a str"):
            await node.track(t, 7, {})  # type: ignore[arg-type]
        ref = await node.track(t, "al", {"ok": True})
        with pytest.raises(TypeError):
            await node.update(t, "al", {"bad": object()})
        assert await node.list(t) == {"al": {"metas": [{"ok": True, "phx_ref": ref}]}}

    async def test_diffs_and_lists_are_json(self, open_node: Any) -> None:
        node, t = await open_node(), topic()
        watcher = await Watcher(node, t).start()
        await node.track(t, "al", {"n": (1, 2)})  # a tuple becomes a list, as in publish
        await eventually(lambda: watcher.diffs)
        assert (await node.list(t))["al"]["metas"][0]["n"] == [1, 2]
        assert watcher.diffs[0]["joins"]["al"]["metas"][0]["n"] == [1, 2]


class NodesContract:
    """Several nodes on one broker; the subclass gives `broker_url`, `make_at(url, prefix)` and
    `start_private` (a private server: `.url`, `.stop()`, `.start()`)."""

    @pytest.fixture
    def prefix(self) -> str:
        return f"test-{uuid.uuid4().hex[:10]}:"

    @pytest.fixture
    async def open_node(
        self, make_at: Callable[[str, str], PubSub], broker_url: str, prefix: str
    ) -> AsyncIterator[Callable[..., Any]]:
        opened: list[tuple[PubSub, Presence]] = []

        async def open_node(url: str | None = None, **options: Any) -> Presence:
            pubsub = make_at(url or broker_url, prefix)
            await pubsub.start()
            presence = Presence(pubsub, **{**FAST, **options})
            await presence.start()
            opened.append((pubsub, presence))
            return presence

        yield open_node
        for pubsub, presence in reversed(opened):
            await presence.close()
            await pubsub.close()

    async def test_joins_and_leaves_reach_other_nodes(self, open_node: Any) -> None:
        a, b, t = await open_node(), await open_node(), topic()
        watcher = await Watcher(b, t).start()
        ref = await a.track(t, "al", {"name": "Al"})
        await eventually(lambda: watcher.keys() == {"al": 1}, what="b sees al")
        assert await b.list(t) == {"al": {"metas": [{"name": "Al", "phx_ref": ref}]}}
        await a.update(t, "al", {"name": "Al", "typing": True})
        await eventually(lambda: watcher.state["al"]["metas"][0].get("typing") is True)
        await a.untrack(t, "al")
        await eventually(lambda: watcher.state == {}, what="b sees al leave")
        assert await b.list(t) == {}

    async def test_one_user_on_two_nodes_is_one_key_with_two_metas(self, open_node: Any) -> None:
        a, b, t = await open_node(), await open_node(), topic()
        await a.track(t, "al", {"on": "a"})
        await b.track(t, "al", {"on": "b"})
        for node in (a, b):
            await eventually(lambda n=node: keys_of_sync(n, t) == {"al": 2})

    async def test_a_late_node_gets_the_state(self, open_node: Any) -> None:
        a, t = await open_node(), topic()
        for i in range(50):
            await a.track(t, f"user-{i}", {"i": i, "pad": "x" * 300}, owner=f"p{i}")
        late = await open_node()
        await eventually(lambda: len(keys_of_sync(late, t)) == 50, what="late node lists 50")
        assert await late.list(t) == await a.list(t)

    async def test_a_closing_node_is_removed_at_once(self, open_node: Any) -> None:
        a, b, t = await open_node(node_timeout=60.0), await open_node(node_timeout=60.0), topic()
        await a.track(t, "al", {})
        await eventually(lambda: keys_of_sync(b, t) == {"al": 1})
        watcher = await Watcher(b, t).start()
        await a.close()
        await eventually(lambda: watcher.state == {}, timeout=TIMEOUT, what="bye seen")

    async def test_a_node_killed_with_sigkill_is_removed_within_the_bound(
        self, open_node: Any, broker_url: str, prefix: str
    ) -> None:
        observer, t = await open_node(), topic()
        watcher = await Watcher(observer, t).start()
        with spawn_node(self.backend, broker_url, prefix, t, count=20) as child:
            await eventually(lambda: len(watcher.state) == 20, what="child's 20 users seen")
            os.kill(child.pid, signal.SIGKILL)
            killed = time.monotonic()
            child.wait(timeout=TIMEOUT)
            await eventually(
                lambda: watcher.state == {}, timeout=BOUND + SLACK, what="leaves after SIGKILL"
            )
            took = time.monotonic() - killed
        assert await observer.list(t) == {}
        left = {key for d in watcher.diffs for key in d["leaves"]}
        assert len(left) == 20
        print(f"SIGKILL: removed after {took:.2f}s (bound {BOUND}s)")

    async def test_broker_restart_leaves_no_duplicates_and_nothing_missing(
        self, open_node: Any, start_private: Callable[[], Any]
    ) -> None:
        server = start_private()
        a, b, t = await open_node(server.url), await open_node(server.url), topic()
        for i in range(10):
            await a.track(t, f"a-{i}", {"i": i}, owner=f"pa{i}")
            await b.track(t, f"b-{i}", {"i": i}, owner=f"pb{i}")
        await b.track(t, "both", {"on": "b"})
        await a.track(t, "both", {"on": "a"})
        expected = {**{f"a-{i}": 1 for i in range(10)}, **{f"b-{i}": 1 for i in range(10)}}
        expected["both"] = 2
        watchers = [await Watcher(a, t).start(), await Watcher(b, t).start()]
        for w in watchers:
            await eventually(lambda w=w: w.keys() == expected, what="all seen before restart")
        server.stop()
        # while the broker is away, each node changes its own presences
        await a.untrack(t, "a-0", owner="pa0")
        await b.track(t, "b-new", {"new": True})
        await asyncio.sleep(FAST["node_timeout"] * 2)  # long enough for each to drop the other
        server.start()
        expected.pop("a-0")
        expected["b-new"] = 1
        for node, w in zip((a, b), watchers, strict=True):
            await eventually(
                lambda n=node: keys_of_sync(n, t) == expected,
                what=lambda n=node: f"settled: {keys_of_sync(n, t)} != {expected}",
            )
            await eventually(lambda w=w: w.keys() == expected, what="pages settled")

    async def test_a_node_cut_from_the_broker_drops_out_and_comes_back_once(
        self, open_node: Any, broker_url: str
    ) -> None:
        host, port = broker_address(broker_url)
        async with CutProxy(host, port) as proxy:
            a = await open_node()
            b = await open_node(with_port(broker_url, proxy.port))
            t = topic()
            await a.track(t, "al", {"on": "a"})
            await b.track(t, "bo", {"on": "b"})
            watch_a, watch_b = await Watcher(a, t).start(), await Watcher(b, t).start()
            for w in (watch_a, watch_b):
                await eventually(lambda w=w: w.keys() == {"al": 1, "bo": 1})
            cut = time.monotonic()
            proxy.cut()
            await eventually(
                lambda: watch_a.keys() == {"al": 1}, timeout=BOUND + SLACK, what="a drops b"
            )
            took = time.monotonic() - cut
            await eventually(lambda: watch_b.keys() == {"bo": 1}, timeout=BOUND + SLACK)
            await b.track(t, "cy", {"on": "b"})  # while cut: reaches a after the repair
            proxy.restore()
            want = {"al": 1, "bo": 1, "cy": 1}
            for w in (watch_a, watch_b):
                await eventually(lambda w=w: w.keys() == want, what="back, once")
            assert keys_of_sync(a, t) == keys_of_sync(b, t) == want
            print(f"network cut: dropped after {took:.2f}s (bound {BOUND}s)")

    async def test_messages_of_another_app_are_ignored(
        self, open_node: Any, make_at: Callable[[str, str], PubSub], broker_url: str, prefix: str
    ) -> None:
        ours, theirs, t = await open_node(), await open_node(namespace="other-app"), topic()
        watcher = await Watcher(ours, t).start()
        await theirs.track(t, "intruder", {})
        await ours.track(t, "al", {})
        outsider = make_at(broker_url, prefix)
        await outsider.start()
        try:
            control = f"liveview.presence:{ours.namespace}"
            for junk in (
                "hello",
                {
                    "presence": 1,
                    "ns": "other-app",
                    "node": "x",
                    "t": "d",
                    "prev": 0,
                    "clock": 1,
                    "joins": [["r", t, "intruder", {}]],
                    "leaves": [],
                },
                {
                    "presence": 1,
                    "ns": ours.namespace,
                    "node": "x",
                    "t": "d",
                    "prev": 0,
                    "clock": "1",
                    "joins": [["r", t, "intruder", {}]],
                    "leaves": [],
                },
                {"presence": 2, "ns": ours.namespace, "node": "x", "t": "hb", "clock": 0},
                {
                    "presence": 1,
                    "ns": ours.namespace,
                    "node": "x",
                    "t": "s",
                    "clock": 0,
                    "sync": "s",
                    "part": 1,
                    "parts": 1,
                    "entries": [["r", t, "intruder", {}]],
                },
            ):
                await outsider.publish(control, junk)
            await theirs.track(t, "intruder-2", {})
            await eventually(lambda: "intruder-2" in keys_of_sync(theirs, t))
            await ours.track(t, "bo", {})  # after the junk: when bo shows, the junk was read
            await eventually(lambda: watcher.keys() == {"al": 1, "bo": 1})
            assert keys_of_sync(ours, t) == {"al": 1, "bo": 1}
        finally:
            await outsider.close()


def keys_of_sync(presence: Presence, t: str) -> dict[str, int]:
    """The listing's key counts, read without awaiting (the index is in memory)."""
    return keys_of(presence._index.listing(t))


def broker_address(url: str) -> tuple[str, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    assert parts.hostname is not None
    return parts.hostname, parts.port or (6379 if parts.scheme.startswith("redis") else 5432)


def with_port(url: str, port: int) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"{parts.hostname}:{port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


class spawn_node:
    """A real node in a subprocess (tests/presence_node.py) tracking `count` users."""

    def __init__(self, backend: str, url: str, prefix: str, t: str, count: int) -> None:
        self.args = [sys.executable, "-m", "tests.presence_node", backend, url, prefix, t]
        self.args += [str(count), str(FAST["heartbeat_interval"])]

    def __enter__(self) -> subprocess.Popen[bytes]:
        self.process = subprocess.Popen(self.args, cwd=ROOT, stdin=subprocess.DEVNULL)
        return self.process

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=TIMEOUT)


def oversized_meta() -> dict[str, str]:
    return {"bio": "x" * 9000}


__all__ = ["MessageTooLarge", "NodesContract", "PresenceContract", "oversized_meta"]
