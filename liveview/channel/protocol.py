"""The channel's vocabulary: the topics, events and statuses of the V2 protocol, named once.

A frame is `[join_ref, ref, topic, event, payload]` (`frames`). The client joins one topic per
LiveView, `lv:<view id>`, and sends `heartbeat` on the `phoenix` topic; these names are what
travels in the `topic` and `event` places. The diff's own keys are in `liveview.template.wire`.
"""

from __future__ import annotations

from typing import Final

LIVEVIEW_VERSION: Final = "1.2.12"
"""The client version our join replies announce (the client warns when it differs); the same as
`phoenix_live_view` in `package.json`, which a test checks."""

# topics ----------------------------------------------------------------------------------------

LIVEVIEW_TOPIC_PREFIX: Final = "lv:"
"""A LiveView's topic is this prefix and its container's id."""

PHOENIX_TOPIC: Final = "phoenix"
"""The socket-level topic: heartbeats."""


def view_id_of(topic: str) -> str:
    """`lv:phx-abc` -> `phx-abc`."""
    return topic[len(LIVEVIEW_TOPIC_PREFIX) :]


# client -> server ------------------------------------------------------------------------------

HEARTBEAT: Final = "heartbeat"
JOIN: Final = "phx_join"
LEAVE: Final = "phx_leave"
EVENT: Final = "event"
"""A `phx-*` binding fired: payload `{type, event, value, cid?, meta?}`."""
LIVE_PATCH: Final = "live_patch"
"""The client followed a patch link (or history): payload `{url}`."""
CIDS_WILL_DESTROY: Final = "cids_will_destroy"
CIDS_DESTROYED: Final = "cids_destroyed"

# server -> client ------------------------------------------------------------------------------

REPLY: Final = "phx_reply"
ERROR: Final = "phx_error"
"""The LiveView failed: the client rejoins, which mounts a fresh one."""
CLOSE: Final = "phx_close"
"""The LiveView ended on the server's side (leave, navigation away)."""
DIFF: Final = "diff"
LIVE_REDIRECT: Final = "live_redirect"
"""Navigate to another LiveView over the same websocket (`push_navigate`)."""
REDIRECT: Final = "redirect"
"""Leave with a full page load (`redirect`)."""

# reply statuses --------------------------------------------------------------------------------

OK: Final = "ok"
FAILED: Final = "error"

# why a join is refused (the `reason` of its error reply) -----------------------------------------

STALE: Final = "stale"
"""The page's tokens do not verify (a restart with a new secret, an old tab): the client loads
the page again over HTTP."""
UNAUTHORIZED: Final = "unauthorized"
"""The page may not be joined from here (another route's token, a live navigation out of its
live session): the client loads it over HTTP."""
RELOAD: Final = "reload"
"""The mount crashed: the client sets the reply's `token` as the reload-status cookie and loads
the page again, whose dead render then shows the error instead of joining again."""

# events the client sends on its own behalf -----------------------------------------------------

RESERVED_EVENT_PREFIX: Final = "lv:"
"""Event names the client keeps for itself; a LiveView's own events never start with it."""
CLEAR_FLASH: Final = "lv:clear-flash"
"""Sent when a flash with `phx-click="lv:clear-flash"` is dismissed: payload `{key}`."""
