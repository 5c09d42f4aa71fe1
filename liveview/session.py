"""Signed tokens: the LiveView session token, the static token and the CSRF token.

The browser carries these between the dead render and the websocket join, so they are signed
with the app secret (itsdangerous) and verified on the way back. The session token is bound to
the view id: a join on a topic whose id differs from the token's is refused as stale, which
keeps a token from one view from being replayed against another.

Tokens last `max_age` seconds (two weeks by default, like Phoenix), long enough for a tab left
open over a weekend to reconnect without a reload; each carries the time it was signed, so a
logout can refuse the ones issued before it (`liveview.channel.live_sockets`). The secret may
be a list, for rotation: the first signs, every one verifies.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer

logger = logging.getLogger("liveview")

SECRET_ENV = "LIVEVIEW_SECRET"
DEFAULT_MAX_AGE = 14 * 24 * 3600
CSRF_COOKIE = "_liveview_csrf"
FLASH_COOKIE = "__phoenix_flash__"
"""The cookie the official client sets with a flash token before a `redirect` (Phoenix's name);
`LiveViewApp.put_flash` sets it on a plain HTTP response. The next dead render takes it."""
FLASH_MAX_AGE = 60
"""Seconds a flash token is good for (the client's cookie lives as long)."""
LIVE_SOCKET_ID = "live_socket_id"
"""The session key naming the user's live views, for `LiveViewApp.disconnect` (Phoenix's)."""


class InvalidToken(Exception):
    """A token failed verification: tampered with, expired, or made with another secret."""


@dataclass(frozen=True)
class SessionToken:
    """What the dead render hands to the live mount through `data-phx-session`."""

    view_id: str
    route: str
    """The route the view was rendered at: a path pattern, or an embedded LiveView's name."""
    session: dict[str, Any] = field(default_factory=dict)
    embedded: bool = False
    """True for a LiveView the layout embeds (`live_render`): `route` is its name."""
    live_session: str | None = None
    """The live session of the route, which live navigation may not leave."""
    issued_at: float = field(default=0.0, compare=False)
    """When the token was signed (Unix time, whole seconds); set by `verify_session`."""

    @property
    def live_socket_id(self) -> str | None:
        """The session's `live_socket_id`, if it has a string one."""
        value = self.session.get(LIVE_SOCKET_ID)
        return value if isinstance(value, str) and value else None


def resolve_secret(secret: str | Sequence[str] | None) -> str | list[str]:
    """The app secret: explicit (a list: the first signs, all verify), else $LIVEVIEW_SECRET,
    else random for this process only."""
    if isinstance(secret, (list, tuple)):
        if not secret or not all(isinstance(one, str) and one for one in secret):
            raise ValueError("a list of secrets needs at least one, each a non-empty string")
        return list(secret)
    if secret:
        return str(secret)
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return from_env
    global _warned_random_secret
    if not _warned_random_secret:  # once per process, however many apps it makes
        _warned_random_secret = True
        logger.warning(
            "No secret given and %s is not set: using a random per-process secret. "
            "Tokens will not verify across several workers or a restart; set a shared secret "
            "(`liveview run` keeps one for development in .liveview/secret).",
            SECRET_ENV,
        )
    return secrets.token_urlsafe(32)


_warned_random_secret = False


RELOAD_MAX_AGE = 60
"""Seconds a reload-status token is good for (the client's cookie lives as long)."""

DEVELOPMENT_SECRET = os.path.join(".liveview", "secret")
"""Where `liveview run` keeps a secret when none is set, relative to the directory it runs in."""


def development_secret(directory: str) -> str:
    """The secret kept in `directory`/.liveview/secret, made on first use (readable by its
    owner only; the folder ignores itself in git). So that a restart — every `--reload` —
    keeps the tokens of open tabs valid in development."""
    path = os.path.join(directory, DEVELOPMENT_SECRET)
    try:
        with open(path, encoding="ascii") as file:
            secret = file.read().strip()
        if secret:
            return secret
    except FileNotFoundError:
        pass
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, ".gitignore"), "w", encoding="ascii") as file:
        file.write("# made by liveview: nothing in here belongs in version control\n*\n")
    secret = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secret + "\n")
    return secret


class TokenSigner:
    """Makes and verifies the three kinds of token with one secret and distinct salts."""

    def __init__(self, secret: str | Sequence[str], *, max_age: int = DEFAULT_MAX_AGE) -> None:
        self.max_age = max_age
        # itsdangerous signs with the last of a list and verifies with each: ours is reversed
        keys = [secret] if isinstance(secret, str) else list(reversed(secret))
        self._session = URLSafeTimedSerializer(keys, salt="liveview.session")
        self._static = URLSafeTimedSerializer(keys, salt="liveview.static")
        self._csrf = URLSafeTimedSerializer(keys, salt="liveview.csrf")
        self._reload = URLSafeTimedSerializer(keys, salt="liveview.reload")
        self._flash = URLSafeTimedSerializer(keys, salt="liveview.flash")
        self._upload = URLSafeTimedSerializer(keys, salt="liveview.upload")
        self._longpoll = URLSafeTimedSerializer(keys, salt="liveview.longpoll")

    # session token -----------------------------------------------------------------------

    def sign_session(self, token: SessionToken) -> str:
        data: dict[str, Any] = {"id": token.view_id, "r": token.route, "s": token.session}
        if token.embedded:
            data["e"] = 1
        if token.live_session is not None:
            data["l"] = token.live_session
        return self._session.dumps(data)

    def verify_session(self, value: object) -> SessionToken:
        if not isinstance(value, str) or not value:
            raise InvalidToken("missing token")
        try:
            data, signed = self._session.loads(value, max_age=self.max_age, return_timestamp=True)
        except BadData as exc:
            raise InvalidToken(str(exc)) from None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise InvalidToken("session token has the wrong shape")
        session = data.get("s")
        return SessionToken(
            view_id=data["id"],
            route=str(data.get("r")),
            session=session if isinstance(session, dict) else {},
            embedded=bool(data.get("e")),
            live_session=data["l"] if isinstance(data.get("l"), str) else None,
            issued_at=signed.timestamp(),
        )

    # static token ------------------------------------------------------------------------

    def sign_static(self, view_id: str, flash: dict[str, str] | None = None) -> str:
        return self._static.dumps({"id": view_id, "f": flash or {}})

    def verify_static(self, value: object, view_id: str) -> dict[str, str]:
        """The dead-render flash carried by the static token; {} when absent."""
        if value is None:
            return {}
        data = self._load(self._static, value)
        if not isinstance(data, dict) or data.get("id") != view_id:
            raise InvalidToken("static token does not belong to this view")
        flash = data.get("f") or {}
        return {str(k): str(v) for k, v in flash.items()}

    # flash (carried across a navigation or a redirect) --------------------------------------

    def sign_flash(self, flash: Mapping[str, str]) -> str:
        return self._flash.dumps({str(k): str(v) for k, v in flash.items()})

    def verify_flash(self, value: object) -> dict[str, str]:
        """The flash of a token from the last `FLASH_MAX_AGE` seconds; {} for anything else
        (a flash is a courtesy: a bad one is dropped, never an error)."""
        if not isinstance(value, str) or not value:
            return {}
        try:
            data = self._flash.loads(value, max_age=FLASH_MAX_AGE)
        except BadData:
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items()}

    # reload status (a crash while joining, shown by the next dead render) ---------------------

    def sign_reload(self, report: dict[str, Any]) -> str:
        return self._reload.dumps(report)

    def verify_reload(self, token: object) -> Any:
        """What `sign_reload` signed, if `token` is one from the last minute."""
        if not isinstance(token, str):
            raise InvalidToken("no reload token")
        try:
            return self._reload.loads(token, max_age=RELOAD_MAX_AGE)
        except BadData as exc:
            raise InvalidToken(str(exc)) from None

    # upload token (the `lvu:` join of one entry) ------------------------------------------------

    def sign_upload(self, view_id: str, upload_ref: str, entry_ref: str) -> str:
        return self._upload.dumps([view_id, upload_ref, entry_ref])

    def verify_upload(self, token: object) -> tuple[str, str, str]:
        """(view id, upload ref, entry ref) of an upload token."""
        data = self._load(self._upload, token)
        if (
            not isinstance(data, list)
            or len(data) != 3
            or not all(isinstance(x, str) for x in data)
        ):
            raise InvalidToken("upload token has the wrong shape")
        return data[0], data[1], data[2]

    # long-poll session token (`liveview.channel.longpoll`) --------------------------------------

    def sign_longpoll(self, session_id: str, node: str) -> str:
        """The token of a long-poll session: its id and the worker (pub/sub node) holding it."""
        return self._longpoll.dumps([session_id, node])

    def verify_longpoll(self, token: object) -> tuple[str, str]:
        """(session id, node) of a long-poll token."""
        data = self._load(self._longpoll, token)
        if (
            not isinstance(data, list)
            or len(data) != 2
            or not all(isinstance(x, str) for x in data)
        ):
            raise InvalidToken("long-poll token has the wrong shape")
        return data[0], data[1]

    # CSRF --------------------------------------------------------------------------------

    @staticmethod
    def new_csrf_secret() -> str:
        """The per-browser random value kept in an HttpOnly cookie."""
        return secrets.token_urlsafe(18)

    def sign_csrf(self, cookie_secret: str) -> str:
        """The token for the page's csrf meta tag: a signature over the cookie's value."""
        return self._csrf.dumps(cookie_secret)

    def verify_csrf(self, token: object, cookie_secret: str | None) -> None:
        """Double submit: the signed token must name the secret in this browser's cookie."""
        if not cookie_secret:
            raise InvalidToken("no CSRF cookie")
        value = self._load(self._csrf, token)
        if not isinstance(value, str) or not hmac.compare_digest(value, cookie_secret):
            raise InvalidToken("CSRF token does not match this browser's cookie")

    def _load(self, serializer: URLSafeTimedSerializer, value: object) -> Any:
        if not isinstance(value, str) or not value:
            raise InvalidToken("missing token")
        try:
            return serializer.loads(value, max_age=self.max_age)
        except BadData as exc:
            raise InvalidToken(str(exc)) from None


def new_view_id() -> str:
    """A page-unique element id for a view container; the channel topic is `lv:<id>`.

    Every frame to the view carries the topic, so the id is short: 64 random bits (as Phoenix),
    plenty for uniqueness on one page; nothing relies on it being secret (the signed session
    token is what a join needs)."""
    return "phx-" + secrets.token_urlsafe(8)
