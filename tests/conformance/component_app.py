"""The real server for component cases: one app, its channel driven in-process.

Each case's component classes are made from its specs, and the page LiveView renders the case's
template with the case's assigns; the test talks to it over a ``liveview.testing`` websocket
exactly as the client does (``phx_join``, events with and without a ``cid``,
``cids_will_destroy``, ``cids_destroyed``), and every diff is recorded as it arrives, for the
official client in the harness. Nothing of the server is re-implemented: the channel runs the
page's render, the component table (``liveview.components``) and its lifetime.

The app and the event loop live for the whole test session (``ComponentServer``); the module
global ``CURRENT`` says which case the page and its components belong to (cases run one at a
time).
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
from typing import Any

from liveview import (
    ComponentSocket,
    LiveComponent,
    LiveView,
    LiveViewApp,
    LiveViewSocket,
    SingleProcessPubSub,
)
from liveview.channel.protocol import LIVEVIEW_TOPIC_PREFIX
from liveview.testing import LiveViewTest, LiveViewTestClient, TestWebSocket
from liveview.testing.crashes import CrashLog
from liveview.testing.page import find_container
from tests.conformance.component_oracle import DEFAULTS
from tests.conformance.component_strategies import ComponentCase, ComponentSpec


@dataclass
class _Current:
    case: ComponentCase | None = None
    classes: dict[str, type[LiveComponent]] = field(default_factory=dict)

    def get(self) -> ComponentCase:
        assert self.case is not None, "no component case is running"
        return self.case


CURRENT = _Current()


class CaseComponent(LiveComponent):
    """The behaviour every generated class shares: defaults at mount, the attributes assigned
    as given (the default ``update``), and three events."""

    async def mount(self, socket: ComponentSocket) -> None:
        socket.assign(**copy.deepcopy(dict(DEFAULTS)))

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: ComponentSocket
    ) -> Any:
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)
        elif event == "note":
            socket.assign(note=payload["v"])
        elif event == "poke":  # a send_update to another component
            socket.send_update(CURRENT.classes[payload["cls"]], payload["id"], note=payload["v"])
        else:
            return await super().handle_event(event, payload, socket)
        return None


class ManyComponent(CaseComponent):
    """The same, updated through ``update_many`` (every call of a render at once)."""

    @classmethod
    async def update_many(cls, updates: list[tuple[dict[str, Any], ComponentSocket]]) -> None:
        for assigns, socket in updates:
            socket.assign(**assigns)


def make_classes(case: ComponentCase) -> dict[str, type[LiveComponent]]:
    """The case's component classes (registered by name: they replace the last case's)."""
    return {spec.name: _make_class(spec) for spec in case.components}


def _make_class(spec: ComponentSpec) -> type[LiveComponent]:
    base = ManyComponent if spec.many else CaseComponent
    namespace = {"template": spec.source, "__module__": __name__, "__qualname__": spec.name}
    return type(spec.name, (base,), namespace)


class CasePage(LiveView):
    """The page: the case's template and assigns; ``step`` and ``poke`` events."""

    def render(self, assigns: Any) -> str:
        return CURRENT.get().page

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(**copy.deepcopy(dict(CURRENT.get().steps[0])))

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> Any:
        if event == "step":
            socket.assign(**copy.deepcopy(dict(CURRENT.get().steps[payload["i"]])))
        elif event == "poke":
            socket.send_update(CURRENT.classes[payload["cls"]], payload["id"], note=payload["v"])


class RecordingView(LiveViewTest):
    """A joined page that records each diff (join tree first) as it arrives, unmerged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received: list[dict[str, Any]] = []

    def apply(self, diff: dict[str, Any]) -> Any:
        self.received.append(diff)
        return None

    def take(self) -> list[dict[str, Any]]:
        """The diffs received since the last call."""
        received, self.received = self.received, []
        return received


class ComponentServer:
    """The app and an in-process client on one event loop, for the whole session."""

    def __init__(self) -> None:
        self.runner = asyncio.Runner()
        app = LiveViewApp(
            {"/": CasePage}, pubsub=SingleProcessPubSub(), secret="conformance", layout=_LAYOUT
        )
        self.client = LiveViewTestClient(app)
        self.crashes = CrashLog()
        self.crashes.listen()
        self.runner.run(self.client.__aenter__())
        self._socket: TestWebSocket | None = None

    def close(self) -> None:
        try:
            self.runner.run(self.client.__aexit__(None, None, None))
        finally:
            self.runner.close()
            self.crashes.close()

    async def open(self, case: ComponentCase) -> tuple[str, RecordingView]:
        """Make the case current, GET its page (the dead render, returned: the HTML inside
        the LiveView's container) and join it, as the client does."""
        CURRENT.case = case
        CURRENT.classes = make_classes(case)
        client = self.client
        response = await client.get("/")
        response.raise_for_status()
        container = find_container(response.text)
        assert container is not None, "no LiveView container in the page"
        if self._socket is None or self._socket.closed_code is not None:
            self._socket = await client.connect()
        url = f"http://{client.host}/"
        payload: dict[str, Any] = {
            "url": url,
            "params": {"_csrf_token": client.csrf_token, "_mounts": 0, "_mount_attempts": 0},
            "session": container.session,
            "static": container.static or None,
            "sticky": False,
        }
        topic = LIVEVIEW_TOPIC_PREFIX + container.id
        view = RecordingView(self._socket, topic, url, payload, crashes=self.crashes)
        await view.join()
        return _inner(response.text, container.id), view


_END = "<!-- the end of the LiveView -->"
_LAYOUT = (
    '{% extends "liveview/layout.html" %}{% block body %}{{ inner_content }}'
    + _END
    + "{% endblock %}"
)
"""The default layout, with a mark right after the LiveView's container."""


def _inner(page: str, view_id: str) -> str:
    """The HTML inside the LiveView's container (which ``_LAYOUT`` marks the end of)."""
    start = page.index(">", page.index(f'<div id="{view_id}"')) + 1
    return page[start : page.index("</div>" + _END)]
