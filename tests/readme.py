"""The README's code, for the tests that run it: a section's ```python blocks, as written."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks(heading: str) -> list[str]:
    """The ```python blocks of the README section under `## heading` (to the next `## `)."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    section = text[start : end if end != -1 else len(text)]
    return re.findall(r"```python\n(.*?)```", section, re.DOTALL)


def all_python_blocks() -> list[str]:
    """Every ```python block of the README, in order (indented ones dedented)."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^( *)```python\n(.*?)^\1```", text, re.DOTALL | re.MULTILINE)
    return [textwrap.dedent(code) for _, code in blocks]


def run_block(heading: str, index: int = 0) -> dict[str, object]:
    """Execute one block of a section as a module would; returns its namespace."""
    namespace: dict[str, object] = {"__name__": f"readme_{heading.lower().replace(' ', '_')}"}
    # dont_inherit: compiled as a module of its own, not under this file's `__future__` imports
    # (postponed annotations would leave pydantic models unresolved)
    source = python_blocks(heading)[index]
    exec(compile(source, f"README.md ({heading})", "exec", dont_inherit=True), namespace)
    return namespace
