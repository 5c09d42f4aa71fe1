"""`LiveViewApp`: the ASGI app — routes, lifecycle, the websocket endpoint, client assets.

An HTTP GET of a LiveView route is the dead render (`liveview.static`); the official client
then joins over `<live_path>/websocket`, where a `Connection` carries every LiveView of the
tab. The app can be served alone or mounted inside a Starlette or FastAPI app
(`Mount("/prefix", app=live_app)`); its URLs follow the mount point.
"""

from __future__ import annotations

import asyncio
import logging
import os
import warnings
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from liveview.channel.config import ChannelConfig, RouteMatch
from liveview.channel.connection import MAX_FRAME_SIZE, SEND_TEXT, Connection
from liveview.channel.idle import IDLE_TIMEOUT, IdleSweeper
from liveview.channel.live_sockets import LiveSockets
from liveview.channel.longpoll import LongPoll
from liveview.forwarded import FORWARDED_PROTO
from liveview.on_mount import OnMount, checked_hooks
from liveview.presence import Presence, presence_of
from liveview.presence.tracker import namespace_for
from liveview.pubsub import PubSub, SingleProcessPubSub
from liveview.readiness import DEFAULT_PATH as DEFAULT_HEALTH_PATH
from liveview.readiness import Readiness
from liveview.routing import LiveSession
from liveview.session import (
    CSRF_COOKIE,
    DEFAULT_MAX_AGE,
    FLASH_COOKIE,
    SECRET_ENV,
    InvalidToken,
    TokenSigner,
    resolve_secret,
)
from liveview.static import LAYOUTS_DIR, DeadRender, load_layout, set_flash_cookie
from liveview.template.components import component_classes
from liveview.view import LiveView, compile_now

DEBUG_ENV = "LIVEVIEW_DEBUG"
"""Set to 1 to turn debug on for apps that do not say (`liveview run --debug` sets it)."""

logger = logging.getLogger("liveview")

STATIC_DIR = Path(__file__).parent / "static"


def __getattr__(name: str) -> Any:
    if name == "DEFAULT_LAYOUT":
        warnings.warn(
            'liveview.app.DEFAULT_LAYOUT is deprecated: extend "liveview/layout.html" instead',
            DeprecationWarning,
            stacklevel=2,
        )
        return LAYOUTS_DIR / "layout.html"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class LiveViewApp:
    """An ASGI app serving LiveViews at the given paths (Starlette path syntax)::

        app = LiveViewApp({"/": Counter, "/users/{id:int}": UserPage}, pubsub=RedisPubSub(url))

    Parameters:

    - `routes`: path -> LiveView class; path params reach `mount` and `handle_params`.
    - `live_sessions`: `LiveSession`s, groups of routes live navigation moves between without
      a page load (a route in `routes` is on its own: see `liveview.routing`).
    - `embedded`: name -> LiveView class, for the layout's `live_render(name)`.
    - `pubsub`: the backend (default: `SingleProcessPubSub()`, one process only).
    - `secret`: signs the tokens; default `$LIVEVIEW_SECRET`, else random per process. A
      list rotates secrets: the first signs, every one verifies.
    - `max_age`: seconds a page's tokens stay good (two weeks by default); a tab older than
      that loads the page again when it reconnects.
    - `on_mount`: hooks run before every LiveView's `mount`, dead and connected (before a live
      session's own; see `liveview.on_mount`).
    - `layout`: Jinja source or a `Path` (it may extend `"liveview/layout.html"`); `title` is
      the default page title, `head` markup added to the default layout's head.
    - `check_origin`: True (same host only), False, or a list of allowed origins.
    - `live_path`, `assets_path`: where the websocket and the client's assets are served.
    - `max_frame_size`: the largest message a client may send, in bytes (default 1 MiB; `None`:
      no limit); a larger one closes its websocket with code 1009, whatever the server allows
      (`liveview run` applies the same limit in the server: `--max-frame-size`).
    - `health_path`: where the readiness check answers (200 ready, 503 not: starting,
      draining, or the pub/sub broker disconnected; `liveview.readiness`); None: nowhere.
    - `extra_routes`, `middleware`, `lifespan`: as Starlette's; `lifespan` gets the app.
    - `debug` (default: $LIVEVIEW_DEBUG, `liveview run --debug`): Starlette's traceback page for
      HTTP errors, and crashes shown in the browser with the exception and the user's line
      (`liveview.crashes`); never in production.
    """

    def __init__(
        self,
        routes: Mapping[str, type[LiveView]] | None = None,
        *,
        live_sessions: Sequence[LiveSession] = (),
        embedded: Mapping[str, type[LiveView]] | None = None,
        pubsub: PubSub | None = None,
        secret: str | Sequence[str] | None = None,
        max_age: int = DEFAULT_MAX_AGE,
        on_mount: Sequence[OnMount] = (),
        layout: str | Path | None = None,
        title: str = "LiveView",
        head: str = "",
        check_origin: bool | Sequence[str] = True,
        live_path: str = "/live",
        assets_path: str = "/assets",
        max_frame_size: int | None = MAX_FRAME_SIZE,
        health_path: str | None = DEFAULT_HEALTH_PATH,
        extra_routes: Sequence[BaseRoute] = (),
        middleware: Sequence[Middleware] = (),
        lifespan: Callable[[LiveViewApp], AbstractAsyncContextManager[Any]] | None = None,
        debug: bool | None = None,
    ) -> None:
        if debug is None:
            debug = os.environ.get(DEBUG_ENV, "").lower() in ("1", "true", "yes")
        self.debug = debug
        self.pubsub: PubSub = pubsub if pubsub is not None else SingleProcessPubSub()
        if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age <= 0:
            raise ValueError(f"max_age must be a positive number of seconds, not {max_age!r}")
        self.signer = TokenSigner(resolve_secret(secret), max_age=max_age)
        self.random_secret = not secret and not os.environ.get(SECRET_ENV)
        """Whether tokens are signed with a random secret of this process (no `secret`, no
        $LIVEVIEW_SECRET): another worker, or this one restarted, cannot verify them."""
        self.draining = False
        """Set when the server is shutting down (SIGTERM, `liveview.server.LiveViewServer`):
        open websockets are being closed for their clients to reconnect elsewhere, and a
        readiness check should answer 503."""
        self.on_mount = checked_hooks(on_mount, "LiveViewApp")
        self.live_sockets = LiveSockets(self.pubsub, max_age)
        presence_of(self.pubsub, namespace_for(secret))  # made now, with the app's namespace
        self.title = title
        self.head = Markup(head)
        self.check_origin = check_origin
        self.live_path = live_path.rstrip("/")
        self.assets_path = assets_path.rstrip("/")
        if max_frame_size is not None and (
            not isinstance(max_frame_size, int)
            or isinstance(max_frame_size, bool)
            or max_frame_size <= 0
        ):
            raise ValueError(
                f"max_frame_size must be a positive int or None, not {max_frame_size!r}"
            )
        self.max_frame_size = max_frame_size
        self._live_routes: list[Route] = []
        self._views: dict[str, tuple[type[LiveView], LiveSession | None]] = {}
        for path, view, live_session in _all_routes(routes or {}, live_sessions):
            endpoint = self._dead_render_endpoint(view, live_session)
            route = Route(path, endpoint=endpoint, methods=["GET"], name=path)
            self._live_routes.append(route)
            self._views[route.path] = (view, live_session)
        self._embedded = dict(embedded or {})
        if health_path is not None and (not isinstance(health_path, str) or health_path[:1] != "/"):
            raise ValueError(
                f"health_path must be a path starting with '/' or None, not {health_path!r}"
            )
        if health_path is not None and self.resolve(health_path) is not None:
            raise ValueError(
                f"health_path {health_path!r} is also a LiveView route: pass another "
                "health_path (or None to serve no readiness check)"
            )
        self.health_path = health_path
        self.readiness = Readiness(
            self.pubsub,
            started=lambda: self._started,
            draining=lambda: self.draining,  # set by `liveview run` on SIGTERM
        )
        """The readiness check served at `health_path` (`liveview.readiness`)."""
        # Templates compile now: a syntax error stops the app with its file and line, rather
        # than answering the first request with a 500.
        for view in {*(view for view, _ in self._views.values()), *self._embedded.values()}:
            compile_now(view)
        for component in component_classes():
            compile_now(component)
        self._dead_render = DeadRender(
            signer=self.signer,
            pubsub=self.pubsub,
            layout=load_layout(layout),
            title=title,
            head=self.head,
            live_path=self.live_path,
            assets_path=self.assets_path,
            embedded=self._embedded,
            debug=debug,
            on_mount=self.on_mount,
        )
        self.channel_config = ChannelConfig(
            signer=self.signer,
            pubsub=self.pubsub,
            resolve=self.resolve,
            embedded=self._embedded,
            on_mount=self.on_mount,
            live_sockets=self.live_sockets,
            debug=debug,
        )
        self.idle_sweeper = IdleSweeper(IDLE_TIMEOUT)
        """Closes websockets whose client has been silent for `idle_sweeper.timeout` seconds."""
        self._user_lifespan = lifespan
        self._lifespan_ran = False
        self._started = False
        self._start_lock = asyncio.Lock()
        self._warned_server = False  # served without our websocket protocol: said once
        if not (STATIC_DIR / "vendor" / "phoenix_live_view.min.js").exists():
            logger.warning(
                "The LiveView client is not installed in %s: pages render, but will not "
                "connect. In a checkout, run scripts/setup; installed, use a wheel built after "
                "it (docs/getting-started.md: Your own project).",
                STATIC_DIR / "vendor",
            )
        self.longpoll = LongPoll(self)
        """The long-poll endpoint and its sessions (`liveview.channel.longpoll`)."""
        self._socket_path = f"{self.live_path}/websocket"
        self._longpoll_path = f"{self.live_path}/longpoll"
        self._direct_websocket = not middleware
        self._app = Starlette(
            debug=debug,
            routes=[
                *self._live_routes,
                WebSocketRoute(f"{self.live_path}/websocket", _WebSocketEndpoint(self)),
                Route(f"{self.live_path}/longpoll", self.longpoll, methods=["GET", "POST"]),
                Mount(self.assets_path, app=StaticFiles(directory=STATIC_DIR), name="assets"),
                *(
                    [Route(health_path, endpoint=self.readiness.endpoint, methods=["GET"])]
                    if health_path is not None
                    else []
                ),
                *extra_routes,
            ],
            middleware=list(middleware),
            lifespan=self._lifespan,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            if not self._started and not self._is_probe(scope):
                await self.start()  # servers that send no lifespan events (or a mounted app)
                self._warn_if_lifespan_never_ran()
            if scope["type"] == "websocket" and self._direct_websocket and self._is_socket(scope):
                # Without middleware to run, skip Starlette's stack: its frames would stay
                # suspended for the websocket's lifetime (bench/README.md: memory per connection).
                await self._serve_websocket(scope, receive, send, owns_scope=True)
                return
            if scope["type"] == "http" and self._direct_websocket and self._is_longpoll(scope):
                await self.longpoll(scope, receive, send)  # a request per diff: no detours
                return
        await self._app(scope, receive, send)

    def _is_socket(self, scope: Scope) -> bool:
        return _path_in_app(scope) == self._socket_path

    def _is_longpoll(self, scope: Scope) -> bool:
        return _path_in_app(scope) == self._longpoll_path

    def _is_probe(self, scope: Scope) -> bool:
        """A request for the readiness check (which reads the state, never starts the app)."""
        return scope["type"] == "http" and _path_in_app(scope) == self.health_path

    @property
    def presence(self) -> Presence:
        """Who is on which topic (`track`, `list`), shared with every LiveView's socket."""
        return presence_of(self.pubsub)

    # lifecycle -----------------------------------------------------------------------------

    def running(self) -> AbstractAsyncContextManager[None]:
        """Run the app's lifespan (pub/sub, then `lifespan=`) around a block: for an outer
        Starlette or FastAPI app that mounts this one, whose lifespan events Starlette does
        not forward to mounted apps::

            @asynccontextmanager
            async def lifespan(outer):
                async with live_app.running():
                    yield

            outer = Starlette(routes=[Mount("/live", app=live_app)], lifespan=lifespan)
        """
        return self._lifespan(self._app)

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Pub/sub starts before the app's own lifespan (which may publish) and closes after."""
        self._lifespan_ran = True
        await self.start()
        try:
            if self._user_lifespan is None:
                yield
            else:
                async with self._user_lifespan(self):
                    yield
        finally:
            await self.close()

    def _warn_if_lifespan_never_ran(self) -> None:
        if self._user_lifespan is not None and not self._lifespan_ran:
            logger.warning(
                "LiveViewApp(lifespan=%s) has not run: this app got a request without its "
                "lifespan starting (Starlette does not forward lifespan events to a mounted "
                "app). In the outer app's lifespan: `async with live_app.running(): yield`.",
                getattr(self._user_lifespan, "__name__", self._user_lifespan),
            )

    async def start(self) -> None:
        if self._started:
            return
        async with self._start_lock:
            if not self._started:
                await self.pubsub.start()
                self._started = True

    async def close(self) -> None:
        if self._started:
            self._started = False
            await self.presence.close()
            await self.longpoll.close()
            await self.live_sockets.close()
            await self.pubsub.close()

    # sign-in and logout ---------------------------------------------------------------------

    async def disconnect(self, live_socket_id: str) -> None:
        """End the live views whose session has this `live_socket_id`, on every node of the
        app (through its pub/sub): each tab loads its page again over HTTP, so that a logout
        reaches the tabs already open. Their tokens from before are refused from now on
        (`liveview.channel.live_sockets`)."""
        await self.start()
        await self.live_sockets.disconnect(live_socket_id)

    def put_flash(self, response: Response, kind: str, message: str) -> None:
        """Set a flash message on a plain HTTP response (a redirect into a LiveView, say): the
        next page's LiveView shows it, once. Several calls on one response add up."""
        flash: dict[str, str] = dict(getattr(response, "_liveview_flash", {}))
        flash[str(kind)] = str(message)
        response._liveview_flash = flash  # type: ignore[attr-defined]
        response.raw_headers = [
            (name, value)
            for name, value in response.raw_headers
            if not (name == b"set-cookie" and value.startswith(FLASH_COOKIE.encode() + b"="))
        ]
        set_flash_cookie(response, self.signer.sign_flash(flash))

    # routing -------------------------------------------------------------------------------

    def resolve(self, path: str) -> RouteMatch | None:
        """The LiveView route of a path (relative to this app's mount point)."""
        scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
        for route in self._live_routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                view, live_session = self._views[route.path]
                if live_session is None:
                    return RouteMatch(
                        route.path, view, child["path_params"], on_mount=self.on_mount
                    )
                return RouteMatch(
                    route.path,
                    view,
                    child["path_params"],
                    live_session=live_session.name,
                    on_mount=(*self.on_mount, *live_session.on_mount),
                )
        return None

    # dead render ---------------------------------------------------------------------------

    def _dead_render_endpoint(
        self, view_class: type[LiveView], live_session: LiveSession | None
    ) -> Any:
        async def endpoint(request: Request) -> Response:
            return await self._dead_render.page(request, view_class, live_session)

        endpoint.__name__ = view_class.__name__
        return endpoint

    # websocket -----------------------------------------------------------------------------

    async def _serve_websocket(
        self, scope: Scope, receive: Receive, send: Send, *, owns_scope: bool = False
    ) -> None:
        websocket = WebSocket(scope, receive, send)
        refusal = self._refusal(websocket)
        if refusal is not None:
            logger.warning("websocket refused: %s", refusal)
            await websocket.close(code=1008)  # before accept: the client sees HTTP 403
            return
        stale = self._stale_csrf(websocket)
        await websocket.accept()
        del websocket  # its parsed headers, query and cookies are not needed again
        if owns_scope:  # no middleware holds the scope: drop the headers, checked above
            scope["headers"] = []
        root_path = str(scope.get("root_path", ""))
        send_text = scope.get("extensions", {}).get(SEND_TEXT)
        if send_text is None and not self._warned_server:
            self._warned_server = True
            logger.warning(
                "websockets are served without liveview.server.WebSocketProtocol (plain "
                "`uvicorn module:app`, or another server): it works, but uvicorn's own protocol "
                "accepts permessage-deflate (several times the memory and more CPU per "
                "LiveView; docs/serving.md). Serve with `liveview run module:app`, or add "
                "`--ws liveview.server:WebSocketProtocol --ws-per-message-deflate false "
                "--ws-ping-interval 0 --ws-max-size 1048576` to uvicorn."
            )
        await Connection(
            receive,
            send,
            self.channel_config,
            root_path,
            self.idle_sweeper,
            self.max_frame_size,
            stale=stale,
            # middleware sees every message its send is given: frames go through it then
            send_text=send_text if owns_scope else None,
        ).run()

    def _refusal(self, websocket: HTTPConnection) -> str | None:
        """Why a websocket is refused outright: another site's page (Phoenix's check_origin)."""
        origin = websocket.headers.get("origin")
        if origin is not None and not self._origin_allowed(origin, websocket):
            return f"origin {origin!r} not allowed"
        return None

    def _stale_csrf(self, websocket: HTTPConnection) -> str | None:
        """Why the page's CSRF token does not verify, if it does not. Such a socket is
        accepted, but every join on it is answered "stale", on which the client loads the
        page again and gets fresh tokens: a page rendered before a restart with a new secret
        recovers by itself instead of knocking at a closed door forever."""
        try:
            self.signer.verify_csrf(
                websocket.query_params.get("_csrf_token"), websocket.cookies.get(CSRF_COOKIE)
            )
        except InvalidToken as exc:
            logger.info("websocket with a stale CSRF token (%s): its pages will reload", exc)
            return str(exc)
        return None

    def _origin_allowed(self, origin: str, websocket: HTTPConnection) -> bool:
        """Phoenix's check_origin: by default only the page's own host may connect. Behind a
        trusted proxy (`liveview.forwarded`) that is the host and scheme the browser used:
        `X-Forwarded-Host` and `X-Forwarded-Proto`; a secure websocket needs an https page."""
        if self.check_origin is False:
            return True
        if self.check_origin is True:
            try:
                parts = urlsplit(origin)
            except ValueError:  # not a URL urllib can split (`http://[`): no host of ours
                return False
            scheme = websocket.scope.get(FORWARDED_PROTO)
            if scheme is None and websocket.scope.get("scheme") == "wss":
                scheme = "https"
            if scheme is not None and parts.scheme != scheme:
                return False
            return parts.netloc == websocket.headers.get("host")
        return origin in self.check_origin


def _path_in_app(scope: Scope) -> str:
    path: str = scope["path"]
    root = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _all_routes(
    routes: Mapping[str, type[LiveView]], live_sessions: Sequence[LiveSession]
) -> list[tuple[str, type[LiveView], LiveSession | None]]:
    """Every route with its live session (None for `routes`); a path or a live session's name
    given twice is an error, as Phoenix raises at compile time."""
    found: list[tuple[str, type[LiveView], LiveSession | None]] = [
        (path, view, None) for path, view in routes.items()
    ]
    names: set[str] = set()
    for live_session in live_sessions:
        if live_session.name in names:
            raise ValueError(f"two live sessions are named {live_session.name!r}")
        names.add(live_session.name)
        found += [(path, view, live_session) for path, view in live_session.routes.items()]
    paths: dict[str, str] = {}
    for path, _, owner in found:
        where = f"live session {owner.name!r}" if owner else "routes"
        if path in paths:
            raise ValueError(f"the path {path!r} is given twice: in {paths[path]} and in {where}")
        paths[path] = where
    return found


class _WebSocketEndpoint:
    """The websocket route as a plain ASGI app, so the connection keeps the server's ``send``
    (Starlette wraps it for function endpoints; see ``Connection``)."""

    def __init__(self, app: LiveViewApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app._serve_websocket(scope, receive, send)
