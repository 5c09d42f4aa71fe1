"""Presence in one process (SingleProcessPubSub): the contract every backend keeps, sync_diff,
and the checks on arguments. Several nodes need a broker: tests/integration."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from liveview import Presence, SingleProcessPubSub, sync_diff
from liveview.presence import presence_of
from liveview.presence.tracker import DEFAULT_NAMESPACE, namespace_for
from liveview.pubsub import PubSub
from tests.presence_contract import PresenceContract


class TestSingleProcessPresence(PresenceContract):
    @pytest.fixture
    def make_pubsub(self) -> Callable[[], PubSub]:
        return SingleProcessPubSub


def test_sync_diff_applies_joins_then_leaves_without_changing_its_input() -> None:
    state = {"al": {"metas": [{"phx_ref": "1", "x": 1}]}}
    diff = {
        "joins": {"al": {"metas": [{"phx_ref": "2", "x": 2}]}, "bo": {"metas": [{"phx_ref": "3"}]}},
        "leaves": {
            "al": {"metas": [{"phx_ref": "1", "x": 1}]},
            "cy": {"metas": [{"phx_ref": "9"}]},
        },
    }
    assert sync_diff(state, diff) == {
        "al": {"metas": [{"phx_ref": "2", "x": 2}]},
        "bo": {"metas": [{"phx_ref": "3"}]},
    }
    assert state == {"al": {"metas": [{"phx_ref": "1", "x": 1}]}}
    gone = {"joins": {}, "leaves": {"al": {"metas": [{"phx_ref": "1"}]}}}
    assert sync_diff(state, gone) == {}
    again = {"joins": {"al": {"metas": [{"phx_ref": "1", "x": 5}]}}, "leaves": {}}
    assert sync_diff(state, again) == {"al": {"metas": [{"phx_ref": "1", "x": 5}]}}


def test_one_presence_per_pubsub_and_settings_are_checked() -> None:
    pubsub = SingleProcessPubSub()
    made = Presence(pubsub, node_timeout=3.0, heartbeat_interval=0.5)
    assert presence_of(pubsub) is made
    with pytest.raises(ValueError, match="heartbeat_interval"):
        Presence(pubsub, heartbeat_interval=5.0, node_timeout=5.0)
    with pytest.raises(TypeError, match="must be a PubSub"):
        Presence("redis://")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="namespace"):
        Presence(pubsub, namespace="")


def test_apps_with_a_secret_get_a_namespace_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVEVIEW_SECRET", raising=False)
    assert namespace_for(None) == DEFAULT_NAMESPACE
    assert namespace_for("a") == namespace_for("a") != namespace_for("b")
    assert "hunter2" not in namespace_for("hunter2")  # the secret never goes on the wire
    monkeypatch.setenv("LIVEVIEW_SECRET", "from-env")
    assert namespace_for(None) == namespace_for("from-env")


def test_a_pubsub_and_its_presence_are_freed_together() -> None:
    import gc
    import weakref

    pubsub = SingleProcessPubSub()
    presence = weakref.ref(presence_of(pubsub))
    gone = weakref.ref(pubsub)
    del pubsub
    gc.collect()
    assert gone() is None and presence() is None


def test_an_app_reused_on_a_new_event_loop_still_sends_diffs() -> None:
    import asyncio

    pubsub = SingleProcessPubSub()
    presence = Presence(pubsub, heartbeat_interval=0.2, node_timeout=1.0, broadcast_period=0.01)
    got: list[object] = []

    async def first() -> None:
        await presence.track("t-loops", "al", {})  # its diff is still pending when the loop ends

    async def second() -> None:
        await pubsub.subscribe("t-loops", got.append)
        await presence.track("t-loops", "bo", {})
        async with asyncio.timeout(5):
            while not got:
                await asyncio.sleep(0.01)
        await pubsub.close()

    asyncio.run(first())
    asyncio.run(second())
    assert "bo" in got[0]["joins"]  # type: ignore[index]


@pytest.mark.parametrize(
    "message",
    [
        "hello",
        None,
        {"presence": 1, "ns": "other", "node": "n", "t": "hb", "clock": 1},
        {"presence": 2, "ns": "ns", "node": "n", "t": "hb", "clock": 1},
        {"presence": 1, "ns": "ns", "node": 5, "t": "hb", "clock": 1},
        {"presence": 1, "ns": "ns", "node": "n", "t": "nope"},
        {"presence": 1, "ns": "ns", "node": "n", "t": "hb", "clock": -1},
        {"presence": 1, "ns": "ns", "node": "n", "t": "hb", "clock": True},
        {
            "presence": 1,
            "ns": "ns",
            "node": "n",
            "t": "d",
            "prev": 0,
            "clock": 1,
            "joins": [["r"]],
            "leaves": [],
        },
        {
            "presence": 1,
            "ns": "ns",
            "node": "n",
            "t": "d",
            "prev": 0,
            "clock": 1,
            "joins": [],
            "leaves": [1],
        },
        {
            "presence": 1,
            "ns": "ns",
            "node": "n",
            "t": "s",
            "clock": 1,
            "sync": "x",
            "part": 2,
            "parts": 2,
            "entries": [],
        },
        {"presence": 1, "ns": "ns", "node": "n", "t": "req", "to": 3},
    ],
)
def test_replication_messages_that_are_not_ours_are_refused(message: object) -> None:
    from liveview.presence import wire

    assert wire.parse(message, "ns") is None


def test_replication_messages_of_every_kind_are_read() -> None:
    from liveview.presence import wire

    for kind, body in [
        ("hb", {"clock": 3}),
        ("d", {"prev": 2, "clock": 3, "joins": [["r", "t", "k", {}]], "leaves": ["q"]}),
        ("s", {"clock": 3, "sync": "x", "part": 0, "parts": 1, "entries": []}),
        ("req", {"to": None}),
        ("bye", {}),
    ]:
        parsed = wire.parse(wire.make("ns", "n", kind, **body), "ns")
        assert parsed is not None and parsed.kind == kind and parsed.node == "n"


async def test_the_apps_presence_is_configured_before_its_first_use() -> None:
    from liveview import LiveViewApp

    app = LiveViewApp(routes={}, secret="configured", pubsub=SingleProcessPubSub())
    assert app.presence.namespace == namespace_for("configured")
    app.presence.configure(node_timeout=3.0, heartbeat_interval=0.5, broadcast_period=0.01)
    assert (app.presence.node_timeout, app.presence.heartbeat_interval) == (3.0, 0.5)
    with pytest.raises(ValueError, match="heartbeat_interval"):
        app.presence.configure(heartbeat_interval=3.0)
    assert app.presence.heartbeat_interval == 0.5  # a refused setting changes nothing
    await app.presence.track("t-configured", "al", {})
    with pytest.raises(RuntimeError, match="before its first use"):
        app.presence.configure(node_timeout=9.0)
    replaced = Presence(app.pubsub, node_timeout=9.0)  # a new one for the pub/sub is the app's
    assert app.presence is replaced
    await app.presence.close()


def test_of_a_list_of_secrets_the_first_names_the_namespace() -> None:
    assert namespace_for(["new", "old"]) == namespace_for("new") != namespace_for("old")
