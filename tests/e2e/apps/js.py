"""A page with one button per JS command, for tests/e2e/test_js.py.

Each button's ``phx-click`` is built with `JS` in the template. The page records what the
browser did where a single look could miss it: a MutationObserver keeps every class list and
display the transition targets went through (``window.seen``), a listener records the
dispatched event (``data-pinged``), and a ``phx:run-js`` listener runs the commands a pushed
event carries (``liveSocket.execJS``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from liveview import (
    JS,
    ComponentSocket,
    LiveComponent,
    LiveSession,
    LiveView,
    LiveViewApp,
    LiveViewSocket,
)

HEAD = """
<style>
  .fade { transition: opacity 0.2s; }
  .o0 { opacity: 0; }
  .o1 { opacity: 1; }
</style>
<script>
  window.loadedAt = window.loadedAt || Date.now();  // a full page load resets it
  window.seen = {};
  const record = (el) => {
    (window.seen[el.id] = window.seen[el.id] || []).push(
      `${el.className}|${el.style.display}`
    );
  };
  new MutationObserver((records) => records.forEach((r) => r.target.id && record(r.target)))
    .observe(document, {attributes: true, attributeFilter: ["class", "style"], subtree: true});
  window.addEventListener("js:ping", (e) => {
    e.target.dataset.pinged = `${e.detail.n} from ${e.detail.dispatcher.id}`;
  });
  window.pageLoads = [];
  window.addEventListener("phx:page-loading-start", (e) => window.pageLoads.push(e.detail.kind));
  window.addEventListener("phx:run-js", (e) => {
    window.liveSocket.execJS(document.querySelector(e.detail.to), e.detail.js);
  });
</script>
"""


class Bumper(LiveComponent):
    template = """
    <div id="bumper">
      <span id="bumps">{{ bumps }}</span>
      <button id="push-target" phx-click="{{ JS.push('bump', target=myself, value={'by': 5}) }}">
        bump the component
      </button>
    </div>
    """

    async def mount(self, socket: ComponentSocket) -> None:
        socket.assign(bumps=0)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: ComponentSocket
    ) -> None:
        socket.assign(bumps=socket.assigns.bumps + payload["by"])


class Commands(LiveView):
    template = """
    <p>count <span id="count">{{ count }}</span>, last <span id="last">{{ last }}</span>,
       tab <span id="tab">{{ tab }}</span></p>
    <button id="push" phx-value-from="button"
            phx-click="{{ JS.push('inc', value={'by': 2, 'note': note}) }}">push</button>
    {{ live_component(Bumper, id="bumper") }}
    <p id="loading-target">loading target</p><span id="slow">{{ slow }}</span>
    <button id="push-loading"
            phx-click="{{ JS.push('slow', loading='#loading-target', page_loading=True) }}">
      slow push</button>
    <div id="ignored" data-count="{{ count }}">ignored</div>
    <button id="ignore" phx-click="{{ JS.ignore_attributes('data-count', to='#ignored') }}">
      ignore data-count</button>

    <div id="box" style="display: none">box</div>
    <button id="show" phx-click="{{ JS.show(to='#box', display='flex',
                                            transition=('fade', 'o0', 'o1'), time=300) }}">
      show</button>
    <button id="hide" phx-click="{{ JS.hide(to='#box', transition=('fade', 'o1', 'o0'),
                                            time=300) }}">hide</button>
    <div id="panel">panel</div>
    <button id="toggle" phx-click="{{ JS.toggle(to='#panel', in_='fade', out='fade') }}">
      toggle</button>
    <button id="toggle-plain" phx-click="{{ JS.toggle(to='#panel', display='inline') }}">
      toggle without transitions</button>

    <div id="target" class="start" title="a title">target</div>
    <button id="add-class" phx-click="{{ JS.add_class('big red', to='#target') }}">add</button>
    <button id="remove-class" phx-click="{{ JS.remove_class('red start', to='#target') }}">
      remove</button>
    <button id="toggle-class" phx-click="{{ JS.toggle_class('on', to='#target') }}">tog</button>
    <button id="transition" phx-click="{{ JS.transition('shake', to='#target', time=300) }}">
      shake</button>
    <button id="set-attr"
            phx-click="{{ JS.set_attribute(('aria-expanded', 'true'), to='#target') }}">set</button>
    <button id="remove-attr" phx-click="{{ JS.remove_attribute('title', to='#target') }}">
      remove attr</button>
    <button id="toggle-attr"
            phx-click="{{ JS.toggle_attribute(('data-state', 'open', 'closed'), to='#target') }}">
      toggle attr</button>
    <button id="dispatch" phx-click="{{ JS.dispatch('js:ping', to='#target', detail={'n': 5}) }}">
      dispatch</button>

    <div id="holder" data-open="{{ JS.show(to='#exec-box').add_class('opened', to='#exec-box') }}">
    </div>
    <div id="exec-box" style="display: none">exec box</div>
    <button id="exec" phx-click="{{ JS.exec('data-open', to='#holder') }}">exec</button>

    <div id="fields"><p>no focus here</p><input id="first-input"><input id="second-input"></div>
    <button id="focus" phx-click="{{ JS.focus(to='#second-input') }}">focus</button>
    <button id="focus-first" phx-click="{{ JS.focus_first(to='#fields') }}">focus first</button>
    <button id="push-focus" phx-click="{{ JS.push_focus().focus(to='#first-input') }}">
      push focus</button>
    <button id="pop-focus" phx-click="{{ JS.pop_focus() }}">pop focus</button>

    <button id="patch" phx-click="{{ JS.patch('/js?tab=2') }}">patch</button>
    <button id="patch-replace" phx-click="{{ JS.patch('/js?tab=3', replace=True) }}">
      patch, replace</button>
    <button id="navigate" phx-click="{{ JS.navigate('/js/other') }}">navigate</button>
    <button id="navigate-replace" phx-click="{{ JS.navigate('/js/other', replace=True) }}">
      navigate, replace</button>

    <div id="pushed-box" style="display: none">shown by a pushed event</div>
    <button id="push-event" phx-click="send-js">ask the server for JS</button>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(count=0, last="", tab="1", note='it\'s <b>&"quoted"', slow="")

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        socket.assign(tab=params.get("tab", "1"))

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "inc":
            socket.assign(
                count=socket.assigns.count + payload["by"],
                last=f"{payload['from']} {payload['note']}",
            )
        elif event == "slow":
            await asyncio.sleep(0.5)  # long enough for the loading states to be seen
            socket.assign(slow="done")
        elif event == "send-js":
            js = JS.show(to="#pushed-box").set_attribute(
                ("data-by", "push_event"), to="#pushed-box"
            )
            socket.push_event("run-js", {"to": "#push-event", "js": js})


class Other(LiveView):
    template = '<h1 id="other">the other page</h1>'


app = LiveViewApp(
    live_sessions=[LiveSession("js", {"/js": Commands, "/js/other": Other})],  # live navigation
    head=HEAD,
    secret="e2e-js",
)
