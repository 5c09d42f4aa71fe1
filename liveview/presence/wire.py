"""The messages nodes exchange about presences, and the checks that keep out everything else.

Every replication message is a JSON object `{"presence": 1, "ns": <namespace>, "node": <id>,
"t": <kind>, ...}` on the topic `liveview.presence:<namespace>` (to every node) or
`liveview.presence:<namespace>:<node id>` (to one). Kinds:

- `hb`: heartbeat, `{"clock": c}`: the sender is alive and its presences are at clock `c`;
- `d`: delta, `{"prev": p, "clock": c, "joins": [[ref, topic, key, meta], ...], "leaves": [ref,
  ...]}`: what changed from clock `p` to `c`;
- `req`: `{"to": <node id> | null}`: send me your state (everyone's, when null);
- `s`: state, `{"clock": c, "sync": <id>, "part": i, "parts": n, "entries": [...]}`: part `i`
  of `n` of the sender's presences at clock `c`;
- `bye`: the sender is closing; drop its presences now.

`parse` returns None for anything else, including another app's messages (another namespace)
and this node's own, so a stray publish never changes what a page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VERSION = 1
KINDS = frozenset({"hb", "d", "req", "s", "bye"})
TOPIC_PREFIX = "liveview.presence:"

Entry = tuple[str, str, str, dict[str, Any]]
"""One presence on the wire: ref, topic, key, meta."""


@dataclass(frozen=True, slots=True)
class Message:
    kind: str
    node: str
    body: dict[str, Any]


def control_topic(namespace: str) -> str:
    return f"{TOPIC_PREFIX}{namespace}"


def node_topic(namespace: str, node: str) -> str:
    return f"{TOPIC_PREFIX}{namespace}:{node}"


def make(namespace: str, node: str, kind: str, **body: Any) -> dict[str, Any]:
    return {"presence": VERSION, "ns": namespace, "node": node, "t": kind, **body}


def parse(message: object, namespace: str) -> Message | None:
    """The replication message `message` is, or None if it is none of ours."""
    if not isinstance(message, dict) or message.get("presence") != VERSION:
        return None
    node, kind = message.get("node"), message.get("t")
    if message.get("ns") != namespace or not isinstance(node, str) or kind not in KINDS:
        return None
    if kind in ("hb", "d", "s") and not _is_clock(message.get("clock")):
        return None
    if kind == "d" and not (
        _is_clock(message.get("prev"))
        and _entries(message.get("joins"))
        and _strings(message.get("leaves"))
    ):
        return None
    if kind == "s" and not (
        isinstance(message.get("sync"), str)
        and _is_clock(message.get("part"))
        and _is_clock(message.get("parts"))
        and 0 <= message["part"] < message["parts"]
        and _entries(message.get("entries"))
    ):
        return None
    if kind == "req" and not (message.get("to") is None or isinstance(message.get("to"), str)):
        return None
    return Message(str(kind), node, message)


def _is_clock(value: object) -> bool:
    return type(value) is int and value >= 0


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _entries(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, list)
        and len(item) == 4
        and all(isinstance(part, str) for part in item[:3])
        and isinstance(item[3], dict)
        for item in value
    )
