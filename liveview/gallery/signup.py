"""Sign-up with live validation: a pydantic model, errors shown once a field has been used, an
e-mail checked against the accounts already made, and a valid form handed to a plain HTTP
route (`phx-trigger-action`) that signs the new account in with a cookie.

The accounts live in this process (`ACCOUNTS`); a real app keeps them in its database, and the
same shape holds: `taken` is the query, `create` the insert.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import escape
from pydantic import BaseModel, EmailStr, Field, field_validator
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from liveview import LiveView, LiveViewSocket
from liveview.channel.params import FormTooLarge, decode_form
from liveview.forms import Form, to_form
from liveview.gallery.example import Example

COOKIE = "signup_session"
SIGNER = URLSafeSerializer(os.environ.get("LIVEVIEW_SECRET") or secrets.token_hex(32), "signup")


class Signup(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    email: EmailStr
    password: str = Field(min_length=8, max_length=72)
    terms: bool = False

    @field_validator("password")
    @classmethod
    def letters_and_digits(cls, password: str) -> str:
        if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
            raise ValueError("needs at least one letter and one digit")
        return password

    @field_validator("terms")
    @classmethod
    def accepted(cls, terms: bool) -> bool:
        if not terms:
            raise ValueError("please accept the terms to sign up")
        return terms


class Accounts:
    """The data layer: e-mail -> (name, password hash)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, bytes, bytes]] = {}

    async def taken(self, email: str) -> bool:
        await asyncio.sleep(0)  # a query, in a real app
        return email.strip().lower() in self.rows

    async def create(self, name: str, email: str, password: str) -> None:
        salt = secrets.token_bytes(16)
        self.rows[email.strip().lower()] = (name, salt, _hash(password, salt))

    def check(self, email: str, password: str) -> str | None:
        """The account's name when the password is right."""
        row = self.rows.get(email.strip().lower())
        if row is None or not hmac.compare_digest(row[2], _hash(password, row[1])):
            return None
        return row[0]


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)


ACCOUNTS = Accounts()
ACCOUNTS.rows["taken@example.org"] = ("Taken", b"", b"")  # so the check has something to find


class SignupView(LiveView):
    template = """
    {% from "liveview/forms.html" import input %}
    <h1>Sign up</h1>
    <p class="hint">A field's errors show once you have used it (all of them when you press
      Sign up). <code>taken@example.org</code> is already registered.</p>
    <form id="{{ form.id }}" class="lv-form" action="/signup/session" method="post" novalidate
          phx-change="validate" phx-submit="save"
          {%- if trigger_submit %} phx-trigger-action{% endif %}>
      {{ input(form["name"], autocomplete="name") }}
      {{ input(form["email"], phx_debounce="blur", autocomplete="email") }}
      {{ input(form["password"], phx_debounce="blur", autocomplete="new-password") }}
      {{ input(form["terms"], label="I accept the terms") }}
      <button id="save" type="submit" phx-disable-with="Signing up…">Sign up</button>
    </form>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.page_title = "Sign up"
        socket.assign(form=to_form(Signup), trigger_submit=False)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "validate":
            socket.assign(form=await self.checked(payload, "validate"))
        elif event == "save":
            form = await self.checked(payload, "submit")
            if form.valid:
                account = form.data
                await ACCOUNTS.create(account.name, account.email, account.password)
            # A valid form is posted by the browser to /signup/session, which signs in.
            socket.assign(form=form, trigger_submit=form.valid)
        else:
            await super().handle_event(event, payload, socket)

    async def checked(self, payload: dict[str, Any], action: str) -> Form:
        """The form validated by the model, then against the accounts already made."""
        form = to_form(Signup, payload.get("signup"), action=action)
        email = form["email"]
        if email.valid and isinstance(email.value, str) and await ACCOUNTS.taken(email.value):
            form.add_error("email", "is already registered")
        return form


async def session(request: Request) -> Response:
    """Where the form is posted once valid: check the password, set the cookie."""
    if request.headers.get("origin") not in (None, f"{request.url.scheme}://{request.url.netloc}"):
        return Response("cross-site form post refused", status_code=403)
    try:
        fields = decode_form((await request.body()).decode("utf-8", "replace"))
    except FormTooLarge as error:
        return Response(error.reason, status_code=413)
    given = fields.get("signup")
    given = given if isinstance(given, dict) else {}
    email, password = str(given.get("email", "")), str(given.get("password", ""))
    name = ACCOUNTS.check(email, password)
    if name is None:
        return RedirectResponse("/signup", status_code=303)
    response = RedirectResponse("/signup/welcome", status_code=303)
    token = SIGNER.dumps({"name": name, "email": email.strip().lower()})
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax")
    return response


async def welcome(request: Request) -> Response:
    try:
        who = SIGNER.loads(request.cookies.get(COOKIE, ""))
    except BadSignature:
        return RedirectResponse("/signup", status_code=303)
    return HTMLResponse(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
        "<title>Welcome</title></head><body>"
        f"<h1 id='welcome'>Welcome, {escape(who['name'])}!</h1>"
        f"<p>Signed in as <span id='who'>{escape(who['email'])}</span> (a cookie set by a "
        "plain HTTP route the form was posted to).</p><p><a href='/'>Back to the gallery</a></p>"
        "</body></html>"
    )


ROUTES = [
    Route("/signup/session", session, methods=["POST"]),
    Route("/signup/welcome", welcome),
]


EXAMPLES = [
    Example(
        "/signup",
        SignupView,
        title="Sign up",
        description="A pydantic form validated as you type, then signed in by a plain POST.",
        hint="Type a bad e-mail and leave the field: its error shows. Fix it, then sign up.",
        section="Forms",
        order=10,
        routes=ROUTES,
    ),
]
