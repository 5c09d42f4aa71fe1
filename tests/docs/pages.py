"""The docs pages' Python samples, run as a module would run them.

Every ```python block of a page under docs/ runs in order in one fresh module namespace (a later
block uses an earlier block's names), compiled on its own (`dont_inherit=True`: not under this
file's `__future__` imports, which would leave pydantic models unresolved). Then the `test_*`
functions the page defined are called, `async` ones with `asyncio.run`. A failure names the page
and the block's line; tracebacks point at the markdown lines themselves.

    namespace = run_page("pubsub.md")      # for a page's own tests: the names its samples made
"""

from __future__ import annotations

import asyncio
import inspect
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

FENCE = re.compile(r"^( *)```python\n(.*?)^\1```", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    """One ```python block: its page, the line its code starts on (1-based), its code."""

    page: str
    line: int
    code: str


class SampleFailed(AssertionError):
    """A docs sample raised, or a test function a page defined failed."""


def pages(docs: Path = DOCS) -> list[str]:
    """Every page under docs/, as a path relative to it (`"index.md"`, `"guides/x.md"`)."""
    return sorted(path.relative_to(docs).as_posix() for path in docs.rglob("*.md"))


def python_blocks(page: str, docs: Path = DOCS) -> list[Block]:
    """The page's ```python blocks in order (an indented fence, in a list item, is dedented)."""
    text = (docs / page).read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        indent, code = match.group(1), match.group(2)
        lines = [
            line[len(indent) :] if line.startswith(indent) else line.lstrip()
            for line in code.splitlines(keepends=True)
        ]
        first_line = text.count("\n", 0, match.start(2)) + 1
        blocks.append(Block(page, first_line, "".join(lines)))
    return blocks


def run_page(
    page: str, *, run_tests: bool = True, docs: Path = DOCS, **context: Any
) -> dict[str, Any]:
    """Run a page's blocks (then its `test_*` functions); returns the namespace they filled.

    `context` adds names before the first block runs. Safe to call from a running event loop
    (an `async` test): the page then runs in a thread of its own, since a sample may call
    `asyncio.run`."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run(page, docs, run_tests, context)
    outcome: dict[str, Any] = {}

    def in_thread() -> None:
        try:
            outcome["namespace"] = _run(page, docs, run_tests, context)
        except BaseException as error:  # handed back to the caller's thread below
            outcome["error"] = error

    thread = threading.Thread(target=in_thread, name=f"docs:{page}")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    namespace: dict[str, Any] = outcome["namespace"]
    return namespace


def _run(page: str, docs: Path, run_tests: bool, context: dict[str, Any]) -> dict[str, Any]:
    module = "docs_" + re.sub(r"\W", "_", page.removesuffix(".md"))
    namespace: dict[str, Any] = {"__name__": module, **context}
    path = str(docs / page)
    for block in python_blocks(page, docs):
        # leading newlines: the code's line numbers are the markdown file's
        source = "\n" * (block.line - 1) + block.code
        try:
            exec(compile(source, path, "exec", dont_inherit=True), namespace)
        except Exception as error:
            raise SampleFailed(
                f"docs/{page}: the python block at line {block.line} raised {error!r}"
            ) from error
    if run_tests:
        for name, function in list(namespace.items()):
            if name.startswith("test_") and inspect.isfunction(function):
                _call(page, name, function)
    return namespace


def _call(page: str, name: str, function: Any) -> None:
    try:
        if inspect.iscoroutinefunction(function):
            asyncio.run(function())
        else:
            function()
    except Exception as error:
        line = function.__code__.co_firstlineno
        raise SampleFailed(f"docs/{page}: {name} (line {line}) failed: {error!r}") from error
