"""Who's online and who's typing on a topic, for any LiveView: presence in a few lines.

`Online(topic)` is held by a LiveView: `join` in mount tracks this tab (a guest key, a name and
whether it is typing) and reads who is there; `set` changes this tab's meta, only when it
changes (so typing does not publish a message per key stroke); `apply` takes a `presence_diff`
from handle_info. `names` and `typing` are what the template shows.
"""

from __future__ import annotations

import secrets
from typing import Any

from liveview import LiveViewSocket, sync_diff


class Online:
    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.key = secrets.token_hex(4)
        self.meta: dict[str, Any] = {"name": f"guest-{self.key[:4]}", "typing": False}
        self.listing: dict[str, Any] = {}

    async def join(self, socket: LiveViewSocket) -> None:
        await socket.track(self.topic, self.key, self.meta)
        self.show(socket, await socket.presence.list(self.topic))

    async def set(self, socket: LiveViewSocket, **meta: Any) -> None:
        changed = {**self.meta, **meta}
        if changed != self.meta:
            self.meta = changed
            await socket.update_presence(self.topic, self.key, changed)

    def apply(self, socket: LiveViewSocket, info: Any) -> bool:
        """Apply `info` if it is this topic's presence diff; say whether it was."""
        if not (isinstance(info, dict) and info.get("event") == "presence_diff"):
            return False
        self.show(socket, sync_diff(self.listing, info))
        return True

    def show(self, socket: LiveViewSocket, listing: dict[str, Any]) -> None:
        self.listing = listing
        metas = [entry["metas"][-1] for _, entry in sorted(listing.items())]
        others_typing = [
            m["name"]
            for key, m in zip(sorted(listing), metas, strict=True)
            if m.get("typing") and key != self.key
        ]
        socket.assign(online=sorted(m["name"] for m in metas), typing=others_typing)
