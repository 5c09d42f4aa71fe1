"""A chat with rooms: messages are broadcast to the room's topic and shown through a stream.

The server keeps no message per page: each arrives from the room's topic, is inserted into the
`messages` stream (the browser keeps the last `SHOWN`) and forgotten once sent. Works across
server processes: a message is shown when it arrives from the topic, also in the LiveView that
sent it. Deleting a message publishes its deletion, so it goes from every page of the room.
Switching rooms resets the stream to the new room's history. Who is in the room and who is
typing come from presence (`online.py` beside this file), tracked on the room's topic.
HTML is escaped.

`HISTORY` (for pages opened later) is fed from received messages, once per process however many
LiveViews received them; a real app keeps messages in its database.
"""

import secrets
from collections import deque
from typing import Any

from liveview import LiveView, LiveViewSocket, MessageTooLarge, PubSubUnavailable
from liveview.gallery.example import Example
from liveview.gallery.online import Online

ROOMS = ("lobby", "random")
SHOWN = 100
"""Messages a page shows: older ones leave the browser (the stream's `limit`)."""

Message = dict[str, str]
HISTORY: dict[str, deque[Message]] = {room: deque(maxlen=SHOWN) for room in ROOMS}


def topic(room: str) -> str:
    return f"chat:{room}"


def remember(room: str, message: Message) -> None:
    """Add a received message to this process's history of `room` once.

    Every LiveView of a process receives the very same message object from pub/sub, so the
    first one to get it adds it and the others find it there.
    """
    history = HISTORY[room]
    if not any(seen is message for seen in history):
        history.append(message)


def forget(room: str, message_id: str) -> None:
    history = HISTORY[room]
    for message in list(history):
        if message["id"] == message_id:
            history.remove(message)


class Chat(LiveView):
    template = """
    <style>#messages .delete::after { content: "\\00d7"; }</style>
    <h1>Chat</h1>
    <nav id="rooms">
      {% for r in rooms %}
      <button id="room-{{ r }}" phx-click="room" phx-value-room="{{ r }}"
              {% if r == room %}aria-current="true"{% endif %}>#{{ r }}</button>
      {% endfor %}
    </nav>
    <ul id="messages" phx-update="stream">
      {% for dom_id, m in streams.messages %}
      <li id="{{ dom_id }}"><b>{{ m.name }}</b>: <span class="text">{{ m.text }}</span>
        <button class="delete" phx-click="delete" phx-value-id="{{ m.id }}"
                aria-label="delete" title="delete"></button></li>
      {% endfor %}
    </ul>
    <p id="online">Online: {% for n in online %}<span class="who">{{ n }}</span> {% endfor %}</p>
    <p id="typing">{% if typing %}{{ typing|join(", ") }} typing&hellip;{% endif %}</p>
    <form id="chat" phx-submit="send" phx-change="typing">
      <input id="name" name="name" placeholder="Your name" value="{{ name }}">
      <input id="text" name="text" placeholder="Say something" value="">
      <button id="send" type="submit">Send</button>
    </form>
    {% if notice %}<p id="notice" class="notice">{{ notice }}</p>{% endif %}
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(rooms=ROOMS, name="", notice="")
        self.online: Online | None = None  # who's here and typing: presence (online.py)
        await self.enter(socket, "lobby")

    async def enter(self, socket: LiveViewSocket, room: str) -> None:
        """Show `room`: its topic instead of the last one, its history instead of the rows,
        this tab present there instead."""
        previous = socket.assigns.get("room")
        meta = None
        if previous is not None:
            await socket.unsubscribe(topic(previous))
        if self.online is not None:
            meta = self.online.meta
            await socket.untrack(self.online.topic, self.online.key)
        await socket.subscribe(topic(room))
        socket.assign(room=room)
        socket.stream("messages", list(HISTORY[room]), reset=True, limit=-SHOWN)
        self.online = Online(topic(room))
        if meta is not None:
            self.online.meta = meta
        await self.online.join(socket)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        room = socket.assigns.room
        assert self.online is not None
        if event in ("send", "typing"):
            # the form's name as the server renders it (a form event re-renders the inputs
            # that are not focused from it), and the presence meta: the name, whether typing
            name = payload.get("name", "").strip()
            socket.assign(name=name, notice="")
            typing = event == "typing" and bool(payload.get("text", "").strip())
            await self.online.set(socket, name=name or self.online.meta["name"], typing=typing)
        if event == "room":
            if payload.get("room") in ROOMS and payload["room"] != room:
                await self.enter(socket, payload["room"])
        elif event == "delete":
            await self.publish(socket, {"deleted": str(payload.get("id", ""))})
        elif event == "send":
            name = socket.assigns.name or "anonymous"
            text = payload.get("text", "").strip()
            if text:
                message = {"id": secrets.token_hex(8), "name": name, "text": text}
                await self.publish(socket, message)

    async def publish(self, socket: LiveViewSocket, message: dict[str, str]) -> None:
        try:
            await socket.pubsub.publish(topic(socket.assigns.room), message)
        except PubSubUnavailable:
            socket.assign(notice="Not sent: the other servers cannot be reached right now.")
        except MessageTooLarge as error:
            socket.assign(notice=f"Not sent: {error}")

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        room = socket.assigns.room
        if self.online is not None and self.online.apply(socket, info):
            return
        if not isinstance(info, dict):
            return
        if {"id", "name", "text"} <= info.keys():
            remember(room, info)
            socket.stream_insert("messages", info, limit=-SHOWN)
        elif "deleted" in info:
            forget(room, info["deleted"])
            socket.stream_delete_by_dom_id("messages", f"messages-{info['deleted']}")

    async def handle_gap(self, topic: str | None, socket: LiveViewSocket) -> None:
        # messages may have been missed: show the history again
        room = socket.assigns.room
        socket.stream("messages", list(HISTORY[room]), reset=True, limit=-SHOWN)
        if self.online is not None:
            self.online.show(socket, await socket.presence.list(self.online.topic))


EXAMPLES = [
    Example(
        "/chat",
        Chat,
        title="Chat",
        description="Rooms: messages broadcast to a topic, a stream, who is here and typing.",
        hint="Open this page in a second window, give each a name and type: the other window "
        "shows you typing, then your message.",
        section="Multi-player",
        order=20,
        multiplayer=True,
    ),
]
