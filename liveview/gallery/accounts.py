"""Sign-in that holds: a plain HTTP form signs in, `on_mount` hooks guard two live sessions,
and signing out ends the user's live views in every tab (on every server sharing the pub/sub).

Demo users: alice / wonderland (a user), root / toor (an admin). The flow:

1. `/sign-in` (a LiveView) shows a plain `<form method="post">`; it carries a form token kept
   in the cookie session (made by the live session's `session=` function), against forged
   posts from other sites.
2. `POST /session` checks the token and the password, then puts the user and a
   `live_socket_id` in the session and redirects into the app with a flash.
3. The app's `on_mount` hook assigns `current_user` (or None) before every mount; the "user"
   live session's hook sends a visitor to `/sign-in`, the "admin" one sends a non-admin home.
   Pages of one live session navigate over the open websocket; across sessions, a page load.
4. `POST /sign-out` clears the session and calls `app.disconnect(live_socket_id)`: every open
   tab of that user loads its page again over HTTP, and lands on `/sign-in`.

`make_app(base)` builds the app to serve at `base` (the gallery mounts it at `/accounts`);
`app` is it at the root (`liveview run liveview.gallery.accounts:app`).
"""

from __future__ import annotations

import hmac
import os
import secrets
from typing import Any
from urllib.parse import parse_qsl

from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from liveview import LiveSession, LiveView, LiveViewApp, LiveViewSocket, PubSubUnavailable
from liveview.gallery.example import Example
from liveview.pubsub import PubSub, from_url

USERS = {"alice": ("wonderland", False), "root": ("toor", True)}
"""name -> (password, is admin). A real app keeps hashed passwords in its database."""

# Set by a page before the client starts: each join sends it along (`socket.connect_params`).
HEAD = "<script>window.LiveViewParams = { theme: 'dark' };</script>"


def form_token(request: Request) -> dict[str, Any]:
    """The live sessions' `session=`: a token for the page's plain forms, kept in the cookie
    session (made once per session), so a post from another site cannot sign anyone in or out."""
    token = request.session.get("form_token")
    if not isinstance(token, str):
        token = request.session["form_token"] = secrets.token_urlsafe(16)
    return {"form_token": token}


async def assign_user(socket: LiveViewSocket, session: dict[str, Any], params: Any) -> None:
    """The app-wide hook: who is signed in, for every page (None: nobody)."""
    name = session.get("user")
    user = {"name": name, "admin": USERS[name][1]} if name in USERS else None
    socket.assign(current_user=user)


def make_app(
    base: str = "",
    pubsub: PubSub | None = None,
    secret: str | None = None,
    layout: str | None = None,
) -> LiveViewApp:
    """The app, its links and redirects under `base` (where it is served); `layout` as
    `LiveViewApp(layout=)` (the gallery gives its own)."""

    async def require_user(socket: LiveViewSocket, session: dict[str, Any], params: Any) -> None:
        if socket.assigns.current_user is None:
            socket.put_flash("error", "Please sign in.")
            socket.redirect(f"{base}/sign-in")

    async def require_admin(socket: LiveViewSocket, session: dict[str, Any], params: Any) -> None:
        if not socket.assigns.current_user["admin"]:
            socket.put_flash("error", "Admins only.")
            socket.redirect(f"{base}/")

    sign_out = f"""<form id="sign-out" method="post" action="{base}/sign-out">
      <input type="hidden" name="form_token" value="{{{{ form_token }}}}">
      <button type="submit">Sign out</button></form>"""
    links = (
        f'<nav><a id="to-home" href="{base}/" data-phx-link="redirect" '
        'data-phx-link-state="push">Home</a> '
        f'<a id="to-profile" href="{base}/profile" data-phx-link="redirect" '
        'data-phx-link-state="push">Profile</a> '
        f'<a id="to-admin" href="{base}/admin" data-phx-link="redirect" '
        'data-phx-link-state="push">Admin</a></nav>'
    )

    class SignIn(LiveView):
        template = f"""<h1>Sign in</h1>
        <form id="sign-in" method="post" action="{base}/session">
          <input type="hidden" name="form_token" value="{{{{ form_token }}}}">
          <label>Name <input id="name" name="name" autocomplete="username"></label>
          <label>Password <input id="password" name="password" type="password"></label>
          <button id="submit" type="submit">Sign in</button>
        </form>
        <p>Try alice / wonderland, or root / toor (an admin).</p>"""

        async def mount(
            self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
        ) -> None:
            socket.assign(form_token=session.get("form_token", ""))

    class Home(LiveView):
        template = f"""<h1 id="title">Home</h1>
        <p>Signed in as <b id="who">{{{{ current_user.name }}}}</b>.</p>{links}
        <p id="params">time zone: <span id="timezone">{{{{ timezone }}}}</span>,
          theme: <span id="theme">{{{{ theme }}}}</span>,
          mounts: <span id="mounts">{{{{ mounts }}}}</span></p>
        <button id="flash-navigate" phx-click="flash-navigate">Save, then go on live</button>
        <button id="flash-redirect" phx-click="flash-redirect">Save, then load a page</button>
        <button id="flash-admin" phx-click="flash-admin">Save, then to admin</button>
        {sign_out}"""

        async def mount(
            self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
        ) -> None:
            given = socket.connect_params or {}  # None in the dead render
            socket.assign(
                form_token=session.get("form_token", ""),
                timezone=given.get("timezone", "…"),
                theme=given.get("theme", "…"),
                mounts=given.get("_mounts", "…"),
            )

        async def handle_event(
            self, event: str, payload: dict[str, Any], socket: LiveViewSocket
        ) -> None:
            if event == "flash-navigate":
                socket.put_flash("info", "Saved; navigated live.")
                socket.push_navigate(f"{base}/profile")
            elif event == "flash-admin":  # another live session: the client loads the page
                socket.put_flash("info", "Saved; on to admin.")
                socket.push_navigate(f"{base}/admin")
            elif event == "flash-redirect":
                socket.put_flash("info", "Saved; loaded the page.")
                socket.redirect(f"{base}/profile")

    class Profile(LiveView):
        template = f"""<h1 id="title">Profile</h1>
        <p>Name: <b id="who">{{{{ current_user.name }}}}</b></p>{links}{sign_out}"""

        async def mount(
            self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
        ) -> None:
            socket.assign(form_token=session.get("form_token", ""))

    class Admin(LiveView):
        template = f"""<h1 id="title">Admin</h1>
        <p>Hello, admin <b id="who">{{{{ current_user.name }}}}</b>.</p>{links}{sign_out}"""

        async def mount(
            self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
        ) -> None:
            socket.assign(form_token=session.get("form_token", ""))

    async def read_form(request: Request) -> dict[str, str]:
        """A url-encoded form (Starlette's `request.form()` needs python-multipart)."""
        body = await request.body()
        return dict(parse_qsl(body.decode("utf-8", "replace")[:10_000]))

    def form_ok(request: Request, form: dict[str, str]) -> bool:
        expected = request.session.get("form_token")
        given = form.get("form_token")
        return (
            isinstance(expected, str)
            and isinstance(given, str)
            and hmac.compare_digest(expected, given)
        )

    async def session_route(request: Request) -> Response:
        """The sign-in form's target: check, then sign in and go into the app."""
        form = await read_form(request)
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        known = USERS.get(name)
        if (
            not form_ok(request, form)
            or known is None
            or not hmac.compare_digest(known[0].encode(), password.encode())
        ):
            response = RedirectResponse(f"{base}/sign-in", status_code=303)
            app.put_flash(response, "error", "Wrong name or password.")
            return response
        request.session.clear()  # a fresh session at sign-in (no fixation)
        request.session.update(user=name, live_socket_id=f"users_socket:{name}")
        response = RedirectResponse(f"{base}/", status_code=303)
        app.put_flash(response, "info", f"Welcome, {name}!")
        return response

    async def sign_out_route(request: Request) -> Response:
        """Clear the session, then end the user's live views in every tab, on every node."""
        form = await read_form(request)
        if not form_ok(request, form):
            return Response("Bad form token.", status_code=403)
        live_socket_id = request.session.get("live_socket_id")
        request.session.clear()
        message = "Signed out."
        if isinstance(live_socket_id, str):
            try:
                await app.disconnect(live_socket_id)
            except PubSubUnavailable:  # the broker is away: the other tabs were not told
                message = "Signed out here; other open tabs stay signed in until reloaded."
        response = RedirectResponse(f"{base}/sign-in", status_code=303)
        app.put_flash(response, "info", message)
        return response

    app = LiveViewApp(
        live_sessions=[
            LiveSession("public", {"/sign-in": SignIn}, session=form_token),
            LiveSession(
                "user",
                {"/": Home, "/profile": Profile},
                on_mount=[require_user],
                session=form_token,
            ),
            LiveSession(
                "admin",
                {"/admin": Admin},
                on_mount=[require_user, require_admin],
                session=form_token,
            ),
        ],
        on_mount=[assign_user],
        title="Accounts",
        head=HEAD,
        layout=layout,
        pubsub=pubsub,
        secret=secret,
        extra_routes=[
            Route("/session", session_route, methods=["POST"]),
            Route("/sign-out", sign_out_route, methods=["POST"]),
        ],
        # The cookie session the sign-in route writes and every mount reads. Its secret signs
        # the cookie; the same on every server process.
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=secret or os.environ.get("LIVEVIEW_SECRET", "dev-only-secret"),
                same_site="lax",
                https_only=False,
                path=base or "/",
            )
        ],
    )
    return app


app = make_app(
    pubsub=from_url(os.environ.get("LIVEVIEW_PUBSUB_URL")), secret=os.environ.get("LIVEVIEW_SECRET")
)


EXAMPLES = [
    Example(
        "/accounts/sign-in",
        None,
        title="Accounts",
        description="Sign in through a form, on_mount hooks, live sessions; signing out ends "
        "every tab.",
        section="Apps",
        multiplayer=True,
        module=__name__,
    ),
]
