"""docs/longpoll.md: its Python blocks run in order in one namespace, as the docs harness runs
every page, and the `test_` functions they define are run (async ones on a fresh loop)."""

from __future__ import annotations

import asyncio
import inspect
import re
from pathlib import Path
from typing import Any

PAGE = Path(__file__).resolve().parents[2] / "docs" / "longpoll.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_every_python_block_of_the_page_runs() -> None:
    blocks = BLOCK.findall(PAGE.read_text())
    assert blocks, "no python block in docs/longpoll.md"
    namespace: dict[str, Any] = {"__name__": "docs_longpoll"}
    for number, code in enumerate(blocks, 1):
        exec(compile(code, f"{PAGE.name} (block {number})", "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert tests
    for test in tests:
        result = test()
        if inspect.iscoroutine(result):
            asyncio.run(result)
