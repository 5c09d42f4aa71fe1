"""liveview.otel with the real OpenTelemetry SDK: in-memory span exporter and metric reader."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from liveview import LiveView, LiveViewApp, LiveViewSocket, otel, telemetry
from liveview.pubsub import SingleProcessPubSub
from liveview.testing import LiveViewCrashed, LiveViewTestClient

TOPIC = "otel-test"


class Shop(LiveView):
    template = '<p id="n">{{ n }}</p>'

    def __init__(self) -> None:
        self.tracer = trace.get_tracer("shop", tracer_provider=PROVIDER)

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(n=0)
        await socket.subscribe(TOPIC)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "boom":
            raise KeyError("no such item")
        with self.tracer.start_as_current_span("load cart"):  # the app's own span
            socket.assign(n=socket.assigns.n + 1)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(n=info["n"])


EXPORTER = InMemorySpanExporter()
PROVIDER = TracerProvider()
PROVIDER.add_span_processor(SimpleSpanProcessor(EXPORTER))


@pytest.fixture
def reader() -> Iterator[InMemoryMetricReader]:
    reader = InMemoryMetricReader()
    EXPORTER.clear()
    with otel.instrument(
        tracer_provider=PROVIDER, meter_provider=MeterProvider(metric_readers=[reader])
    ):
        yield reader
    assert not any(getattr(telemetry.hooks, flag) for flag in telemetry.Hooks.__slots__)


def spans(name: str) -> list[ReadableSpan]:
    return [span for span in EXPORTER.get_finished_spans() if span.name == name]


def metric_points(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    data = reader.get_metrics_data()
    assert data is not None
    found: dict[str, list[Any]] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found.setdefault(metric.name, []).extend(metric.data.data_points)
    return found


async def test_callbacks_become_spans_with_the_apps_own_spans_inside(
    reader: InMemoryMetricReader,
) -> None:
    app = LiveViewApp(routes={"/": Shop}, secret="s", pubsub=SingleProcessPubSub())
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        await view.click("add")
    mounts = spans("liveview.mount")
    assert [span.attributes["liveview.connected"] for span in mounts] == [False, True]
    assert {span.attributes["liveview.view"] for span in mounts} == {"Shop"}
    (event,) = spans("liveview.handle_event")
    assert event.attributes is not None
    assert event.attributes["liveview.event"] == "add"
    assert event.attributes["liveview.socket_id"] == view.topic.removeprefix("lv:")
    assert event.status.status_code is StatusCode.UNSET
    (own,) = spans("load cart")
    assert own.parent is not None and own.parent.span_id == event.context.span_id
    renders = spans("liveview.render")
    assert renders[-1].attributes is not None
    assert renders[-1].attributes["liveview.diff_bytes"] == len(b'{"0":"1"}')
    assert renders[-1].parent is None  # after the event's span ended, not inside it

    points = metric_points(reader)
    (handle_event,) = points["liveview.handle_event.duration"]
    assert handle_event.count == 1 and handle_event.attributes == {"liveview.view": "Shop"}
    assert handle_event.sum > 0
    assert sum(p.count for p in points["liveview.mount.duration"]) == 2
    assert sum(p.count for p in points["liveview.render.diff_size"]) == len(renders)


async def test_an_exception_sets_the_span_status_and_counts(
    reader: InMemoryMetricReader,
) -> None:
    app = LiveViewApp(routes={"/": Shop}, secret="s", pubsub=SingleProcessPubSub())
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        with pytest.raises(LiveViewCrashed):
            await view.click("boom")
    (event,) = spans("liveview.handle_event")
    assert event.status.status_code is StatusCode.ERROR
    assert "KeyError" in (event.status.description or "")
    assert [e.name for e in event.events] == ["exception"]
    (exceptions,) = metric_points(reader)["liveview.exceptions"]
    assert exceptions.value == 1
    assert exceptions.attributes == {
        "liveview.view": "Shop",
        "liveview.callback": "liveview.handle_event",
        "error.type": "KeyError",
    }


async def test_pubsub_messages_are_counted(reader: InMemoryMetricReader) -> None:
    app = LiveViewApp(routes={"/": Shop}, secret="s", pubsub=SingleProcessPubSub())
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        await app.pubsub.publish(TOPIC, {"n": 9})
        await view.wait_for(lambda html: ">9<" in html)
    points = metric_points(reader)
    messages = {
        p.attributes["liveview.pubsub.direction"]: p.value
        for p in points["liveview.pubsub.messages"]
    }
    assert messages == {"publish": 1, "deliver": 1}
    (deliveries,) = points["liveview.pubsub.deliveries"]
    assert deliveries.value == 1  # one LiveView subscribed
    sizes = points["liveview.pubsub.message.size"]
    assert {p.sum for p in sizes} == {len(b'{"n":9}')}
    assert len(spans("liveview.handle_info")) == 1


def test_without_the_extra_the_import_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "liveview.otel")
    with pytest.raises(ImportError, match=r"pip install 'liveview\[otel\]'"):
        importlib.import_module("liveview.otel")
