"""Presence: who is on which topic, on every pub/sub backend and across processes and hosts.

`Presence` (one per pub/sub instance; `app.presence`, `socket.presence`) tracks, lists and
tells subscribers what changed (`presence_diff`); `sync_diff` applies such a diff to a listing.
How nodes agree, what breaks and what it costs: `liveview.presence.tracker`.
"""

from __future__ import annotations

from liveview.presence.state import Listing, sync_diff
from liveview.presence.tracker import Presence, presence_of

__all__ = ["Listing", "Presence", "presence_of", "sync_diff"]
