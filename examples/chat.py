"""A chat room: each message is broadcast to the room's topic; newest last; HTML is escaped."""

from collections import deque
from typing import Any

from liveview import LiveView, LiveViewSocket

TOPIC = "chat:lobby"
HISTORY: deque[dict[str, str]] = deque(maxlen=50)  # recent messages for pages that open later


class Chat(LiveView):
    template = """
    <h1>Chat</h1>
    <ul id="messages">
      {% for m in messages %}
      <li><b>{{ m.name }}</b>: <span class="text">{{ m.text }}</span></li>
      {% endfor %}
    </ul>
    <form id="chat" phx-submit="send">
      <input id="name" name="name" placeholder="Your name" value="{{ name }}">
      <input id="text" name="text" placeholder="Say something" value="">
      <button id="send" type="submit">Send</button>
    </form>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.assign(messages=list(HISTORY), name="")

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        name = payload.get("name", "").strip() or "anonymous"
        text = payload.get("text", "").strip()
        socket.assign(name=name)
        if event == "send" and text:
            message = {"name": name, "text": text}
            HISTORY.append(message)
            await socket.pubsub.publish(TOPIC, message)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(messages=[*socket.assigns.messages, info][-50:])
