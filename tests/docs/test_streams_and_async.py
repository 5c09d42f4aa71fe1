"""docs/streams-and-async.md: the feed streams its rows (newest first, deletes), temporary
assigns go back to their default after a render, and the organisation page renders loading
(dead render and join), then the organisation; the stock check reaches `handle_async`."""

from __future__ import annotations

from liveview import LiveViewApp
from liveview.testing import LiveViewTestClient
from tests.docs.pages import run_page


async def test_the_stream_feed_and_temporary_assigns() -> None:
    code = run_page("streams-and-async.md")
    async with LiveViewTestClient(code["feed_app"]) as client:
        view = await client.live("/feed")
        assert '<li id="messages-2">world' in view.html
        await code["feed_app"].pubsub.publish("feed", {"id": 3, "text": "new"})
        await view.wait_for(lambda html: "new" in html)
        assert [dom_id for dom_id, _ in view.stream_rows.rows["0"]] == [
            "messages-3",
            "messages-1",
            "messages-2",
        ]
        await view.click("delete", {"id": "1"})
        assert "hello" not in view.html
    async with LiveViewTestClient(LiveViewApp(routes={"/": code["Upload"]}, secret="t")) as client:
        view = await client.live("/")
        assert view.html == "<pre></pre><p>ready</p>"
        await view.click("parse")
        assert view.html == "<pre>...a large text...</pre><p>parsed</p>"


async def test_the_org_page() -> None:
    code = run_page("streams-and-async.md")
    async with LiveViewTestClient(code["app"]) as client:
        assert '<span class="lv-async-loading">Loading…</span>' in (await client.get("/org")).text
        view = await client.live("/org?org=globex")
        assert '<span class="lv-async-loading">Loading…</span>' in view.html
        html = await view.wait_for(lambda html: "<h2>Globex</h2>" in html)
        assert "<p>12 members</p>" in html and "Loading" not in html
        await view.click("stock")
        await view.wait_for(lambda html: '<span id="stock">42</span>' in html)
