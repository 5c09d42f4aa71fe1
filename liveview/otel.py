"""OpenTelemetry for LiveViews: spans and metrics from `liveview.telemetry`'s events.

Needs the extra: `pip install 'liveview[otel]'` (opentelemetry-api and -sdk). Set up your
providers and exporters as usual, then::

    from liveview import otel
    instrumentation = otel.instrument()      # the global providers; or pass your own
    ...
    instrumentation.uninstrument()           # detaches (or: `with otel.instrument(): ...`)

Spans: one per callback (`liveview.mount`, `liveview.handle_params`, `liveview.handle_event`,
`liveview.handle_info`, `liveview.render`, `liveview.component.update`,
`liveview.component.handle_event`), current while the callback runs, so the spans your own
code starts in a callback (a database query) are its children. Attributes: `liveview.view` (or
`liveview.component`), `liveview.socket_id`, `liveview.event`, `liveview.connected`,
`liveview.diff_bytes` (render). A callback that raises records the exception and sets the
span's status to ERROR.

Metrics (meter "liveview"): a histogram of each callback's duration in seconds
(`liveview.<callback>.duration`: its count is the number of calls), `liveview.exceptions`
(counter), `liveview.render.diff_size` (bytes), and for pub/sub `liveview.pubsub.messages`
(counter: published and delivered, by backend), `liveview.pubsub.deliveries` (messages times
local subscribers), `liveview.pubsub.message.size` (bytes), `liveview.pubsub.publish.duration`
(seconds until the broker took it) and `liveview.pubsub.gaps`. Topics are left out of metric
attributes: per-user topics would make one series per user.

Like `liveview.telemetry`, process-wide: one `instrument()` covers every app of the process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from liveview import telemetry
from liveview.pubsub.broker import install_hint

with install_hint("liveview.otel needs OpenTelemetry: pip install 'liveview[otel]'"):
    from opentelemetry import context as otel_context
    from opentelemetry import metrics, trace
    from opentelemetry.metrics import Counter, Histogram, MeterProvider
    from opentelemetry.trace import Span, Status, StatusCode, TracerProvider

SCOPE = "liveview"
"""The instrumentation scope's name: of the tracer and the meter."""

_NS = 1e-9


def instrument(
    *,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
) -> Instrumentation:
    """Attach handlers that turn LiveView telemetry into OpenTelemetry spans and metrics,
    through the given providers (default: the global ones)."""
    instrumentation = Instrumentation(
        trace.get_tracer(SCOPE, tracer_provider=tracer_provider),
        metrics.get_meter(SCOPE, meter_provider=meter_provider),
    )
    instrumentation.attach()
    return instrumentation


@dataclass
class _Open:
    span: Span
    token: Any  # what `context.attach` gave, for `context.detach`


@dataclass
class Instrumentation:
    """The handlers `instrument` attached; `uninstrument()` detaches them."""

    tracer: trace.Tracer
    meter: metrics.Meter
    _ids: list[str] = field(default_factory=list)
    _open: dict[int, _Open] = field(default_factory=dict)
    _durations: dict[str, Histogram] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in telemetry.SPANS:
            self._durations[name] = self.meter.create_histogram(
                f"{name}.duration", unit="s", description=f"Duration of {name} callbacks"
            )
        self._exceptions: Counter = self.meter.create_counter(
            "liveview.exceptions", description="Callbacks that raised"
        )
        self._diff_size: Histogram = self.meter.create_histogram(
            "liveview.render.diff_size", unit="By", description="Bytes of a render's diff"
        )
        self._messages: Counter = self.meter.create_counter(
            "liveview.pubsub.messages", description="Messages published and delivered"
        )
        self._deliveries: Counter = self.meter.create_counter(
            "liveview.pubsub.deliveries", description="Messages handed to local subscribers"
        )
        self._message_size: Histogram = self.meter.create_histogram(
            "liveview.pubsub.message.size", unit="By", description="Bytes of pub/sub messages"
        )
        self._publish_duration: Histogram = self.meter.create_histogram(
            "liveview.pubsub.publish.duration",
            unit="s",
            description="Seconds from publish until the broker took the message",
        )
        self._gaps: Counter = self.meter.create_counter(
            "liveview.pubsub.gaps", description="Topics told that messages may have been missed"
        )

    def attach(self) -> None:
        spans = [e for e in telemetry.EVENTS if e not in telemetry.PUBSUB_EVENTS]
        self._ids.append(telemetry.attach(spans, self._on_span_event))
        self._ids.append(telemetry.attach(telemetry.PUBSUB_EVENTS, self._on_pubsub_event))

    def uninstrument(self) -> None:
        """Detach the handlers; spans still open are ended."""
        for handler_id in self._ids:
            telemetry.detach(handler_id)
        self._ids.clear()
        for opened in self._open.values():
            opened.span.end()
        self._open.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.uninstrument()

    # the handlers --------------------------------------------------------------------------

    def _on_span_event(
        self, event: str, measurements: dict[str, Any], metadata: dict[str, Any]
    ) -> None:
        name, _, phase = event.rpartition(".")
        key = metadata["span_context"]
        if phase == "start":
            span = self.tracer.start_span(
                name, start_time=measurements["system_time"], attributes=_attributes(metadata)
            )
            token = otel_context.attach(trace.set_span_in_context(span))
            self._open[key] = _Open(span, token)
            return
        opened = self._open.pop(key, None)
        labels = _labels(metadata)
        self._durations[name].record(measurements["duration"] * _NS, labels)
        if phase == "exception":
            error = metadata["exception"]
            self._exceptions.add(
                1, {**labels, "liveview.callback": name, "error.type": metadata["kind"]}
            )
            if opened is not None:
                opened.span.record_exception(error)
                opened.span.set_status(Status(StatusCode.ERROR, f"{metadata['kind']}: {error}"))
        elif name == "liveview.render":
            self._diff_size.record(measurements["diff_bytes"], labels)
            if opened is not None:
                opened.span.set_attribute("liveview.diff_bytes", measurements["diff_bytes"])
        if opened is not None:
            otel_context.detach(opened.token)
            opened.span.end()

    def _on_pubsub_event(
        self, event: str, measurements: dict[str, Any], metadata: dict[str, Any]
    ) -> None:
        backend = {"liveview.pubsub.backend": metadata["backend"]}
        if event == "liveview.pubsub.gap":
            self._gaps.add(1, backend)
            return
        if event == "liveview.pubsub.publish":
            kind = {**backend, "liveview.pubsub.direction": "publish"}
            self._publish_duration.record(measurements["duration"] * _NS, backend)
        else:
            kind = {
                **backend,
                "liveview.pubsub.direction": "deliver",
                "liveview.pubsub.origin": metadata["origin"],
            }
            self._deliveries.add(measurements["subscribers"], backend)
        self._messages.add(1, kind)
        self._message_size.record(measurements["bytes"], kind)


def _labels(metadata: dict[str, Any]) -> dict[str, str]:
    """Metric attributes: the LiveView or component class (few values, unlike socket ids)."""
    if "component" in metadata:
        return {"liveview.component": metadata["component"].__qualname__}
    if "view" in metadata:
        return {"liveview.view": metadata["view"].__qualname__}
    return {}


def _attributes(metadata: dict[str, Any]) -> dict[str, str | bool | int]:
    """Span attributes."""
    attributes: dict[str, str | bool | int] = {
        **_labels(metadata),
    }
    if "socket_id" in metadata:
        attributes["liveview.socket_id"] = str(metadata["socket_id"])
    if "event" in metadata:
        attributes["liveview.event"] = str(metadata["event"])
    if "connected" in metadata:
        attributes["liveview.connected"] = bool(metadata["connected"])
    if "cid" in metadata:
        attributes["liveview.cid"] = int(metadata["cid"])
    return attributes
