"""The dead render: a LiveView's first HTML, over plain HTTP, inside the page layout.

An HTTP GET of a LiveView route mounts the view (not connected), runs `handle_params`, renders
it, and writes it into a container that carries the signed tokens the official client sends
back when it joins over the websocket::

    <div id="phx-…" data-phx-main data-phx-session="…" data-phx-static="…">…</div>

The layout is a Jinja template given `inner_content` (that container), `live_render` (embed
another LiveView), `view` (the page's LiveView class, so a layout can read its class
attributes), `page_title`, the CSRF token and the asset paths. The default one is
`liveview/layout.html`; a layout of your own can extend it and fill its blocks (`head`,
`title`, `body`)::

    {% extends "liveview/layout.html" %}
    {% block body %}<nav>…</nav>{{ super() }}{% endblock %}

Phoenix keeps the same job in `Phoenix.LiveView.Static`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from liveview import crashes
from liveview.components import Components
from liveview.on_mount import OnMount
from liveview.pubsub import PubSub
from liveview.routing import LiveSession
from liveview.session import (
    CSRF_COOKIE,
    FLASH_COOKIE,
    FLASH_MAX_AGE,
    InvalidToken,
    SessionToken,
    TokenSigner,
    new_view_id,
)
from liveview.socket import LiveViewSocket, Navigation
from liveview.view import LiveView, start_view, template_of

LAYOUTS_DIR = Path(__file__).parent / "layouts"
DEFAULT_LAYOUT = "liveview/layout.html"
"""The name a layout extends to build on the default one."""

CONTAINER = re.compile(
    r'<div id="(?P<id>[^"]+)"(?P<main> data-phx-main)? data-phx-session="(?P<session>[^"]*)" '
    r'data-phx-static="(?P<static>[^"]*)">'
)
"""What `container_html` writes, for clients that read a page back (the test client)."""


def container_html(
    view_id: str, session_token: str, static_token: str, inner: str, *, main: bool
) -> Markup:
    """The element the client finds a LiveView by, with the tokens its join sends back."""
    main_attr = " data-phx-main" if main else ""
    return Markup(
        f'<div id="{view_id}"{main_attr} data-phx-session="{escape(session_token)}" '
        f'data-phx-static="{escape(static_token)}">{inner}</div>'
    )


def load_layout(layout: str | Path | None) -> jinja2.Template:
    """The page layout: Jinja source, a file, or the default (None)."""
    environment = jinja2.Environment(
        loader=jinja2.PrefixLoader({"liveview": jinja2.FileSystemLoader(LAYOUTS_DIR)}),
        autoescape=True,
        enable_async=True,
    )
    if layout is None:
        return environment.get_template(DEFAULT_LAYOUT)
    if isinstance(layout, Path):
        return environment.from_string(layout.read_text())
    return environment.from_string(layout)


@dataclass(frozen=True)
class Container:
    """A LiveView rendered for the dead render: its socket, its container, and where it
    navigated in `mount` or `handle_params` (then the container is empty)."""

    socket: LiveViewSocket
    html: Markup
    navigation: Navigation | None = None


@dataclass
class DeadRender:
    """Renders LiveView pages over HTTP for one app."""

    signer: TokenSigner
    pubsub: PubSub
    layout: jinja2.Template
    title: str
    head: Markup
    live_path: str
    assets_path: str
    embedded: Mapping[str, type[LiveView]]
    debug: bool = False
    on_mount: tuple[OnMount, ...] = ()
    """The app's hooks, before every `mount` (a live session's follow)."""

    async def page(
        self, request: Request, view_class: type[LiveView], live_session: LiveSession | None = None
    ) -> Response:
        """The whole page of `view_class` at this request's route (in `live_session`), or a
        redirect; right after a crash while joining (in debug), the error page instead."""
        reload_status = request.cookies.get(crashes.RELOAD_COOKIE)
        if reload_status is not None:
            return self._crashed(reload_status)
        app_session = dict(request.session) if "session" in request.scope else {}
        session = app_session
        hooks = self.on_mount
        if live_session is not None:
            session = {**app_session, **live_session.session_for(request)}
            hooks = (*hooks, *live_session.on_mount)
        params = {**request.query_params, **request.path_params}
        route = request.scope["route"].path
        url = str(request.url)
        flash_cookie = request.cookies.get(FLASH_COOKIE)
        flash = self.signer.verify_flash(flash_cookie)  # shown once: the cookie goes below
        main = await self.container(
            view_class,
            route,
            session,
            params,
            url,
            main=True,
            live_session=live_session.name if live_session is not None else None,
            hooks=hooks,
            flash=flash,
        )
        if main.navigation is not None:
            redirect = RedirectResponse(main.navigation.to, status_code=302)
            if main.socket.flash:  # for the page it goes to (an on_mount's "please sign in")
                set_flash_cookie(redirect, self.signer.sign_flash(main.socket.flash))
            elif flash_cookie is not None:
                redirect.delete_cookie(FLASH_COOKIE, path="/")
            return redirect

        async def live_render(name: str) -> Markup:
            """Embed another root LiveView in the layout (it joins on the same websocket)."""
            embedded = self.embedded.get(name)
            if embedded is None:
                raise KeyError(f"no embedded LiveView named {name!r} (see LiveViewApp(embedded=))")
            rendered = await self.container(
                embedded, name, app_session, {}, url, main=False, embedded=True, hooks=self.on_mount
            )
            return rendered.html

        csrf_secret = request.cookies.get(CSRF_COOKIE)
        new_cookie = not csrf_secret
        if not csrf_secret:
            csrf_secret = self.signer.new_csrf_secret()
        root = request.scope.get("root_path", "").rstrip("/")
        html = await self.layout.render_async(
            inner_content=main.html,
            live_render=live_render,
            csrf_token=self.signer.sign_csrf(csrf_secret),
            socket_path=root + self.live_path,
            assets=root + self.assets_path,
            page_title=main.socket.page_title,
            default_title=self.title,
            view=view_class,
            head=self.head,
        )
        response = HTMLResponse(html)
        if flash_cookie is not None:
            response.delete_cookie(FLASH_COOKIE, path="/")
        if new_cookie:
            response.set_cookie(
                CSRF_COOKIE, csrf_secret, httponly=True, samesite="lax", path=root or "/"
            )
        return response

    def _crashed(self, token: str) -> Response:
        """The error page the client asked for by reloading with the reload-status cookie (a
        crash while joining, in debug); once only: the cookie is cleared."""
        try:
            crash = crashes.CrashReport.from_json(self.signer.verify_reload(token))
        except InvalidToken:
            crash = None
        response = HTMLResponse(crashes.error_page(crash), status_code=500)
        response.delete_cookie(crashes.RELOAD_COOKIE, path="/")
        return response

    async def container(
        self,
        view_class: type[LiveView],
        route: str,
        session: dict[str, Any],
        params: dict[str, Any],
        url: str,
        *,
        main: bool,
        embedded: bool = False,
        live_session: str | None = None,
        hooks: tuple[OnMount, ...] = (),
        flash: Mapping[str, str] | None = None,
    ) -> Container:
        """Mount a view (not connected) and render it inside the container the client joins.
        `route` is what the session token binds the view to: a path pattern, or the name of an
        embedded LiveView. `flash` is what the page starts with; the static token carries the
        flash it ends with to the connected mount."""
        view = view_class()
        view_id = new_view_id()
        socket = LiveViewSocket(view_id=view_id, pubsub=self.pubsub, connected=False)
        if flash:
            socket.assign(flash=dict(flash))
        await start_view(view, socket, session, params, url, hooks)
        navigation = socket.take_effects().navigation
        if navigation is not None:
            return Container(socket, Markup(""), navigation)
        components = Components(socket, f"LiveView {view_class.__name__}", strict=self.debug)
        template = template_of(view, socket.assigns)
        inner = template.render_html(socket.render_input, components, strict=self.debug)
        if components.busy:
            inner = await components.fill(inner)
        session_token = self.signer.sign_session(
            SessionToken(view_id, route, session, embedded=embedded, live_session=live_session)
        )
        static_token = self.signer.sign_static(view_id, dict(socket.flash))
        return Container(
            socket, container_html(view_id, session_token, static_token, inner, main=main)
        )


def set_flash_cookie(response: Response, token: str) -> None:
    """Hand a signed flash to the next dead render, as the official client does before a
    `redirect` (the same cookie, for the same minute)."""
    response.set_cookie(FLASH_COOKIE, token, max_age=FLASH_MAX_AGE, path="/", samesite="lax")
