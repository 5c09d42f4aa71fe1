"""Turning an evaluated value into the HTML text of a slot.

Dynamic values are inserted by the client as raw HTML, so escaping is the server's job.
Rules: ``None``, ``False`` and Jinja's ``Undefined`` render as ``""`` (an unassigned name is
reported: ``undefined``); anything with
``__html__`` (``Markup``, ``|safe``) passes through; everything else is ``str()``-ed and escaped
exactly as ``markupsafe.escape`` does. The result is always a plain ``str`` — never a number,
which the client would take for a component id.
"""

from __future__ import annotations

from typing import Any

from jinja2 import ChainableUndefined, Undefined

from . import undefined


def escape_text(text: str) -> str:
    """Escape ``& < > " '`` like ``markupsafe.escape``; returns ``text`` itself when clean.

    Hand-rolled because the common case (nothing to escape) is then a handful of ``in``
    checks with no allocation, several times faster than ``str(markupsafe.escape(text))``.
    """
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return (
            text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&#34;")
            .replace("'", "&#39;")
        )
    return text


def to_text(value: Any) -> str:
    """Render one dynamic value as the HTML string sent in its slot."""
    kind = type(value)
    if kind is str:
        return escape_text(value)
    if kind is int:
        return str(value)
    if value is None or value is False:
        return ""
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    if isinstance(value, Undefined):  # "" or an error: never silent (see ``undefined``)
        if type(value) is not Undefined and not isinstance(value, ChainableUndefined):
            return escape_text(str(value))  # the environment's own kind decides
        return undefined.rendered(value)
    return escape_text(str(value))
