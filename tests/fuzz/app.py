"""The app under fuzz: four small LiveViews, and what the oracles read from inside the server.

- `/counter` subscribes to `fuzz:counter`; `inc` counts, `publish` sends the count to every
  counter on the topic (so fuzzed connections also get pushes from `handle_info`).
- `/form` takes `validate` / `save` form events and hook events (`ping` pushes an event and sets
  the title, any other hook event replies with the type of its value).
- `/crash` raises `IntendedCrash` (the one traceback the oracles allow) in `mount`,
  `handle_params`, `handle_event` or `handle_info`, when asked to.
- `/params` and `/params/{page}` implement `handle_params`; `next` patches, `away` navigates to
  `/counter`, `leave` redirects, `later` sets a timer for `handle_info`.
- `/components` renders live components (cids 1..5 at first): `show` changes how many, each
  card counts its own `inc`, `update` sends `send_update`s; fuzzed `cid`s and `cids_*` land on
  real components.

Every view counts `inc` the same way, so "healthy after" can click the same event on each.
Views render only bounded summaries of what the client sent (names, types, lengths): rendering
a fuzzed value itself would test Python's `repr`, not the framework.

The lifespan installs `RECORDER` (`oracles.LogRecorder`) on the loggers a traceback can reach,
and `GET /fuzz/stats` reports it, with the process's RSS, when the app runs in a real server.
Run it with `uvicorn tests.fuzz.app:app` (the long run starts it for you).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from liveview import ComponentSocket, LiveComponent, LiveView, LiveViewApp, LiveViewSocket
from tests.fuzz.oracles import LogRecorder, memory

TOPIC = "fuzz:counter"
CRASH_TOPIC = "fuzz:crash"
SECRET = "fuzz-secret"
ROUTES = ("/counter", "/form", "/crash", "/params", "/components")
"""The pages a fuzzed connection joins (one of each)."""


class IntendedCrash(RuntimeError):
    """Raised on purpose by `/crash`; the only exception the oracles accept in the log."""


def _summary(value: Any) -> str:
    """A bounded description of a client value: its type, and its length if it has one."""
    size = f"/{len(value)}" if isinstance(value, str | list | dict) else ""
    return type(value).__name__ + size


class Counter(LiveView):
    template = (
        '<p id="count">{{ count }}</p><p id="info">{{ info }}</p>'
        '<button phx-click="inc">+</button><button phx-click="publish">publish</button>'
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.assign(count=0, info=0)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> Any:
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)
        elif event == "publish":
            await socket.pubsub.publish(TOPIC, {"count": socket.assigns.count})
        else:
            return await super().handle_event(event, payload, socket)
        return None

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if isinstance(info, dict) and isinstance(info.get("count"), int):
            socket.assign(info=info["count"])


class Form(LiveView):
    template = (
        '<form phx-change="validate" phx-submit="save"><input name="user[name]"></form>'
        '<p id="count">{{ count }}</p><p id="names">{{ names|join(",") }}</p>'
        '<p id="target">{{ target }}</p><p id="hook">{{ hook }}</p>'
        '{% for kind, message in (flash or {}).items() %}<p class="flash">{{ message }}</p>'
        "{% endfor %}"
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0, names=[], target="", hook="")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> Any:
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)
        elif event in ("validate", "save"):
            target = payload.get("_target")
            socket.assign(
                names=sorted(str(name)[:40] for name in payload)[:20],
                target=_summary(target),
            )
            if event == "save":
                socket.put_flash("info", f"saved {len(payload)} fields")
        elif event == "ping":
            socket.push_event("pong", {"n": socket.assigns.count})
            socket.page_title = f"pinged {socket.assigns.count}"
            return {"pong": True}
        elif event == "hook":
            value = payload.get("value", payload)
            socket.assign(hook=_summary(value))
            return {"type": _summary(value)}
        else:
            return await super().handle_event(event, payload, socket)
        return None


class Crash(LiveView):
    """Crashes on purpose in each callback: `mount` and `handle_params` when the URL says
    `?crash=mount` / `?crash=params` (a join or a live patch), `handle_event` on `crash`, and
    `handle_info` when `crash-info` publishes to `fuzz:crash` (every `/crash` joined, on any
    connection, then crashes)."""

    template = '<p id="count">{{ count }}</p><button phx-click="crash">crash</button>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        if socket.connected and params.get("crash") == "mount":
            raise IntendedCrash("mount crashed on purpose")
        await socket.subscribe(CRASH_TOPIC)
        socket.assign(count=0)

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        if socket.connected and params.get("crash") == "params":
            raise IntendedCrash("handle_params crashed on purpose")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> Any:
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)
        elif event == "crash":
            raise IntendedCrash("handle_event crashed on purpose")
        elif event == "crash-info":
            await socket.pubsub.publish(CRASH_TOPIC, "crash")
        else:
            return await super().handle_event(event, payload, socket)
        return None

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if info == "crash":
            raise IntendedCrash("handle_info crashed on purpose")


class Params(LiveView):
    template = (
        '<p id="count">{{ count }}</p><p id="page">{{ page }}</p><p id="q">{{ q }}</p>'
        '<p id="patches">{{ patches }}</p><p id="ticks">{{ ticks }}</p>'
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0, patches=0, ticks=0)

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        page = params.get("page", "1")
        socket.assign(
            page=page[:40] if isinstance(page, str) else "?",
            q=_summary(params.get("q")),
            patches=socket.assigns.patches + 1,
        )

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if info == "tick":
            socket.assign(ticks=socket.assigns.ticks + 1)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> Any:
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)
        elif event == "next":
            page = socket.assigns.page
            following = int(page) + 1 if page.isdigit() and len(page) < 6 else 1
            socket.push_patch(f"/params/{following}?q=next")
        elif event == "away":
            socket.push_navigate("/counter")
        elif event == "leave":
            socket.redirect("/form")
        elif event == "later":  # handle_info after a while: the LiveView may be gone by then
            socket.send_info("tick", after=0.01)
        else:
            return await super().handle_event(event, payload, socket)
        return None


class FuzzCard(LiveComponent):
    template = (
        '<div id="card-{{ id }}"><b>{{ n }}</b><i>{{ label }}</i>'
        '<button phx-click="inc" phx-target="{{ myself }}">+</button></div>'
    )

    async def mount(self, socket: ComponentSocket) -> None:
        socket.assign(n=0)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: ComponentSocket
    ) -> Any:
        if event == "inc":
            socket.assign(n=socket.assigns.n + 1)
        elif event == "tell":
            socket.send_parent({"told": socket.assigns.n})
        else:
            return await super().handle_event(event, payload, socket)
        return None


class Cards(LiveView):
    template = (
        '<p id="count">{{ count }}</p><p id="told">{{ told }}</p>'
        "{% for i in range(shown) %}{{ live_component(FuzzCard, id=i, label=label) }}"
        "{% endfor %}"
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0, told=0, shown=5, label="x")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> Any:
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)
        elif event == "show":  # between 0 and 8 cards: some leave, some come back
            socket.assign(shown=(socket.assigns.shown + 3) % 9)
        elif event == "update":
            socket.send_update(
                FuzzCard, id=socket.assigns.count % 6, label=str(socket.assigns.count)
            )
        else:
            return await super().handle_event(event, payload, socket)
        return None

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if isinstance(info, dict) and isinstance(info.get("told"), int):
            socket.assign(told=info["told"])


RECORDER = LogRecorder(intended=IntendedCrash)
"""What the server logged while the app ran: every record by level, and each traceback."""


async def _stats(request: Request) -> JSONResponse:
    return JSONResponse({**RECORDER.summary(), **memory()})


@asynccontextmanager
async def _lifespan(app: LiveViewApp) -> AsyncIterator[None]:
    with RECORDER.installed():
        yield


def make_app() -> LiveViewApp:
    return LiveViewApp(
        routes={
            "/counter": Counter,
            "/form": Form,
            "/crash": Crash,
            "/params": Params,
            "/params/{page}": Params,
            "/components": Cards,
        },
        secret=SECRET,
        lifespan=_lifespan,
        extra_routes=[Route("/fuzz/stats", _stats)],
    )


app = make_app()
