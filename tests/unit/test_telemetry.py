"""liveview.telemetry: the events of a LiveView's life, what they carry, and handlers that
misbehave. Driven through the real app with the in-process test client."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from liveview import LiveComponent, LiveView, LiveViewApp, LiveViewSocket, telemetry
from liveview.pubsub import SingleProcessPubSub
from liveview.testing import LiveViewCrashed, LiveViewTestClient

TOPIC = "telemetry-test"

Event = tuple[str, dict[str, Any], dict[str, Any]]


class Card(LiveComponent):
    template = (
        '<div id="{{ id }}">{{ n }}'
        '<button phx-click="inc" phx-target="{{ myself }}">+</button></div>'
    )

    async def update(self, assigns: dict[str, Any], socket: Any) -> None:
        socket.assign(**assigns)
        if "n" not in socket.assigns:
            socket.assign(n=0)

    async def handle_event(self, event: str, payload: dict[str, Any], socket: Any) -> None:
        socket.assign(n=socket.assigns.n + 1)


class Page(LiveView):
    template = '<p id="n">{{ n }}</p>{{ live_component(Card, id="card") }}'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(n=0)
        await socket.subscribe(TOPIC)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "boom":
            raise RuntimeError("handler exploded")
        socket.assign(n=socket.assigns.n + int(payload.get("by", 1)))

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(n=info["n"])


@pytest.fixture
def recorded() -> Iterator[list[Event]]:
    events: list[Event] = []

    def record(event: str, measurements: dict[str, Any], metadata: dict[str, Any]) -> None:
        events.append((event, measurements, metadata))

    with telemetry.attached(telemetry.EVENTS, record):
        yield events


@pytest.fixture
def app() -> LiveViewApp:
    return LiveViewApp(routes={"/": Page}, secret="test-secret", pubsub=SingleProcessPubSub())


def names(events: list[Event]) -> list[str]:
    return [name for name, _, _ in events]


async def test_a_join_emits_mount_handle_params_and_render_spans(
    app: LiveViewApp, recorded: list[Event]
) -> None:
    async with LiveViewTestClient(app) as client:
        recorded.clear()  # the dead render's own (connected=False) are checked below
        view = await client.live("/")
    joined = [e for e in recorded if e[2].get("connected")]
    assert names(joined)[:4] == [
        "liveview.mount.start",
        "liveview.mount.stop",
        "liveview.handle_params.start",
        "liveview.handle_params.stop",
    ]
    assert "liveview.render.stop" in names(joined)
    dead = [e for e in recorded if e[2].get("connected") is False]
    assert names(dead)[:2] == ["liveview.mount.start", "liveview.mount.stop"]
    _, measurements, metadata = joined[1]
    assert metadata["view"] is Page
    assert metadata["socket_id"] == view.topic.removeprefix("lv:")
    assert metadata["uri"].endswith("/")
    assert isinstance(measurements["duration"], int) and measurements["duration"] >= 0
    start, stop = joined[0][2], joined[1][2]
    assert start is stop and start["span_context"] == stop["span_context"]
    render = next(e for e in joined if e[0] == "liveview.render.stop")
    assert render[2]["full"] is True and render[1]["diff_bytes"] > 0


class Unshared(Page):
    share_renders = False  # its diff is encoded for the measurement, not taken from a share


@pytest.mark.parametrize("view", [Page, Unshared])
async def test_handle_event_and_render_carry_the_event_and_diff_bytes(
    view: type[Page], recorded: list[Event]
) -> None:
    app = LiveViewApp(routes={"/": view}, secret="test-secret", pubsub=SingleProcessPubSub())
    async with LiveViewTestClient(app) as client:
        live = await client.live("/")
        recorded.clear()
        await live.click("add", {"by": 5})
    assert names(recorded) == [
        "liveview.handle_event.start",
        "liveview.handle_event.stop",
        "liveview.render.start",
        "liveview.render.stop",
    ]
    event_metadata = recorded[1][2]
    assert event_metadata["event"] == "add" and event_metadata["params"] == {"by": 5}
    assert event_metadata["view"] is view
    render_measurements = recorded[3][1]
    # the diff of one changed slot: {"0":"5"} as JSON
    assert render_measurements["diff_bytes"] == len(b'{"0":"5"}')
    assert recorded[3][2]["full"] is False


async def test_handle_info_and_pubsub_publish_and_deliver(
    app: LiveViewApp, recorded: list[Event]
) -> None:
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        recorded.clear()
        await app.pubsub.publish(TOPIC, {"n": 42})
        await view.wait_for(lambda html: ">42<" in html)
    by_name = {name: (m, md) for name, m, md in recorded}
    measurements, metadata = by_name["liveview.pubsub.publish"]
    assert metadata == {"topic": TOPIC, "backend": "SingleProcessPubSub"}
    assert measurements["bytes"] == len(b'{"n":42}')
    measurements, metadata = by_name["liveview.pubsub.deliver"]
    assert measurements["subscribers"] == 1 and metadata["origin"] == "local"
    assert by_name["liveview.handle_info.stop"][1]["info"] == {"n": 42}
    assert names(recorded).index("liveview.handle_info.stop") < names(recorded).index(
        "liveview.render.stop"
    )


async def test_live_components_emit_update_and_handle_event(
    app: LiveViewApp, recorded: list[Event]
) -> None:
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        assert "liveview.component.update.stop" in names(recorded)
        recorded.clear()
        await view.click("inc", phx_target="#card")
    assert names(recorded)[:2] == [
        "liveview.component.handle_event.start",
        "liveview.component.handle_event.stop",
    ]
    metadata = recorded[1][2]
    assert metadata["component"] is Card and metadata["component_id"] == "card"
    assert metadata["event"] == "inc"


async def test_an_exception_in_a_callback_emits_exception_and_still_crashes_the_view(
    app: LiveViewApp, recorded: list[Event]
) -> None:
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        recorded.clear()
        with pytest.raises(LiveViewCrashed):
            await view.click("boom")
    assert names(recorded)[:2] == ["liveview.handle_event.start", "liveview.handle_event.exception"]
    measurements, metadata = recorded[1][1], recorded[1][2]
    assert metadata["kind"] == "RuntimeError"
    assert str(metadata["exception"]) == "handler exploded"
    assert measurements["duration"] >= 0


async def test_a_handler_that_raises_is_detached_and_logged_once(
    app: LiveViewApp, caplog: pytest.LogCaptureFixture
) -> None:
    calls = 0

    def broken(event: str, measurements: dict[str, Any], metadata: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1
        raise ValueError("a bug in the handler")

    handler_id = telemetry.attach("liveview.handle_event.stop", broken)
    try:
        async with LiveViewTestClient(app) as client:
            view = await client.live("/")
            with caplog.at_level(logging.ERROR, logger="liveview.telemetry"):
                assert '<p id="n">1</p>' in await view.click("add")
                assert '<p id="n">2</p>' in await view.click("add")  # the view is fine
    finally:
        assert telemetry.detach(handler_id) is False  # already detached
    assert calls == 1
    logged = [r for r in caplog.records if r.name == "liveview.telemetry"]
    assert len(logged) == 1 and handler_id in logged[0].getMessage()
    assert not telemetry.hooks.handle_event


async def test_nothing_attached_means_no_event_is_built(
    app: LiveViewApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("telemetry ran with nothing attached")

    monkeypatch.setattr(telemetry, "emit", fail)
    monkeypatch.setattr(telemetry, "span", fail)
    monkeypatch.setattr(telemetry, "sync_span", fail)
    assert not any(getattr(telemetry.hooks, flag) for flag in telemetry.Hooks.__slots__)
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        await view.click("add")
        await view.click("inc", phx_target="#card")
        await app.pubsub.publish(TOPIC, {"n": 7})
        await view.wait_for(lambda html: ">7<" in html)


def test_flags_follow_attach_and_detach() -> None:
    def handler(event: str, measurements: dict[str, Any], metadata: dict[str, Any]) -> None:
        pass

    assert not telemetry.hooks.render
    first = telemetry.attach("liveview.render.stop", handler)
    second = telemetry.attach(["liveview.render.start", "liveview.pubsub.gap"], handler)
    assert telemetry.hooks.render and telemetry.hooks.pubsub and not telemetry.hooks.mount
    assert telemetry.detach(first)
    assert telemetry.hooks.render  # the second still listens
    assert telemetry.detach(second)
    assert not telemetry.hooks.render and not telemetry.hooks.pubsub


def test_bad_input_to_attach_is_refused_clearly() -> None:
    def handler(event: str, measurements: dict[str, Any], metadata: dict[str, Any]) -> None:
        pass

    with pytest.raises(
        ValueError, match=r"no telemetry event is named 'liveview\.handle_evnt\.stop'"
    ):
        telemetry.attach("liveview.handle_evnt.stop", handler)
    with pytest.raises(ValueError, match="no event names"):
        telemetry.attach([], handler)
    with pytest.raises(TypeError, match="must be callable"):
        telemetry.attach("liveview.render.stop", "print")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="strings"):
        telemetry.attach([b"liveview.render.stop"], handler)  # type: ignore[list-item]
    with (
        telemetry.attached("liveview.render.stop", handler) as handler_id,
        pytest.raises(ValueError, match="already attached"),
    ):
        telemetry.attach("liveview.mount.stop", handler, id=handler_id)
    assert telemetry.detach("no-such-handler") is False
    assert not telemetry.hooks.render and not telemetry.hooks.mount


async def test_a_cancelled_callback_still_ends_its_span() -> None:
    events: list[str] = []
    started = asyncio.Event()

    async def slow() -> None:
        started.set()
        await asyncio.sleep(60)

    with telemetry.attached(
        ["liveview.handle_info.start", "liveview.handle_info.exception"],
        lambda event, m, md: events.append(f"{event}:{md.get('kind')}"),
    ):
        task = asyncio.create_task(telemetry.span("liveview.handle_info", {}, slow()))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert events == [
        "liveview.handle_info.start:None",
        "liveview.handle_info.exception:CancelledError",
    ]
