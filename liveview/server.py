"""Serving with uvicorn: the websocket protocol we recommend, and `serve` used by the CLI.

A LiveView keeps its websocket open for as long as the tab lives, so what the server keeps per
connection is paid a thousand times over. `WebSocketProtocol` is uvicorn's websockets-sansio
protocol (uvicorn's default) with the same behaviour and less kept per connection (the figures
are in bench/README.md, "What changed"):

- its receive queue is a list and one future, not an `asyncio.Queue` (three deques and an
  Event);
- "the transport is writable" is a flag, with futures made only while it is paused, not an
  `asyncio.Event`;
- the handshake request and response are released once answered (uvicorn keeps both, and the
  websockets parser keeps the request's headers; they are copied into the ASGI scope first);
- a text frame can be written without the ASGI round trip (`SEND_TEXT`, an entry of the
  scope's `extensions`): a publish to N LiveViews writes N frames, and uvicorn's path (an
  ASGI message, a coroutine, websockets' frame objects) cost more than the rest of a shared
  diff's delivery. The frame is the same bytes; when it cannot be written at once (writing
  paused, closing, compression negotiated) the app sends through ASGI as before.

`liveview run` serves with `LiveViewServer` (below): uvicorn's server, draining on SIGTERM
within `--drain-timeout`; `--workers N` runs N of them on one port (`liveview.workers`), and
`--proxy-headers` trusts `X-Forwarded-*` from `--forwarded-allow-ips` (`liveview.forwarded`).

Use it with `liveview run module:app`, or with uvicorn itself: `uvicorn module:app --ws
liveview.server:WebSocketProtocol --ws-per-message-deflate false --ws-ping-interval 0
--ws-max-size 1048576`.

Compression is off by default (`--ws-per-message-deflate false`): browsers offer
permessage-deflate, and accepting it keeps a zlib compressor and decompressor per connection
and costs CPU per frame, to shrink diffs that are already small (bench/README.md has the
figures: several times the memory per LiveView). Turn it on for slow links with few connections.

Messages from the client are limited to 1 MiB (`--ws-max-size 1048576`; uvicorn's default is
16 MiB), as the app limits them itself (`LiveViewApp(max_frame_size)`): the server refuses a
larger frame from its header, before buffering it.

Websocket pings are left to the app (`--ws-ping-interval 0`): it closes websockets whose client
has been silent for 60 s, as Phoenix does (`liveview.channel.idle`), without a timer per
connection.

This relies on attributes uvicorn's protocol sets on itself (`UVICORN_ATTRIBUTES`), not on an
API: the version it was written against is pinned (`UVICORN_VERSION`), another version gets a
warning, and a protocol without those attributes refuses to start with a message naming the
fallback (`--ws websockets-sansio`, uvicorn's own).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import os
import struct
import sys
from typing import Any, Final

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from liveview.channel.connection import MAX_FRAME_SIZE, SEND_TEXT

UVICORN_VERSION = "0.54.0"
"""The uvicorn `WebSocketProtocol` was written against (and `pyproject.toml` pins)."""

UVICORN_ATTRIBUTES = ("queue", "writable", "handshake_complete")
"""What `WebSocketProtocol` replaces or reads on uvicorn's protocol: instance attributes set in
`WebSocketsSansIOProtocol.__init__`, checked when a connection starts. It also clears
`request` and `response`, which uvicorn sets in `handle_connect`."""

_logger = logging.getLogger("liveview")

if uvicorn.__version__ != UVICORN_VERSION:
    _logger.warning(
        "liveview.server.WebSocketProtocol was written for uvicorn %s, not %s; if websockets "
        "misbehave, serve with uvicorn's own: --ws websockets-sansio",
        UVICORN_VERSION,
        uvicorn.__version__,
    )


class _Inbox:
    """The part of `asyncio.Queue` uvicorn uses, for one consumer: a list and one future."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def get(self) -> Any:
        while not self._items:
            self._waiter = waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                if self._waiter is waiter:
                    self._waiter = None
        return self._items.pop(0)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)


class _Writable:
    """The part of `asyncio.Event` uvicorn uses; waiters exist only while writing is paused."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = True
        self._waiters: list[asyncio.Future[bool]] = []

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(True)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        return await waiter


_TEXT_FIN: Final = 0x81  # FIN bit and the text opcode: one unfragmented text frame


def text_frame_header(length: int) -> bytes:
    """The header of an unmasked (server to client) text frame of `length` bytes (RFC 6455)."""
    if length < 126:
        return bytes((_TEXT_FIN, length))
    if length < 65536:
        return struct.pack("!BBH", _TEXT_FIN, 126, length)
    return struct.pack("!BBQ", _TEXT_FIN, 127, length)


SEND_TIMEOUT_ENV = "LIVEVIEW_SEND_TIMEOUT"
DEFAULT_SEND_TIMEOUT = 15.0
"""Seconds a websocket may stay unwritable (its client not reading) before it is dropped."""


def _send_timeout() -> float | None:
    value = os.environ.get(SEND_TIMEOUT_ENV)
    if not value:
        return DEFAULT_SEND_TIMEOUT
    timeout = float(value)
    return timeout if timeout > 0 else None


class WebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol, keeping less per connection (see the module), and
    dropping a client that stops reading.

    A client that stops reading (a stalled tab, a half-dead network, a hostile peer keeping its
    TCP window shut) makes every write to it wait: its LiveViews' diffs, their error push, the
    close of an idle connection. So, as Cowboy's `send_timeout` does for Phoenix: once the
    transport's buffer is full (uvicorn pauses writing), the client has `send_timeout` seconds
    (`$LIVEVIEW_SEND_TIMEOUT`, default 15; 0: never) to read before the connection is aborted;
    and a close is never waited on: to a client that does not read, it is an abort. While a
    connection waits, what it holds is bounded: the transport's buffer (its high-water mark and
    one frame) and its LiveViews' mailboxes (`ChannelConfig.mailbox_size`).
    """

    send_timeout: float | None = None  # set per instance from the environment

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        missing = [name for name in UVICORN_ATTRIBUTES if not hasattr(self, name)]
        if missing:
            raise RuntimeError(
                f"uvicorn {uvicorn.__version__}'s websocket protocol has no {missing}: serve "
                "with uvicorn's own (--ws websockets-sansio) or pin uvicorn " + UVICORN_VERSION
            )
        self.queue = _Inbox()  # type: ignore[assignment]
        self._writable = _Writable()
        self.writable = self._writable  # type: ignore[assignment]
        self.send_timeout = _send_timeout()
        self._stall_timer: asyncio.TimerHandle | None = None

    def pause_writing(self) -> None:
        super().pause_writing()
        if self.send_timeout is not None and self._stall_timer is None:
            self._stall_timer = self.loop.call_later(self.send_timeout, self._stalled)

    def resume_writing(self) -> None:
        super().resume_writing()
        self._cancel_stall_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_stall_timer()
        super().connection_lost(exc)

    def _cancel_stall_timer(self) -> None:
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None

    def _stalled(self) -> None:
        self._stall_timer = None
        _logger.warning(
            "websocket from %s dropped: it read nothing for %.0f s (%d bytes waiting)",
            f"{self.client[0]}:{self.client[1]}" if self.client else "?",
            self.send_timeout,
            self.transport.get_write_buffer_size(),
        )
        self.transport.abort()  # connection_lost follows: waiting sends fail, the app ends

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        # The scope holds copies of what the app needs; uvicorn reads the request only above.
        self.request = None  # type: ignore[assignment]
        # websockets' parser keeps the request object for the connection's lifetime.
        event.headers.clear()
        extensions: dict[str, Any] | None = self.scope.get("extensions")
        if extensions is not None:
            extensions[SEND_TEXT] = self.send_text

    def send_text(self, text: str) -> bool:
        """Write `text` as one frame now, as uvicorn would through ASGI; False (nothing
        written) unless the connection is open, writable and uncompressed."""
        if (
            not self._writable._set
            or not self.handshake_complete
            or self.close_sent
            or self.disconnected
            or self.conn.extensions
            or self.transport.is_closing()
        ):
            return False
        data = text.encode()
        self.transport.write(text_frame_header(len(data)) + data)
        return True

    async def send(self, message: Any) -> None:
        if not self._writable._set and message["type"] == "websocket.close":
            self.transport.abort()  # a close to a client that does not read: never wait on it
            return
        await super().send(message)
        if self.handshake_complete and self.response is not None:
            self.response = None  # type: ignore[assignment]  # written: not needed again


TEMPLATE_FILES = ("*.py", "*.html", "*.jinja", "*.jinja2", "*.j2")
"""What `--reload` watches: Python files and template files."""

DEFAULT_DRAIN_TIMEOUT = 5
"""Seconds a worker told to stop (SIGTERM) waits for its connections to close, and then again
at most for the app's shutdown (lifespan) callbacks and pub/sub flush (`--drain-timeout`)."""


def find_live_app(app: object) -> Any:
    """The `LiveViewApp` inside an ASGI app: itself, or under middleware (`.app`) or a
    Starlette `Mount`; None if there is none."""
    from liveview.app import LiveViewApp

    seen: set[int] = set()
    todo = [app]
    while todo:
        candidate = todo.pop(0)
        if id(candidate) in seen or len(seen) > 64:
            continue
        seen.add(id(candidate))
        if isinstance(candidate, LiveViewApp):
            return candidate
        inner = getattr(candidate, "app", None)
        if inner is not None:
            todo.append(inner)
        for route in getattr(candidate, "routes", None) or ():
            if getattr(route, "app", None) is not None:
                todo.append(route.app)
    return None


class LiveViewConfig(uvicorn.Config):
    """uvicorn's `Config`, with `X-Forwarded-Host` among the proxy headers (`forwarded`, from
    `forwarded_allow_ips` only; uvicorn's own `proxy_headers` stays off) and a drain time."""

    def __init__(
        self,
        app: Any,
        *,
        forwarded: bool = False,
        drain_timeout: int = DEFAULT_DRAIN_TIMEOUT,
        **options: Any,
    ) -> None:
        super().__init__(
            app, proxy_headers=False, timeout_graceful_shutdown=drain_timeout, **options
        )
        self.forwarded = forwarded
        self.drain_timeout = drain_timeout

    def load(self) -> None:
        super().load()
        if self.forwarded:
            from liveview.forwarded import ForwardedHeaders

            self.loaded_app = ForwardedHeaders(self.loaded_app, self.forwarded_allow_ips)


class LiveViewServer(uvicorn.Server):
    """uvicorn's `Server`, draining on SIGTERM within a bounded time.

    uvicorn's shutdown already stops accepting (the listening socket closes: a load balancer
    sends the next connection elsewhere) and closes each websocket with code 1012 ("service
    restart"), from which the official client reconnects at once (any code but 1000, on which
    it reloads the page); the page's forms are sent again on rejoin (form recovery). Here the
    app is told first (`LiveViewApp.draining`, for a readiness check to answer 503), its
    long-poll sessions end (their clients start over elsewhere), connections get
    `drain_timeout` seconds to close, and the lifespan's shutdown (the app's `lifespan=`
    callbacks, then its pub/sub: what is queued is published before it closes) gets at most as
    long again: then the process exits whatever is left.
    """

    config: LiveViewConfig

    async def shutdown(self, sockets: list[Any] | None = None) -> None:
        app = find_live_app(self.config.loaded_app)
        if app is not None:
            app.draining = True
            # Held polls are answered now (session gone), so long-poll clients start over on
            # another worker instead of holding this one open for a poll's full 10 s.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.config.drain_timeout):
                    await app.longpoll.close()
        timeout = self.config.drain_timeout
        _logger.info(
            "draining: new connections go elsewhere; %.0f s for open ones to close", timeout
        )
        lifespan = self.lifespan
        self.lifespan = _Bounded(lifespan, timeout)
        await super().shutdown(sockets)


class _Bounded:
    """A lifespan whose shutdown gives up after `timeout` seconds."""

    def __init__(self, lifespan: Any, timeout: int) -> None:
        self._lifespan = lifespan
        self._timeout = timeout

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lifespan, name)

    async def shutdown(self) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._lifespan.shutdown()
        except TimeoutError:
            _logger.error(
                "the app's shutdown did not finish within %.0f s (--drain-timeout): exiting",
                self._timeout,
            )


def serve(
    app: str,
    host: str,
    port: int,
    reload: bool = False,
    max_frame_size: int = MAX_FRAME_SIZE,
    *,
    log_level: str = "info",
    workers: int = 1,
    drain_timeout: int = DEFAULT_DRAIN_TIMEOUT,
    ws_per_message_deflate: bool = False,
    proxy_headers: bool = False,
    forwarded_allow_ips: str | None = None,
) -> None:
    """Run `app` ("module:attribute") with uvicorn as we recommend: our websocket protocol, no
    compression, client messages up to `max_frame_size` bytes, `workers` processes sharing
    the port, each draining on SIGTERM (`LiveViewServer`)."""
    sys.path.insert(0, os.getcwd())
    config = LiveViewConfig(
        app,
        host=host,
        port=port,
        reload=reload,
        # templates are code too: a saved template file restarts the server like a .py file
        reload_includes=list(TEMPLATE_FILES) if reload else None,
        workers=workers,
        ws=f"{__name__}:WebSocketProtocol",
        ws_per_message_deflate=ws_per_message_deflate,
        ws_ping_interval=None,  # the app closes silent websockets itself (channel/idle.py)
        ws_max_size=max_frame_size,  # a larger frame: closed with 1009 from its header
        forwarded=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        drain_timeout=drain_timeout,
        log_level=log_level,
        log_config=log_config(log_level),
    )
    run(config)


def run(config: LiveViewConfig) -> None:
    """Serve `config`: reloading, in `config.workers` processes, or in this one."""
    from uvicorn.supervisors import ChangeReload

    from liveview.workers import Workers

    server = LiveViewServer(config)
    try:
        if config.should_reload:
            ChangeReload(config, target=server.run, sockets=[config.bind_socket()]).run()
        elif config.workers > 1:
            Workers(config).run()
        else:
            server.run()
    except KeyboardInterrupt:
        pass
    if not server.started and not config.should_reload and config.workers == 1:
        sys.exit(STARTUP_FAILURE)


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, and liveview's own logger with the time and level on each line (not
    Python's last-resort handler, which prints bare messages and drops INFO)."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["liveview"] = {
        "()": "logging.Formatter",
        "fmt": "%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    }
    config["handlers"]["liveview"] = {
        "formatter": "liveview",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["liveview"] = {
        "handlers": ["liveview"],
        "level": level.upper(),
        "propagate": False,
    }
    return config
