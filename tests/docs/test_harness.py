"""The docs harness itself: blocks share a namespace in order, a failing block or page test
names the page and line, async page tests run, and a page runs from inside an event loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.pages import SampleFailed, pages, python_blocks, run_page

PAGE = """# A page

```python
from pydantic import BaseModel

class Point(BaseModel):
    x: int
```

Text between blocks, and a block that is not Python:

```bash
echo not run
```

- a list item with an indented block:

  ```python
  point = Point(x="3")
  CALLS = []
  ```

```python
async def test_async_page_test():
    CALLS.append("async")

def test_plain_page_test():
    CALLS.append("plain")
```
"""


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    (tmp_path / "guide").mkdir()
    (tmp_path / "guide" / "page.md").write_text(PAGE)
    (tmp_path / "empty.md").write_text("# No code here\n\n```text\nnothing\n```\n")
    return tmp_path


def test_pages_lists_every_page(docs: Path) -> None:
    assert pages(docs) == ["empty.md", "guide/page.md"]


def test_blocks_are_found_in_order_with_their_lines(docs: Path) -> None:
    blocks = python_blocks("guide/page.md", docs)
    assert [block.line for block in blocks] == [4, 19, 24]
    assert blocks[1].code == 'point = Point(x="3")\nCALLS = []\n'  # dedented
    assert python_blocks("empty.md", docs) == []


def test_blocks_share_one_namespace_then_the_page_tests_run(docs: Path) -> None:
    namespace = run_page("guide/page.md", docs=docs)
    assert namespace["point"].x == 3  # pydantic resolved the annotation: not postponed
    assert sorted(namespace["CALLS"]) == ["async", "plain"]
    assert namespace["__name__"] == "docs_guide_page"
    assert run_page("empty.md", docs=docs)["__name__"] == "docs_empty"


def test_run_tests_false_only_runs_the_blocks(docs: Path) -> None:
    assert run_page("guide/page.md", docs=docs, run_tests=False)["CALLS"] == []


def test_a_failing_block_names_the_page_and_line(docs: Path) -> None:
    (docs / "bad.md").write_text("# Bad\n\n```python\nx = 1\n```\n\n```python\n\ny = x + z\n```\n")
    with pytest.raises(
        SampleFailed, match=r"docs/bad.md: the python block at line 8 raised"
    ) as info:
        run_page("bad.md", docs=docs)
    assert isinstance(info.value.__cause__, NameError)
    assert info.value.__cause__.__traceback__ is not None
    frames = []
    traceback = info.value.__cause__.__traceback__
    while traceback is not None:
        frames.append((traceback.tb_frame.f_code.co_filename, traceback.tb_lineno))
        traceback = traceback.tb_next
    assert frames[-1] == (str(docs / "bad.md"), 9)  # the markdown line itself


def test_a_failing_page_test_names_it(docs: Path) -> None:
    (docs / "fails.md").write_text(
        "```python\nasync def test_it():\n    assert 1 == 2, 'sums'\n```\n"
    )
    with pytest.raises(SampleFailed, match=r"docs/fails.md: test_it \(line 2\) failed"):
        run_page("fails.md", docs=docs)


def test_context_names_reach_the_first_block(docs: Path) -> None:
    (docs / "uses.md").write_text("```python\nresult = given * 2\n```\n")
    assert run_page("uses.md", docs=docs, given=21)["result"] == 42


async def test_a_page_runs_from_inside_an_event_loop(docs: Path) -> None:
    (docs / "loop.md").write_text(
        "```python\nimport asyncio\n\nasync def f():\n    return 5\n\n"
        "five = asyncio.run(f())\n```\n"
    )
    assert run_page("loop.md", docs=docs)["five"] == 5
    (docs / "fails.md").write_text("```python\nraise KeyError('k')\n```\n")
    with pytest.raises(SampleFailed, match="KeyError"):  # an error crosses the thread
        run_page("fails.md", docs=docs)
