"""The values a diff deals in, shared by ``slots``, ``moves``, ``state`` and ``sharing``."""

from __future__ import annotations

import enum
from typing import Final


class _Same(enum.Enum):
    """The type of ``SAME`` (an enum, so that ``is SAME`` narrows a type)."""

    SAME = "SAME"


SAME: Final = _Same.SAME
"""The one "unchanged" signal: returned by every diff (``Step.diff``, ``Block.diff``,
``diff_prints``) that has nothing to emit."""
