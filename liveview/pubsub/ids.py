"""Ids unique across processes and hosts, for nodes (`PubSub.node_id`) and subscriptions.

Ids travel between processes (as `origin` and `exclude` in envelopes), so a counter alone would
collide: a random per-process token comes first, e.g. `"5f0c2a9e3b7d1c44.17"`. A forked child
gets a token of its own, so its ids cannot repeat its parent's.
"""

from __future__ import annotations

import itertools
import os
import secrets

_process_token = secrets.token_hex(8)
_serial = itertools.count(1)


def unique_id() -> str:
    """Return an id no other subscription or node has, in this process or any other."""
    return f"{_process_token}.{next(_serial)}"


def _new_process_token() -> None:
    global _process_token, _serial
    _process_token = secrets.token_hex(8)
    _serial = itertools.count(1)


if hasattr(os, "register_at_fork"):  # POSIX; elsewhere there is no fork to survive
    os.register_at_fork(after_in_child=_new_process_token)
