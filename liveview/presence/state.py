"""What a node knows of everyone's presences, and the diffs its subscribers get.

`Index` holds every presence this node knows of (its own and its replicas of other nodes'),
by topic and key, and gathers what changed per topic until `take_diffs` hands it out as
`presence_diff` messages: many joins within one broadcast period make one message, so a page
renders once for them. `sync_diff` is the helper a LiveView uses to keep its copy of `list`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Meta = dict[str, Any]
"""One presence's meta as subscribers see it: the tracked dict plus its `phx_ref`."""
Listing = dict[str, dict[str, list[Meta]]]
"""`{key: {"metas": [meta, ...]}}`: what `list` returns and what a diff's joins/leaves hold."""

Diffs = list[tuple[str, dict[str, Any]]]
"""Topics and their `presence_diff` messages."""

EVENT = "presence_diff"


class _Pending:
    """Joins and leaves of one topic not yet handed out, by key and ref."""

    __slots__ = ("joins", "leaves")

    def __init__(self) -> None:
        self.joins: dict[str, dict[str, Meta]] = {}
        self.leaves: dict[str, dict[str, Meta]] = {}


class Index:
    """Every known presence: topic -> key -> ref -> meta, and ref -> (topic, key)."""

    def __init__(self) -> None:
        self._topics: dict[str, dict[str, dict[str, Meta]]] = {}
        self._where: dict[str, tuple[str, str]] = {}
        self._pending: dict[str, _Pending] = {}

    def __contains__(self, ref: str) -> bool:
        return ref in self._where

    def __len__(self) -> int:
        return len(self._where)

    def add(self, ref: str, topic: str, key: str, meta: Meta) -> None:
        """A presence joined (adding a ref already known only replaces its meta)."""
        if ref in self._where:
            if self._where[ref] == (topic, key):
                self._topics[topic][key][ref] = meta
                return
            self.remove(ref)
        self._where[ref] = (topic, key)
        self._topics.setdefault(topic, {}).setdefault(key, {})[ref] = meta
        self._pending_for(topic).joins.setdefault(key, {})[ref] = meta

    def remove(self, ref: str) -> None:
        """A presence left; unknown refs are ignored (removal is idempotent)."""
        where = self._where.pop(ref, None)
        if where is None:
            return
        topic, key = where
        keys = self._topics[topic]
        meta = keys[key].pop(ref)
        if not keys[key]:
            del keys[key]
            if not keys:
                del self._topics[topic]
        pending = self._pending_for(topic)
        joined = pending.joins.get(key)
        if joined is not None and joined.pop(ref, None) is not None and not joined:
            del pending.joins[key]
        # The leave is sent even for a join not sent yet: a page may have seen it in `list`.
        pending.leaves.setdefault(key, {})[ref] = meta

    def listing(self, topic: str) -> Listing:
        return {
            key: {"metas": list(refs.values())} for key, refs in self._topics.get(topic, {}).items()
        }

    def take_diffs(self) -> Diffs:
        """The `presence_diff` message of each topic that changed since the last call."""
        pending, self._pending = self._pending, {}
        diffs: Diffs = []
        for topic, changes in pending.items():
            if changes.joins or changes.leaves:
                diffs.append((topic, _diff(changes)))
        return diffs

    def _pending_for(self, topic: str) -> _Pending:
        pending = self._pending.get(topic)
        if pending is None:
            pending = self._pending[topic] = _Pending()
        return pending


def _diff(changes: _Pending) -> dict[str, Any]:
    return {
        "event": EVENT,
        "joins": {key: {"metas": list(refs.values())} for key, refs in changes.joins.items()},
        "leaves": {key: {"metas": list(refs.values())} for key, refs in changes.leaves.items()},
    }


def sync_diff(state: Mapping[str, Any], diff: Mapping[str, Any]) -> Listing:
    """Apply a `presence_diff` to a listing (from `list`, or built by earlier diffs) and return
    the new listing; `state` and `diff` are not changed (the new listing shares entries with
    both: treat listings as read-only, as messages are).

    Joins first, then leaves (an update is a leave of the old ref and a join of the new one).
    A join of a ref already there replaces its meta; a leave of a ref not there does nothing,
    so a diff that overlaps what `list` already showed is harmless.
    """
    # A shallow copy: entries of keys the diff does not touch are shared, never changed.
    result: Listing = dict(state)
    for key, entry in diff.get("joins", {}).items():
        current = result.get(key)
        if current is None:
            result[key] = entry  # shared with the diff, which is read-only too
            continue
        joined = entry["metas"]
        refs = {meta.get("phx_ref") for meta in joined}
        kept = [m for m in current["metas"] if m.get("phx_ref") not in refs]
        result[key] = {"metas": kept + list(joined)}
    for key, entry in diff.get("leaves", {}).items():
        if key not in result:
            continue
        refs = {meta.get("phx_ref") for meta in entry["metas"]}
        kept = [m for m in result[key]["metas"] if m.get("phx_ref") not in refs]
        if kept:
            result[key] = {"metas": kept}
        else:
            del result[key]
    return result
