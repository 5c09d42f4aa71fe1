"""docs/presence.md: the room shows who is online and who is typing, and a leave."""

from __future__ import annotations

from liveview.testing import LiveViewTestClient
from tests.docs.pages import run_page


async def test_presence_shows_who_is_online_and_typing() -> None:
    app = run_page("presence.md")["app"]
    async with LiveViewTestClient(app) as client:
        al = await client.live("/room?user=al")
        bo = await client.live("/room?user=bo")
        await al.wait_for(lambda html: "<li>Al</li><li>Bo</li>" in html)
        await bo.hook_event("typing", {"value": "hel"})
        await al.wait_for(lambda html: '<p id="typing">Bo</p>' in html)
        listing = await app.presence.list("room:1")
        assert sorted(listing) == ["al", "bo"] and listing["bo"]["metas"][0]["typing"] is True
        await bo.leave()
        await al.wait_for(lambda html: "<li>Bo</li>" not in html and "<li>Al</li>" in html)
