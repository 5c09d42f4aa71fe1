"""Telemetry: named events with measurements and metadata, for handlers you attach.

The model is Erlang's `:telemetry` as Phoenix LiveView uses it: the framework *emits* events,
an app *attaches* handlers to the names it cares about, and nothing else happens::

    from liveview import telemetry

    def log_slow_events(event, measurements, metadata):
        if measurements["duration"] > 50_000_000:  # nanoseconds
            print(event, metadata["view"].__name__, metadata["event"])

    telemetry.attach("liveview.handle_event.stop", log_slow_events)

A callback of a LiveView is a *span* of three events: `<name>.start` before it runs,
`<name>.stop` when it returned, `<name>.exception` when it raised (then the exception goes on
as before). Pub/sub emits single events. `EVENTS` lists every name; docs/telemetry.md says what
each carries.

Process-wide, not per app, on purpose: the pub/sub hub is shared by every
`SingleProcessPubSub` in the process and backends know nothing of apps, OpenTelemetry's
providers and Python's `logging` are process-wide too, and a process serves one app in
practice. The metadata names the LiveView class, so a handler can tell apps' views apart.

Cost: when nothing is attached to a family of events, the framework pays one attribute read
(`hooks.<family>`) at each place that could emit one, and nothing more: no clock read, no
dict. Handlers run inline, in the LiveView's own task, so they must be quick; a handler that
raises is detached and logged once, and never breaks the LiveView that emitted the event.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any, TypeVar

logger = logging.getLogger("liveview.telemetry")

Handler = Callable[[str, dict[str, Any], dict[str, Any]], None]
"""`handler(event, measurements, metadata)`; what it returns is ignored."""

T = TypeVar("T")

SPANS = (
    "liveview.mount",
    "liveview.handle_params",
    "liveview.handle_event",
    "liveview.handle_info",
    "liveview.render",
    "liveview.component.update",
    "liveview.component.handle_event",
)
"""The callbacks emitted as spans: each is `.start`, `.stop` and `.exception`."""

PUBSUB_EVENTS = ("liveview.pubsub.publish", "liveview.pubsub.deliver", "liveview.pubsub.gap")

EVENTS: tuple[str, ...] = (
    *(f"{span}.{phase}" for span in SPANS for phase in ("start", "stop", "exception")),
    *PUBSUB_EVENTS,
)
"""Every event name the framework emits."""


class Hooks:
    """One flag per family of events, True while a handler is attached to one of them: the
    only thing the framework reads where an event could be emitted."""

    __slots__ = (
        "component_handle_event",
        "component_update",
        "handle_event",
        "handle_info",
        "handle_params",
        "mount",
        "pubsub",
        "render",
    )

    def __init__(self) -> None:
        self.mount = self.handle_params = self.handle_event = self.handle_info = False
        self.render = self.component_update = self.component_handle_event = False
        self.pubsub = False


hooks = Hooks()
"""The flags the framework reads (`if hooks.render: ...`); change them only by attaching."""

_handlers: dict[str, tuple[tuple[str, Handler], ...]] = {}
_ids = itertools.count(1)
_span_contexts = itertools.count(1)


def _family(event: str) -> str:
    """The `Hooks` flag of an event name: "liveview.component.update.stop" ->
    "component_update"; "liveview.pubsub.gap" -> "pubsub"."""
    parts = event.split(".")[1:]
    if parts[0] == "pubsub":
        return "pubsub"
    return "_".join(parts[:-1])


def _refresh() -> None:
    on = {_family(event) for event, handlers in _handlers.items() if handlers}
    for flag in Hooks.__slots__:
        setattr(hooks, flag, flag in on)


def attach(events: str | Iterable[str], handler: Handler, *, id: str | None = None) -> str:
    """Call `handler(event, measurements, metadata)` for each of `events` (a name or several,
    from `EVENTS`); returns the handler's id, for `detach`.

    Raises ValueError for a name that is not an event (a typo would otherwise never fire) or
    an id already attached; TypeError for a handler that is not callable.
    """
    names = [events] if isinstance(events, str) else list(events)
    if not names:
        raise ValueError("attach: no event names given")
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"telemetry event names are strings, not {type(name).__name__}")
        if name not in EVENTS:
            raise ValueError(
                f"no telemetry event is named {name!r}; the events are listed in "
                "liveview.telemetry.EVENTS"
            )
    if not callable(handler):
        raise TypeError(f"a telemetry handler must be callable, not {type(handler).__name__}")
    handler_id = id if id is not None else f"handler-{next(_ids)}"
    if any(handler_id == hid for pairs in _handlers.values() for hid, _ in pairs):
        raise ValueError(f"a telemetry handler with id {handler_id!r} is already attached")
    for name in dict.fromkeys(names):
        _handlers[name] = (*_handlers.get(name, ()), (handler_id, handler))
    _refresh()
    return handler_id


def detach(handler_id: str) -> bool:
    """Detach a handler from every event it was attached to; False if no such id was."""
    found = False
    for name, pairs in list(_handlers.items()):
        kept = tuple(pair for pair in pairs if pair[0] != handler_id)
        if len(kept) != len(pairs):
            found = True
            if kept:
                _handlers[name] = kept
            else:
                del _handlers[name]
    _refresh()
    return found


@contextlib.contextmanager
def attached(events: str | Iterable[str], handler: Handler) -> Iterator[str]:
    """`attach` for the length of a `with` block (tests, a measurement)."""
    handler_id = attach(events, handler)
    try:
        yield handler_id
    finally:
        detach(handler_id)


def emit(event: str, measurements: dict[str, Any], metadata: dict[str, Any]) -> None:
    """Call the handlers of `event`, in the order they were attached. A handler that raises
    is detached and logged (once: it is not called again)."""
    for handler_id, handler in _handlers.get(event, ()):
        try:
            handler(event, measurements, metadata)
        except Exception:
            detach(handler_id)
            logger.exception("telemetry handler %r raised on %s; it is detached", handler_id, event)


async def span(name: str, metadata: dict[str, Any], call: Awaitable[T]) -> T:
    """Await `call` (a callback not yet started) between `<name>.start` and `<name>.stop`, or
    `<name>.exception` if it raises (then the exception goes on). Start and stop get the same
    `metadata`, with a `span_context` that tells concurrent spans apart."""
    metadata["span_context"] = next(_span_contexts)
    began = time.perf_counter_ns()
    emit(f"{name}.start", {"system_time": time.time_ns()}, metadata)
    try:
        result = await call
    except BaseException as error:  # cancelled too: a started span always ends
        _exception(name, began, metadata, error)
        raise
    emit(f"{name}.stop", {"duration": time.perf_counter_ns() - began}, metadata)
    return result


def sync_span(
    name: str,
    metadata: dict[str, Any],
    call: Callable[[], T],
    stop_measurements: Callable[[T], dict[str, Any]] | None = None,
) -> T:
    """`span` for a synchronous call (a render); `stop_measurements(result)` adds to the
    stop event's measurements."""
    metadata["span_context"] = next(_span_contexts)
    began = time.perf_counter_ns()
    emit(f"{name}.start", {"system_time": time.time_ns()}, metadata)
    try:
        result = call()
    except BaseException as error:
        _exception(name, began, metadata, error)
        raise
    measurements: dict[str, Any] = {"duration": time.perf_counter_ns() - began}
    if stop_measurements is not None:
        measurements.update(stop_measurements(result))
    emit(f"{name}.stop", measurements, metadata)
    return result


def _exception(name: str, began: int, metadata: dict[str, Any], error: BaseException) -> None:
    emit(
        f"{name}.exception",
        {"duration": time.perf_counter_ns() - began},
        {**metadata, "kind": type(error).__name__, "exception": error},
    )
