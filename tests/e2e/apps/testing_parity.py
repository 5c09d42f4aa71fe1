"""Bindings whose payloads the test client must send as the official client does
(tests/e2e/test_testing_parity.py): each event is logged, with its payload, on the page."""

from __future__ import annotations

import json
from typing import Any

from liveview import JS, LiveComponent, LiveView, LiveViewApp, LiveViewSocket


def logged(socket: LiveViewSocket, event: str, payload: Any) -> None:
    socket.assign(log=[*socket.assigns.log, json.dumps([event, payload], sort_keys=True)])


class Card(LiveComponent):
    template = """<div id="card-{{ id }}"><ol id="log-{{ id }}">
      {%- for entry in log %}<li>{{ entry }}</li>{% endfor -%}
    </ol></div>"""

    async def mount(self, socket: LiveViewSocket) -> None:
        socket.assign(log=[])

    async def handle_event(self, event: str, payload: Any, socket: LiveViewSocket) -> None:
        logged(socket, event, payload)


class Parity(LiveView):
    template = """
    <ol id="log">{% for entry in log %}<li>{{ entry }}</li>{% endfor %}</ol>
    <button id="values" phx-click="values" phx-value-step="2" phx-value-user-id="7">v</button>
    <button id="valued" phx-click="valued" value="v1">valued</button>
    <ul><li id="item" phx-click="item" phx-value-id="3">item</li></ul>
    <input id="box" type="checkbox" phx-click="box" value="yes">
    <input id="checked-box" type="checkbox" phx-click="box" value="yes" checked>
    <input id="radio" type="radio" name="r" phx-click="radio" value="r1">
    <div id="plain-div" phx-click="div" phx-value-x="1">div</div>
    <button id="js" phx-click="{{ js }}" phx-value-step="1">js</button>
    <button id="js-card" phx-click="{{ js_card }}">js card</button>
    <button id="to-card" phx-click="bump" phx-target="#card-a" phx-value-n="1">to a</button>
    <input id="text" value="typed" phx-keyup="key" phx-focus="focus" phx-blur="blur">
    <input id="other">
    {{ live_component(Card, id="a") }}
    {{ live_component(Card, id="b") }}
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(
            log=[],
            js=JS.push("js", value={"step": "5", "extra": "x"}).add_class("busy", to="#js"),
            js_card=JS.push("bump", target="#card-b", value={"from": "js"}),
        )

    async def handle_event(self, event: str, payload: Any, socket: LiveViewSocket) -> None:
        logged(socket, event, payload)


app = LiveViewApp(routes={"/": Parity})
