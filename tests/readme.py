"""The README's code, for the tests that run it: its ```python blocks, as written."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def all_python_blocks() -> list[str]:
    """Every ```python block of the README, in order (indented ones dedented)."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^( *)```python\n(.*?)^\1```", text, re.DOTALL | re.MULTILINE)
    return [textwrap.dedent(code) for _, code in blocks]
