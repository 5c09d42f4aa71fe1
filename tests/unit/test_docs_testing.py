"""docs/testing.md runs: its python blocks, in order, as one module, then each `test_*` it
defines (the docs convention; the shared docs harness takes this page over at merge)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest

PAGE = Path(__file__).parents[2] / "docs" / "testing.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def page_namespace() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "docs_testing"}
    for number, block in enumerate(BLOCK.findall(PAGE.read_text())):
        exec(compile(block, f"{PAGE}:block{number + 1}", "exec"), namespace)
    return namespace


NAMESPACE = page_namespace()
TESTS = sorted(name for name, value in NAMESPACE.items() if name.startswith("test_"))


def test_the_page_has_examples() -> None:
    assert len(TESTS) >= 10


@pytest.mark.parametrize("name", TESTS)
async def test_the_pages_example(name: str) -> None:
    function = NAMESPACE[name]
    result = function()
    if inspect.isawaitable(result):
        await result
