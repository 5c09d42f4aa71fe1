"""The long-poll endpoint, `<live_path>/longpoll`: Phoenix's fallback transport over plain HTTP.

The official client falls back to it when its websocket cannot connect, or does not answer its
first heartbeat within `longPollFallbackMs` (a proxy that buffers or blocks websockets). What it
sends and expects (`phoenix/assets/js/phoenix/longpoll.js`); every answer is HTTP 200 with a JSON
body whose `status` the client reads, as Phoenix sends them:

- `GET` without a token: a new session; `{"status": 410, "token": T, "messages": []}`. The token,
  signed with the app's secret, names the session and the worker that holds it.
- `GET` with the token (`?token=T`, or the `x-phoenix-longpoll-token` header): a poll, held
  until frames are waiting (`{"status": 200, "token": T, "messages": [frame, ...]}`) or for
  `WINDOW` seconds (`{"status": 204, ...}`); `410` once the session is gone, when the client
  starts a new one and rejoins its LiveViews.
- `POST` with the token, `Content-Type: application/x-ndjson`: up to 100 frames, one a line
  (JSON arrays; base64 for binary ones); `{"status": 200}` once they are handled.

The checks are the websocket's (`LiveViewApp`): another site's origin is refused (403), a stale
CSRF token gets a session whose every join is answered "stale". Bad input gets an answer that
says what was wrong, with the HTTP status of the same number: a tampered or expired token 410
(the client starts over), a malformed body 400, a body or frame over the size limit 413; a
session that got a bad body is ended (its client starts a new one).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote_plus

import orjson
from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.types import Receive, Scope, Send

from liveview.channel.idle import IdleSweeper
from liveview.channel.longpoll_relay import Answer, Relay
from liveview.channel.longpoll_session import (
    REAP_AFTER,
    WINDOW,
    BadBatch,
    LongPollSession,
    parse_batch,
)
from liveview.session import InvalidToken

if TYPE_CHECKING:
    from liveview.app import LiveViewApp

logger = logging.getLogger("liveview")

TOKEN_HEADER: Final = "x-phoenix-longpoll-token"
NDJSON: Final = "application/x-ndjson"
MAX_BODY: Final = 8_000_000
"""The least a POST body may be, in bytes (Phoenix reads up to about 8 MB); twice
`max_frame_size` when that is larger."""

_HEADERS: Final = [
    (b"content-type", b"application/json"),
    # the URL is the same for every poll: never let a cache store or share an answer
    (b"cache-control", b"no-store"),
]


class LongPoll:
    """The long-poll endpoint of one app (an ASGI app), and the sessions this worker holds."""

    def __init__(self, app: LiveViewApp, window: float = WINDOW) -> None:
        self._app = app
        self.window = window
        self.sessions: dict[str, LongPollSession] = {}
        """The sessions held here, by id."""
        self.sweeper = IdleSweeper(REAP_AFTER)
        """Ends the sessions nobody polled for `sweeper.timeout` seconds."""
        self._relay = Relay(app.pubsub)
        frame = app.max_frame_size
        self._max_body = None if frame is None else max(MAX_BODY, 2 * frame)
        self._tasks: set[asyncio.Task[None]] = set()
        self._by_token: dict[str, LongPollSession] = {}  # the tokens issued for sessions here

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # A poll is an HTTP request per frame batch a client receives: read only what it needs
        # from the scope (no `Request`, no query parsing, no token verification for a token
        # issued here), since that is paid per delivered diff (bench/results: long poll).
        method = scope["method"]
        if method not in ("GET", "POST"):
            await _answer(send, {"status": 405}, 405, [(b"allow", b"GET, POST")])
            return
        origin = token = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
            elif name == b"x-phoenix-longpoll-token":  # TOKEN_HEADER
                token = value.decode("latin-1")
        if origin is not None:  # a browser's own page sends none on a same-origin GET
            refusal = self._app._refusal(HTTPConnection(scope))
            if refusal is not None:
                logger.warning("long poll refused: %s", refusal)
                await _answer(send, {"status": 403})
                return
        token = token or _query_token(scope["query_string"])
        if method == "GET" and not token:
            await self._new_session(Request(scope, receive), send)
            return
        session = self._by_token.get(token) if token else None
        if session is not None:
            session_id, node = session.id, self._app.pubsub.node_id
        else:
            try:
                session_id, node = self._app.signer.verify_longpoll(token)
            except InvalidToken as exc:
                logger.warning("long poll with a bad token: %s", exc)
                await _answer(send, {"status": 410, "error": f"bad long-poll token: {exc}"}, 410)
                return
        if method == "GET":
            answer = await self._at_session(session_id, node, {"op": "poll"}, self.window)
            answer["token"] = token  # the client keeps the token of every answer
            answer.setdefault("messages", [])
        else:
            answer = await self._post(Request(scope, receive), session_id, node)
        await _answer(send, answer, _http_status(answer))

    async def _new_session(self, request: Request, send: Send) -> None:
        session = LongPollSession(
            self._app.channel_config,
            str(request.scope.get("root_path", "")),
            stale=self._app._stale_csrf(request),
            on_close=self._forget,
        )
        self.sessions[session.id] = session
        self.sweeper.add(session)
        try:
            await self._relay.serve(session.id, lambda request: self._handle(session, request))
        except Exception as exc:  # the broker: the client retries
            logger.warning("long-poll session not started: %r", exc)
            session.close()
            await _answer(send, {"status": 500})
            return
        token = self._app.signer.sign_longpoll(session.id, self._app.pubsub.node_id)
        if not session.closed:
            self._by_token[token] = session
            session.token = token
        await _answer(send, {"status": 410, "token": token, "messages": []})

    async def _post(self, request: Request, session_id: str, node: str) -> Answer:
        """Read and check the body here; the session, here or on its worker, handles it."""
        try:
            body = await self._read_body(request)
            ndjson = request.headers.get("content-type", "").startswith(NDJSON)
            batch = parse_batch(body, ndjson, self._app.max_frame_size)
        except BadBatch as bad:
            logger.warning("long-poll POST refused: %s", bad.reason)
            session = self.sessions.get(session_id)
            if session is not None:  # its client starts a new one (one held elsewhere is reaped)
                session.close()
            return {"status": bad.status, "error": bad.reason}
        except ClientDisconnect:
            return {"status": 400, "error": "the client left before its body was read"}
        session = self.sessions.get(session_id)
        if session is not None:
            return await _receive(session, batch)
        request_message = {"op": "post", "body": body.decode(), "ndjson": ndjson}
        return await self._at_session(session_id, node, request_message, self.window)

    async def _read_body(self, request: Request) -> bytes:
        limit = self._max_body
        length = request.headers.get("content-length", "")
        if limit is not None and length.isdigit() and int(length) > limit:
            raise BadBatch(f"a {length}-byte body is over the limit ({limit})", 413)
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if limit is not None and size > limit:
                raise BadBatch(f"a body of over {limit} bytes", 413)
            chunks.append(chunk)
        return b"".join(chunks)

    async def _at_session(
        self, session_id: str, node: str, request: dict[str, Any], duration: float
    ) -> Answer:
        """Handle a request here if the session is here, else on the worker that holds it."""
        session = self.sessions.get(session_id)
        if session is not None:
            return await self._handle(session, request)
        if node == self._app.pubsub.node_id:
            return {"status": 410}  # made here, and gone
        try:
            return await self._relay.forward(session_id, request, duration)
        except Exception as exc:  # the broker is away: the client retries
            logger.warning("a long-poll request could not reach its session's worker: %r", exc)
            return {"status": 500}

    async def _handle(self, session: LongPollSession, request: dict[str, Any]) -> Answer:
        """A request for a session held here, from this worker or relayed from another."""
        if request.get("op") == "poll":
            messages = await session.poll(self.window)
            if messages is None:
                return {"status": 410}
            return {"status": 200 if messages else 204, "messages": messages}
        body, ndjson = request.get("body"), request.get("ndjson")
        if request.get("op") != "post" or not isinstance(body, str):
            return {"status": 400, "error": "not a long-poll request"}
        try:
            batch = parse_batch(body.encode(), ndjson is True, self._app.max_frame_size)
        except BadBatch as bad:
            session.close()
            return {"status": bad.status, "error": bad.reason}
        return await _receive(session, batch)

    def _forget(self, session: LongPollSession) -> None:
        if self.sessions.get(session.id) is session:
            del self.sessions[session.id]
        if session.token is not None:
            self._by_token.pop(session.token, None)
        self.sweeper.discard(session)
        task = asyncio.get_running_loop().create_task(self._relay.unserve(session.id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """End every session held here (the app is stopping)."""
        sessions = list(self.sessions.values())
        for session in sessions:
            session.close()
        await asyncio.gather(*(session.wait_closed() for session in sessions))
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self._relay.close()


async def _receive(session: LongPollSession, batch: list[str | bytes]) -> Answer:
    await session.receive(batch)
    return {"status": 410 if session.closed else 200}


def _http_status(answer: Answer) -> int:
    """Protocol answers travel as HTTP 200 (the client reads the body's status; 204 could
    carry no body); refusals of bad input carry their own status in HTTP too."""
    status = answer.get("status")
    return status if status in (400, 413) else 200


def _query_token(query_string: bytes) -> str | None:
    """The `token` parameter of a query string, without parsing the rest (the CSRF token, the
    client's params) on every poll."""
    for pair in query_string.split(b"&"):
        if pair.startswith(b"token="):
            return unquote_plus(pair[6:].decode("latin-1")) or None
    return None


async def _answer(
    send: Send,
    body: dict[str, Any],
    status: int = 200,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    await send(
        {"type": "http.response.start", "status": status, "headers": _HEADERS + (headers or [])}
    )
    await send({"type": "http.response.body", "body": orjson.dumps(body)})
