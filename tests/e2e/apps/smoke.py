"""A tiny Starlette app that proves the e2e fixtures (no liveview code involved)."""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

HEAD = '<meta charset="utf-8"><link rel="icon" href="data:,">'

CLICK_PAGE = f"""<!doctype html>
<html><head>{HEAD}<title>smoke</title></head>
<body>
  <p id="text">before</p>
  <button id="btn" onclick="document.getElementById('text').textContent = 'after'">go</button>
</body></html>
"""

CONSOLE_ERROR_PAGE = f"""<!doctype html>
<html><head>{HEAD}<title>console error</title></head>
<body>
  <p id="status">loading</p>
  <script>
    console.error("smoke: deliberate console.error");
    setTimeout(() => {{
      document.getElementById("status").textContent = "done";
      throw new Error("smoke: deliberate uncaught error");
    }}, 0);
  </script>
</body></html>
"""


async def click(request: Request) -> HTMLResponse:
    return HTMLResponse(CLICK_PAGE)


async def console_error(request: Request) -> HTMLResponse:
    return HTMLResponse(CONSOLE_ERROR_PAGE)


async def env(request: Request) -> PlainTextResponse:
    """Echoes SMOKE_NAME, so tests can tell two servers (and their env) apart."""
    return PlainTextResponse(os.environ.get("SMOKE_NAME", ""))


async def crash(request: Request) -> PlainTextResponse:
    raise RuntimeError("smoke: deliberate server error")


app = Starlette(
    routes=[
        Route("/", click),
        Route("/console-error", console_error),
        Route("/env", env),
        Route("/crash", crash),
    ]
)
