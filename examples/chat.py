"""A chat room: each message is broadcast to the room's topic; newest last; HTML is escaped.

Works across server processes: a message is shown when it arrives from the topic, also in the
LiveView that sent it. `HISTORY` (for pages opened later) is fed from received messages, once
per process however many LiveViews received it; a real app keeps messages in its database.
"""

from collections import deque
from typing import Any

from examples.online import Online
from liveview import LiveView, LiveViewSocket, MessageTooLarge, PubSubUnavailable

TOPIC = "chat:lobby"
HISTORY: deque[dict[str, str]] = deque(maxlen=50)  # recent messages for pages that open later


def remember(message: dict[str, str]) -> None:
    """Add a received message to this process's history once.

    Every LiveView of a process receives the very same message object from pub/sub, so the
    first one to get it adds it and the others find it there.
    """
    if not any(seen is message for seen in HISTORY):
        HISTORY.append(message)


class Chat(LiveView):
    template = """
    <h1>Chat</h1>
    <ul id="messages">
      {% for m in messages %}
      <li><b>{{ m.name }}</b>: <span class="text">{{ m.text }}</span></li>
      {% endfor %}
    </ul>
    <p id="online">Online: {% for n in online %}<span class="who">{{ n }}</span> {% endfor %}</p>
    <p id="typing">{% if typing %}{{ typing|join(", ") }} typing&hellip;{% endif %}</p>
    <form id="chat" phx-submit="send" phx-change="typing">
      <input id="name" name="name" placeholder="Your name" value="{{ name }}">
      <input id="text" name="text" placeholder="Say something" value="">
      <button id="send" type="submit">Send</button>
    </form>
    {% if notice %}<p id="notice">{{ notice }}</p>{% endif %}
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.assign(messages=list(HISTORY), name="", notice="")
        self.online = Online(TOPIC)  # who's online and typing: presence (examples/online.py)
        await self.online.join(socket)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        name = payload.get("name", "").strip() or "anonymous"
        text = payload.get("text", "").strip()
        socket.assign(name=name, notice="")
        shown = payload.get("name", "").strip() or self.online.meta["name"]
        await self.online.set(socket, name=shown, typing=event == "typing" and bool(text))
        if event == "send" and text:
            try:
                await socket.pubsub.publish(TOPIC, {"name": name, "text": text})
            except PubSubUnavailable:
                socket.assign(notice="Not sent: the other servers cannot be reached right now.")
            except MessageTooLarge as error:
                socket.assign(notice=f"Not sent: {error}")

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if self.online.apply(socket, info):
            return
        if isinstance(info, dict) and {"name", "text"} <= info.keys():
            remember(info)
            socket.assign(messages=[*socket.assigns.messages, info][-50:])

    async def handle_gap(self, topic: str | None, socket: LiveViewSocket) -> None:
        socket.assign(messages=list(HISTORY))  # messages may have been missed: reload
        self.online.show(socket, await socket.presence.list(TOPIC))
