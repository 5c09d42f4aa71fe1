"""docs/telemetry.md: its ```python blocks run in order in one module namespace, then the
`test_*` functions they define (the docs harness's convention; folded into tests/docs/ at
merge)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from liveview import telemetry

PAGE = Path(__file__).resolve().parents[2] / "docs" / "telemetry.md"
FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


async def test_the_page_runs() -> None:
    text = PAGE.read_text(encoding="utf-8")
    namespace: dict[str, Any] = {"__name__": "docs_telemetry"}
    blocks = list(FENCE.finditer(text))
    assert len(blocks) >= 4
    for block in blocks:
        line = text.count("\n", 0, block.start(1)) + 1
        code = "\n" * (line - 1) + block.group(1)  # tracebacks point at the page's lines
        exec(compile(code, str(PAGE), "exec", dont_inherit=True), namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_") and callable(f)]
    assert len(tests) == 3
    for test in tests:
        result = test()
        if inspect.isawaitable(result):
            await result
    assert not any(getattr(telemetry.hooks, flag) for flag in telemetry.Hooks.__slots__)
