"""Pages for the live-component e2e tests: a component that crashes on demand beside a LiveView
that must not notice, and targets given as cids and as selectors."""

from __future__ import annotations

from typing import Any

from liveview import ComponentSocket, LiveComponent, LiveView, LiveViewApp, LiveViewSocket


class Fragile(LiveComponent):
    template = """
    <div id="fragile-{{ id }}" class="fragile">
      <span class="n">{{ n }}</span>
      <button class="inc" phx-click="inc" phx-target="{{ myself }}">+</button>
      <button class="boom" phx-click="boom" phx-target="{{ myself }}">boom</button>
    </div>
    """

    async def mount(self, socket: ComponentSocket) -> None:
        socket.assign(n=0)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: ComponentSocket
    ) -> None:
        if event == "boom":
            raise RuntimeError("a component exploded on purpose")
        socket.assign(n=socket.assigns.n + 1)


class Page(LiveView):
    template = """
    <p id="mounts">{{ mounts }}</p>
    <button id="inc-second" phx-click="inc" phx-target="#fragile-second">+ second</button>
    {{ live_component(Fragile, id="first") }}
    {{ live_component(Fragile, id="second") }}
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(mounts=1 if socket.connected else 0)


class Bystander(LiveView):
    template = '<p id="clicks">{{ clicks }}</p><button id="click" phx-click="click">click</button>'

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(clicks=0)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        socket.assign(clicks=socket.assigns.clicks + 1)


app = LiveViewApp(routes={"/": Page, "/bystander": Bystander}, secret="e2e-components")
