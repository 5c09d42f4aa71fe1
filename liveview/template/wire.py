"""The keys of a rendered tree and of a diff, as the LiveView 1.2 client reads them.

Named once here, as Phoenix's ``diff.ex`` names them; every module that builds or reads a tree
uses these names. A node is a dict: its slots are the keys ``"0"``, ``"1"``, … and these keys
mark what else it carries::

    {"s": ["<p>", "</p>"], "0": "hi"}                  # statics and one dynamic
    {"s": ["<li>", "</li>"], "k": {"0": {"0": "a"}, "kc": 1}}   # a comprehension, one entry
    {"k": {"0": 1, "1": [0, {"0": "b"}], "kc": 2, "km": True}} # entries moved from old ones
"""

from __future__ import annotations

from typing import Final

STATIC: Final = "s"
"""The statics of a node (a list of strings, or an index into the template table ``p``)."""

KEYED: Final = "k"
"""A comprehension's entries, by position: ``{"0": entry, "1": entry, …, "kc": count}``."""

KEYED_COUNT: Final = "kc"
"""Inside ``k``: how many entries the comprehension has now (the client drops the rest)."""

KEYED_MOVED: Final = "km"
"""Inside ``k``: true when some entries are moves (an old position, or ``[old, diff]``)."""

TEMPLATES: Final = "p"
"""Shared statics of a tree, by index, that nodes point at with an integer ``s``."""

COMPONENTS: Final = "c"
"""Live components' trees by cid, at the top of a diff. A component's tree may have an integer
``s``: the statics of another component's tree, ``cid`` in this diff or ``-cid`` on the client."""

ROOT: Final = "r"
"""In a component's complete tree: ``1``, it renders one root tag (the client adds
``data-phx-component`` to it). At the top of a diff the same key is ``REPLY``."""

STREAM: Final = "stream"
"""A comprehension's stream operations (ref, inserts, deletes, reset)."""

EVENTS: Final = "e"
"""At the top of a diff: events pushed to the browser, ``[[name, payload], …]``."""

TITLE: Final = "t"
"""At the top of a diff: the new page title."""

REPLY: Final = "r"
"""At the top of a diff: a hook's ``pushEvent`` reply."""

TOP_LEVEL_ONLY: Final = (EVENTS, TITLE, REPLY)
"""Keys the client takes off a diff before merging the rest into its tree."""
