"""The README's async section runs as written: the organisation page renders loading (dead
render and join), then the organisation; the stock check reaches `handle_async`."""

from __future__ import annotations

from typing import Any

from liveview.testing import LiveViewTestClient
from tests.readme import python_blocks, run_block


async def test_the_readme_org_page() -> None:
    assert len(python_blocks("Async")) == 1
    code: dict[str, Any] = run_block("Async")
    async with LiveViewTestClient(code["app"]) as client:
        assert '<span class="lv-async-loading">Loading…</span>' in (await client.get("/org")).text
        view = await client.live("/org?org=globex")
        assert '<span class="lv-async-loading">Loading…</span>' in view.html
        html = await view.wait_for(lambda html: "<h2>Globex</h2>" in html)
        assert "<p>12 members</p>" in html and "Loading" not in html
        await view.click("stock")
        await view.wait_for(lambda html: '<span id="stock">42</span>' in html)
