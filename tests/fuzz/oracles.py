"""The oracles: what every run of the fuzz suite must hold, whatever it sent.

(a) `check_frame`: every frame the server sends is a text frame holding a 5-element JSON array
    `[join_ref, ref, topic, event, payload]` whose event is one the protocol names
    (`liveview.channel.protocol`) and whose payload is an object; a reply carries a status
    (`ok` / `error`) and an object response.
(b) `LogRecorder`: no traceback is logged but the app's intended one. It listens, while the app
    runs, to the `liveview` logger, the root logger (so `asyncio` too), `uvicorn.error` (where
    uvicorn puts "Exception in ASGI application") and the event loop's exception handler.
(c) and (d), the final heartbeat and "healthy after", are checked by the driver (`driver.py`).
(e) `memory()`: VmRSS and VmHWM of this process from /proc/self/status, after `gc.collect()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import re
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from liveview.channel.protocol import (
    CLOSE,
    DIFF,
    ERROR,
    FAILED,
    LIVE_PATCH,
    LIVE_REDIRECT,
    OK,
    REDIRECT,
    REPLY,
)

PROTOCOL_EVENTS = frozenset({REPLY, ERROR, CLOSE, DIFF, LIVE_PATCH, LIVE_REDIRECT, REDIRECT})
"""The events a server may send (client -> server events never come back)."""


class ProtocolViolation(AssertionError):
    """A frame from the server that the official client could not take as a protocol message."""


def check_frame(data: str | bytes) -> str:
    """Check one server frame against oracle (a); return its label for the tally of replies
    (`diff`, `phx_reply ok: joined`, `phx_reply error: unmatched topic`...)."""
    if not isinstance(data, str):
        raise ProtocolViolation(f"binary frame from the server: {data[:200]!r}")
    try:
        frame = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise ProtocolViolation(f"not JSON: {data[:200]!r}") from None
    if not isinstance(frame, list) or len(frame) != 5:
        raise ProtocolViolation(f"not a 5-element array: {data[:200]!r}")
    join_ref, ref, topic, event, payload = frame
    if not (join_ref is None or isinstance(join_ref, str)):
        raise ProtocolViolation(f"join_ref neither a string nor null: {data[:200]!r}")
    if not (ref is None or isinstance(ref, str)):
        raise ProtocolViolation(f"ref neither a string nor null: {data[:200]!r}")
    if not isinstance(topic, str) or not topic:
        raise ProtocolViolation(f"topic not a non-empty string: {data[:200]!r}")
    if event not in PROTOCOL_EVENTS:
        raise ProtocolViolation(f"event {event!r} is not one of the protocol's: {data[:200]!r}")
    if not isinstance(payload, dict):
        raise ProtocolViolation(f"payload not an object: {data[:200]!r}")
    if event != REPLY:
        return str(event)
    status, response = payload.get("status"), payload.get("response")
    if status not in (OK, FAILED) or not isinstance(response, dict):
        raise ProtocolViolation(f"reply without a status and an object response: {data[:200]!r}")
    return f"{REPLY} {status}{_detail(status, response)}"


def _detail(status: str, response: dict[str, Any]) -> str:
    if status == OK:
        for key, label in (("rendered", "joined"), (DIFF, "diff")):
            if key in response:
                return f": {label}"
        return f": {next(iter(response))}" if response else ""
    reason = response.get("reason")
    if isinstance(reason, str):
        # "unknown event 'x'" -> "unknown event": the tally groups by reason, not by name
        return ": " + re.split("['\"]", reason, maxsplit=1)[0].strip()
    return f": {next(iter(response))}" if response else ""


@dataclass
class Traceback:
    """One logged exception: where it was logged, its message, the formatted traceback."""

    logger: str
    message: str
    exception: str
    text: str


class LogRecorder(logging.Handler):
    """Every record logged while `installed()`: counts by level and by message, and each
    traceback, sorted into the intended (an `intended` exception) and the unexpected (the
    first `keep` of them are kept in full)."""

    def __init__(self, intended: type[BaseException], keep: int = 20) -> None:
        super().__init__(logging.DEBUG)
        self.intended = intended
        self.keep = keep
        self.levels: Counter[str] = Counter()
        self.messages: Counter[str] = Counter()
        self.intended_count = 0
        self.intended_by: Counter[str] = Counter()
        """The intended tracebacks by their exception's message (which callback raised)."""
        self.unexpected_count = 0
        self.unexpected: list[Traceback] = []

    LOGGERS = ("liveview", "uvicorn.error", "")
    """`liveview` stops propagating while recorded (see `installed`); "" is the root logger."""

    @contextlib.contextmanager
    def installed(self) -> Iterator[LogRecorder]:
        """Record while the block runs, from zero. The `liveview` logger's records stop here
        instead of going on to the root logger: the suite logs a warning per malformed frame,
        and pytest (or Python's last-resort handler) would keep or print each one."""
        self.reset()
        own = logging.getLogger("liveview")
        propagate = own.propagate
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)
        own.propagate = False
        loop: asyncio.AbstractEventLoop | None = None
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()
        previous = loop.get_exception_handler() if loop is not None else None
        if loop is not None:
            loop.set_exception_handler(self._on_loop_error)
        try:
            yield self
        finally:
            if loop is not None:
                loop.set_exception_handler(previous)
            own.propagate = propagate
            for name in self.LOGGERS:
                logging.getLogger(name).removeHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "fuzz_recorded", False):  # reached us on two loggers
            return
        record.fuzz_recorded = True
        self.levels[record.levelname] += 1
        self.messages[f"{record.levelname} {record.msg}"] += 1
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            try:
                message = record.getMessage()
            except Exception:
                message = str(record.msg)
            self._traceback(record.name, message, error)

    def _on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        message = str(context.get("message", "event loop error"))
        if isinstance(error, BaseException):
            self._traceback("asyncio (loop exception handler)", message, error)
        else:
            self.unexpected_count += 1
            if len(self.unexpected) < self.keep:
                self.unexpected.append(Traceback("asyncio", message, "", repr(context)))

    def _traceback(self, logger: str, message: str, error: BaseException) -> None:
        if isinstance(error, self.intended):
            self.intended_count += 1
            self.intended_by[str(error)[:100]] += 1
            return
        self.unexpected_count += 1
        if len(self.unexpected) < self.keep:
            text = "".join(traceback.format_exception(error))
            self.unexpected.append(Traceback(logger, message, repr(error)[:300], text))

    def summary(self) -> dict[str, Any]:
        return {
            "levels": dict(self.levels),
            "messages": dict(self.messages),
            "intended_tracebacks": self.intended_count,
            "intended_by": dict(self.intended_by),
            "unexpected_tracebacks": self.unexpected_count,
            "unexpected": [vars(entry) for entry in self.unexpected],
        }

    def reset(self) -> None:
        self.levels.clear()
        self.messages.clear()
        self.intended_by.clear()
        self.intended_count = self.unexpected_count = 0
        self.unexpected.clear()


def memory(pid: int | str = "self", *, collect: bool = True) -> dict[str, int]:
    """VmRSS and VmHWM (the peak) in KB, from /proc/<pid>/status; `collect` runs the garbage
    collector first (meaningful for this process only)."""
    if collect and pid == "self":
        gc.collect()
    found: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[f"{key[2:].lower()}_kb"] = int(rest.split()[0])
    return found
