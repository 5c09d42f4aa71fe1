"""Every Python sample of the README runs as written: each block is executed here (or in the
test named for it), with only the names the README leaves to the reader supplied, and what it
promises is checked. A block no test knows fails `test_every_readme_block_is_run`."""

from __future__ import annotations

from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, SingleProcessPubSub
from liveview.testing import LiveViewTestClient, ReplyError
from tests.readme import all_python_blocks


class Page(LiveView):
    """A stand-in for the reader's own LiveViews (`Home`, `Admin`...)."""

    template = "<p>page</p>"


async def load_count() -> int:
    return 7


async def load_orders() -> list[dict[str, Any]]:
    return [{"quantity": 2, "item": "tea"}]


def block(marker: str) -> str:
    (found,) = [code for code in all_python_blocks() if marker in code]
    return found


def run(marker: str, **context: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "readme", **context}
    exec(compile(block(marker), f"README.md ({marker})", "exec", dont_inherit=True), namespace)
    return namespace


RUN_ELSEWHERE = {
}
MARKERS = [
    "class Counter(LiveView)",
    "class Dashboard(LiveView)",
    'COUNT = {"value": 0}',
    'LiveSession("admin"',
    "LAYOUT = ",
    "live_app.running()",
    "test_two_tabs_count_together",
    *RUN_ELSEWHERE,
]


def test_every_readme_block_is_run() -> None:
    for index, code in enumerate(all_python_blocks()):
        known = [marker for marker in MARKERS if marker in code]
        assert len(known) == 1, f"README python block {index} ({code[:60]!r}) has no test here"


async def test_the_first_liveview() -> None:
    code = run("class Counter(LiveView)")
    async with LiveViewTestClient(code["app"]) as client:
        view = await client.live("/counter")
        await view.click("inc")
        assert '<h1 id="count">1</h1>' in view.html
        with pytest.raises(ReplyError, match="unknown event 'nope'"):
            await view.click("nope")


async def test_the_shared_counter_and_the_dashboard_fed_by_the_lifespan() -> None:
    code = run('COUNT = {"value": 0}', **run("class Dashboard(LiveView)"))
    async with LiveViewTestClient(code["app"]) as client:
        ann = await client.live("/counter")
        await ann.click("inc")
        await ann.wait_for(lambda html: '<h1 id="count">1</h1>' in html)
        late = await client.live("/counter")  # a tab opened later starts from the truth
        assert '<h1 id="count">1</h1>' in late.html
        dashboard = await client.live("/dashboard")
        await dashboard.wait_for(lambda html: '<p id="load">0.10</p>' in html, timeout=3)
        testing = run("test_two_tabs_count_together", app=code["app"])
    code["COUNT"]["value"] = 0
    await testing["test_two_tabs_count_together"]()


async def test_live_sessions_layouts_and_a_mounted_app() -> None:
    run('LiveSession("admin"', Home=Page, Admin=Page, Users=Page)
    layout = run("LAYOUT = ", Counter=Page)
    async with LiveViewTestClient(layout["app"]) as client:
        assert '<nav><a href="/">home</a></nav>' in (await client.get("/")).text
    live_app = LiveViewApp(routes={"/": Page}, secret="readme")
    outer = run("live_app.running()", live_app=live_app)["outer"]
    async with LiveViewTestClient(outer) as client:
        assert "<p>page</p>" in (await client.get("/live-app/")).text
