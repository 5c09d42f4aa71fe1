"""docs/liveviews.md: a layout extending the default one, and the app mounted in Starlette with
its lifespan run from the outer app's."""

from __future__ import annotations

from liveview.testing import LiveViewTestClient
from tests.docs.pages import run_page


async def test_a_layout_and_a_mounted_app() -> None:
    code = run_page("liveviews.md")
    async with LiveViewTestClient(code["app"]) as client:
        assert '<nav><a href="/">home</a></nav>' in (await client.get("/")).text
    async with LiveViewTestClient(code["outer"]) as client:
        assert "<p>hello</p>" in (await client.get("/live-app/")).text
