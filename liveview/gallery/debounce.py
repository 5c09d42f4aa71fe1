"""Debounce and throttle: the same inputs with and without `phx-debounce` / `phx-throttle`, and
how many events each sent to the server.

Both are done by the browser (the official client), before anything is sent: `phx-debounce="500"`
sends a change once typing has paused for 500 ms, `phx-debounce="blur"` once the field loses
focus, and `phx-throttle="1000"` sends the first event at once and then at most one a second
while they keep coming. The server only counts what reaches it; the counts make the difference
visible. (On a button, Phoenix's client throttles clicks; on a key binding, key presses.)
"""

from __future__ import annotations

from typing import Any

from liveview import LiveView, LiveViewSocket
from liveview.gallery.example import Example

FIELDS = ("plain", "debounced", "blurred")
BUTTONS = ("plain", "throttled")


def zero() -> dict[str, Any]:
    return {
        "changes": dict.fromkeys(FIELDS, 0),
        "values": dict.fromkeys(FIELDS, ""),
        "clicks": dict.fromkeys(BUTTONS, 0),
        "keys": 0,
        "last_key": "",
    }


class Debounce(LiveView):
    template = """
    <h1>Debounce and throttle</h1>
    <p>The counts are the events the server received: the browser holds the rest back.</p>
    <form id="typing" phx-change="typed" phx-submit="typed">
      <p><label for="plain">Every keystroke</label>
        <input id="plain" name="plain" autocomplete="off"><br>
        Events: <strong id="plain-count">{{ changes.plain }}</strong>;
        the server has {% if values.plain %}<q id="plain-value">{{ values.plain }}</q>
        {%- else %}nothing{% endif %}</p>
      <p><label for="debounced"><code>phx-debounce="500"</code></label>
        <input id="debounced" name="debounced" phx-debounce="500" autocomplete="off"><br>
        Events: <strong id="debounced-count">{{ changes.debounced }}</strong>;
        the server has {% if values.debounced %}<q id="debounced-value">{{ values.debounced }}</q>
        {%- else %}nothing{% endif %}</p>
      <p><label for="blurred"><code>phx-debounce="blur"</code></label>
        <input id="blurred" name="blurred" phx-debounce="blur" autocomplete="off"><br>
        Events: <strong id="blurred-count">{{ changes.blurred }}</strong>;
        the server has {% if values.blurred %}<q id="blurred-value">{{ values.blurred }}</q>
        {%- else %}nothing{% endif %}</p>
    </form>
    <section aria-labelledby="clicks-heading">
      <h2 id="clicks-heading">Clicks</h2>
      <p>The second button has <code>phx-throttle="1000"</code>: at most one click a second.</p>
      <p class="row">
        <button id="click-plain" phx-click="clicked" phx-value-button="plain">
          Plain: <span id="plain-clicks">{{ clicks.plain }}</span></button>
        <button id="click-throttled" phx-click="clicked" phx-value-button="throttled"
                phx-throttle="1000">
          Throttled: <span id="throttled-clicks">{{ clicks.throttled }}</span></button>
      </p>
    </section>
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">Keys</h2>
      <p><label for="keys">Type fast here (<code>phx-keyup</code>,
        <code>phx-throttle="500"</code>)</label>
        <input id="keys" phx-keyup="key" phx-throttle="500" autocomplete="off"></p>
      <p>Key events received: <strong id="key-count">{{ keys }}</strong>
        {% if last_key %}(the last: <kbd id="last-key">{{ last_key }}</kbd>){% endif %}</p>
    </section>
    <p><button id="reset" phx-click="reset">Reset the counts</button></p>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.page_title = "Debounce and throttle"
        socket.assign(**zero())

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        assigns = socket.assigns
        if event == "typed":
            target = payload.get("_target") or []
            field = target[0] if target and target[0] in FIELDS else None
            if field is None:
                return  # a submit (Enter), or a field this page does not have
            value = payload.get(field)
            socket.assign(
                changes={**assigns.changes, field: assigns.changes[field] + 1},
                values={**assigns.values, field: value if isinstance(value, str) else ""},
            )
        elif event == "clicked":
            button = payload.get("button")
            if button in BUTTONS:
                socket.assign(clicks={**assigns.clicks, button: assigns.clicks[button] + 1})
        elif event == "key":
            socket.assign(keys=assigns.keys + 1, last_key=str(payload.get("key", ""))[:20])
        elif event == "reset":
            socket.assign(**zero())
        else:
            await super().handle_event(event, payload, socket)


EXAMPLES = [
    Example(
        "/debounce",
        Debounce,
        title="Debounce and throttle",
        description="What phx-debounce (a delay, or blur) and phx-throttle hold back.",
        hint="Type the same word in each field, click each button ten times fast, type fast in "
        "the last field, and compare the counts.",
        section="Forms",
        order=60,
    ),
]
