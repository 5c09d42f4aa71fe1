"""``to_html``: a full wire tree to HTML, exactly as the client's ``Rendered.toString`` builds it.

Statics are interleaved with slot values; comprehensions repeat their statics for entries
``0..kc-1``; template tables (``"p"``, integer ``"s"``) and components (integer slot values,
looked up in ``"c"``) are resolved. The client's bookkeeping attributes (``data-phx-id``,
``data-phx-component``...) are not added. JavaScript's rendering of stray values is kept:
a missing slot is ``undefined``, ``None`` is ``null``, booleans ``true``/``false``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Tree = Mapping[str, Any]


def to_html(tree: Tree) -> str:
    """The HTML the client renders from a full tree (as sent at join)."""
    parts: list[str] = []
    components = tree.get("c") or {}
    _node(tree, None, components, parts)
    return "".join(parts)


def _node(node: Tree, templates: Any, components: Tree, parts: list[str]) -> None:
    if "k" in node:
        keyed = node["k"]
        statics = _statics(node["s"], templates)
        entry_templates = templates or node.get("p")
        for index in range(keyed["kc"]):
            _dynamics(keyed[str(index)], statics, entry_templates, components, parts)
        return
    if "p" in node:
        templates = node["p"]
    _dynamics(node, _statics(node["s"], templates), templates, components, parts)


def _statics(statics: Any, templates: Any) -> list[str]:
    if isinstance(statics, int) and not isinstance(statics, bool):
        return list(templates[str(statics)] if str(statics) in templates else templates[statics])
    return list(statics)


def _dynamics(
    values: Tree, statics: list[str], templates: Any, components: Tree, parts: list[str]
) -> None:
    last = len(statics) - 1
    for index in range(last):
        parts.append(statics[index])
        _value(values.get(str(index)), templates, components, parts, str(index) in values)
    parts.append(statics[last])


def _value(value: Any, templates: Any, components: Tree, parts: list[str], present: bool) -> None:
    if isinstance(value, str):
        parts.append(value)
    elif isinstance(value, Mapping):
        _node(value, templates, components, parts)
    elif isinstance(value, bool):
        parts.append("true" if value else "false")
    elif isinstance(value, (int, float)):
        cid = str(int(value))
        if cid not in components:
            raise ValueError(f"Cannot continue render due to missing component: {cid}")
        component = components[cid]
        _node(component, None, components, parts)
    elif value is None:
        parts.append("null" if present else "undefined")
    else:
        parts.append(str(value))
