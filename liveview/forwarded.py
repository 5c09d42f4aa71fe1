"""`X-Forwarded-*` from a trusted proxy: the client, scheme and host the browser used.

Behind nginx, the server sees the proxy's address, `http`, and whatever `Host` the proxy sends.
`ForwardedHeaders` is uvicorn's `ProxyHeadersMiddleware` (`X-Forwarded-For` becomes the client,
`X-Forwarded-Proto` the scheme: `https` makes a websocket `wss`) plus `X-Forwarded-Host`, which
becomes the `Host` header. Only for requests from `trusted` addresses (`liveview run
--proxy-headers --forwarded-allow-ips ...`): from anyone else the headers are ignored, since
any client can send them. The websocket origin check (`LiveViewApp(check_origin=True)`) then
compares the page's origin with the host and scheme the browser used (`FORWARDED_PROTO`).
"""

from __future__ import annotations

from typing import Any, Final

from starlette.types import ASGIApp, Scope
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

FORWARDED_PROTO: Final = "liveview.forwarded_proto"
"""Scope key: the scheme a trusted proxy said the browser used (`http` or `https`)."""

_SCHEMES: Final = {"http": "http", "https": "https", "ws": "http", "wss": "https"}


class ForwardedHeaders(ProxyHeadersMiddleware):
    """uvicorn's proxy headers, and `X-Forwarded-Host`, from `trusted` addresses only (a list,
    or a comma-separated string of addresses and networks; `*` trusts everyone)."""

    def __init__(self, app: ASGIApp, trusted: list[str] | str = "127.0.0.1") -> None:
        super().__init__(app, trusted_hosts=trusted)  # type: ignore[arg-type]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            client = scope.get("client")
            if client is not None and client[0] in self.trusted_hosts:
                _take_host_and_proto(scope)
        await super().__call__(scope, receive, send)


def _take_host_and_proto(scope: Scope) -> None:
    """`Host` from `X-Forwarded-Host` (the last value: the one our proxy set), and the scheme
    it reports, marked in the scope for the origin check."""
    headers = list(scope["headers"])
    forwarded_host = [v for k, v in headers if k == b"x-forwarded-host"]
    host = forwarded_host[-1].split(b",")[-1].strip() if forwarded_host else b""
    if host:
        scope["headers"] = [(k, v) for k, v in headers if k != b"host"] + [(b"host", host)]
    for name, value in headers:
        if name == b"x-forwarded-proto":
            proto = _SCHEMES.get(value.decode("latin-1").strip().lower())
            if proto is not None:
                scope[FORWARDED_PROTO] = proto
