"""Every Python sample of the README runs as written: each block is executed here (or in the
test named for it) and what it promises is checked. A block no test knows fails
`test_every_readme_block_is_run`. The guides' samples live in docs/ (tests/docs/ runs them)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from liveview.testing import LiveViewTestClient, ReplyError
from tests.readme import README, all_python_blocks


def block(marker: str) -> str:
    (found,) = [code for code in all_python_blocks() if marker in code]
    return found


def run(marker: str, **context: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "readme", **context}
    exec(compile(block(marker), f"README.md ({marker})", "exec", dont_inherit=True), namespace)
    return namespace


RUN_ELSEWHERE: dict[str, str] = {}
MARKERS = [
    "class Counter(LiveView)",
    "test_two_tabs_count_together",
    *RUN_ELSEWHERE,
]


def test_every_readme_block_is_run() -> None:
    for index, code in enumerate(all_python_blocks()):
        known = [marker for marker in MARKERS if marker in code]
        assert len(known) == 1, f"README python block {index} ({code[:60]!r}) has no test here"


async def test_the_first_liveview_counts_in_every_tab() -> None:
    code = run("class Counter(LiveView)")
    async with LiveViewTestClient(code["app"]) as client:
        view = await client.live("/counter")
        await view.click("inc")
        await view.wait_for(lambda html: '<h1 id="count">1</h1>' in html)  # through pub/sub
        late = await client.live("/counter")  # a tab opened later starts from the truth
        assert '<h1 id="count">1</h1>' in late.html
        with pytest.raises(ReplyError, match="unknown event 'nope'"):
            await view.click("nope")
        assert code["COUNT"] == {"value": 1}
    testing = run("test_two_tabs_count_together", **run("class Counter(LiveView)"))
    await testing["test_two_tabs_count_together"]()
    assert testing["COUNT"] == {"value": 1}  # the test's own click, on a fresh count


def test_the_readme_links_only_to_files_of_the_repo() -> None:
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert links, "the README links to the docs pages"
    for link in links:
        assert "://" not in link, f"the README links outside the repo: {link}"
        path = link.split("#")[0]
        assert (README.parent / path).is_file(), f"the README links to a missing file: {link}"
