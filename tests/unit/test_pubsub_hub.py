"""Local delivery (liveview.pubsub.hub): handlers marked `with_size` get each message with its
size in bytes, known or estimated once per publish however many subscribe."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from liveview.pubsub import hub as hub_module
from liveview.pubsub.hub import Hub, Sized, json_size, with_size


class Sink:
    """Records what its plain and its sized handler get."""

    def __init__(self) -> None:
        self.plain: list[Any] = []
        self.sized: list[Sized] = []

    def receive(self, message: Any) -> None:
        self.plain.append(message)

    @with_size
    def receive_sized(self, published: Sized) -> None:
        self.sized.append(published)


def test_a_marked_handler_gets_the_message_with_its_json_size_and_others_the_message() -> None:
    hub, sink = Hub(), Sink()
    hub.subscribe("t", sink.receive)
    hub.subscribe("t", sink.receive_sized)
    message = {"text": "héllo", "n": [1, 2]}
    hub.deliver("t", message)
    assert sink.plain == [message]
    [published] = sink.sized
    assert published.message is message
    assert published.size == len(orjson.dumps(message)) == 27  # bytes: é is two


def test_the_size_is_estimated_once_per_publish_for_every_subscriber(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[object] = []

    def counted(message: object) -> int:
        calls.append(message)
        return json_size(message)

    monkeypatch.setattr(hub_module, "json_size", counted)
    hub, sinks = Hub(), [Sink() for _ in range(100)]
    for sink in sinks:
        hub.subscribe("t", sink.receive_sized)
    hub.deliver("t", {"n": 1})
    hub.deliver("t", {"n": 2})
    assert calls == [{"n": 1}, {"n": 2}]
    assert all(sink.sized[0] is sinks[0].sized[0] for sink in sinks)  # one Sized, shared


def test_a_known_size_is_used_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_module, "json_size", lambda message: pytest.fail("estimated"))
    hub, sink = Hub(), Sink()
    hub.subscribe("t", sink.receive_sized)
    hub.deliver("t", {"n": 1}, size=1234)
    assert sink.sized[0].size == 1234


def test_nothing_is_estimated_without_a_marked_subscriber(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_module, "json_size", lambda message: pytest.fail("estimated"))
    hub, sink = Hub(), Sink()
    hub.subscribe("t", sink.receive)
    hub.deliver("t", {"n": 1})
    assert sink.plain == [{"n": 1}]


def test_a_marked_handler_must_be_a_plain_function() -> None:
    @with_size
    async def handler(published: Sized) -> None:
        pass

    with pytest.raises(TypeError, match="plain function"):
        Hub().subscribe("t", handler)


def test_a_marked_handler_that_raises_is_logged_and_stays_subscribed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    got: list[object] = []

    @with_size
    def handler(published: Sized) -> None:
        got.append(published.message)
        raise RuntimeError("boom")

    hub = Hub()
    hub.subscribe("t", handler)
    hub.deliver("t", 1)
    hub.deliver("t", 2)
    assert got == [1, 2]
    assert caplog.text.count("RuntimeError: boom") == 2


def test_what_orjson_does_not_write_counts_as_nothing() -> None:
    assert json_size(object()) == 0
    assert json_size(None) == 4
