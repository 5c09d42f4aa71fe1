"""The values a diff deals in, shared by ``slots``, ``moves``, ``state`` and ``sharing``.

A *print* is what the server keeps of what the client holds (see ``slots``); a *wire node* is
what is sent: a complete node, or the diff of one.
"""

from __future__ import annotations

import enum
from typing import Any, Final


class _Same(enum.Enum):
    """The type of ``SAME`` (an enum, so that ``is SAME`` narrows a type)."""

    SAME = "SAME"


SAME: Final = _Same.SAME
"""The one "unchanged" signal: returned by every diff (``Step.diff``, ``Block.diff``,
``diff_prints``) that has nothing to emit."""

NodePrint = list[Any]
"""The print of a node, ``[block, p0, p1, ...]`` (``p_i``: the print of slot *i*), or of a
comprehension, ``[for_slot, [entry NodePrint, ...]]``; never mutated once made."""

SlotPrint = str | int | NodePrint
"""The print of one slot: the string last sent, the cid of the live component in it, or the
print of the node or comprehension in it."""

WireNode = dict[str, Any]
"""A node as sent: ``{"s": statics, "0": value, ...}``, a comprehension, or the diff of either."""

WireValue = str | int | WireNode
"""What a slot carries on the wire: a string, a component's cid, or a node (complete or a
diff)."""

SlotUpdate = tuple[WireValue, SlotPrint]
"""What a diff returns for a changed slot: ``(value to emit, new print)``."""
