"""The stream examples in process: the infinite scroll table and the chat's rooms."""

from __future__ import annotations

from liveview import LiveViewApp
from liveview.gallery.chat import HISTORY, Chat
from liveview.gallery.infinite_scroll import TOTAL, InfiniteScroll, page
from liveview.testing import LiveViewTestClient


async def test_the_infinite_scroll_sends_each_page_once_and_keeps_none() -> None:
    app = LiveViewApp(routes={"/": InfiniteScroll}, secret="test")
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        assert "Customer 000050" in view.html and "Customer 000051" not in view.html
        for _ in range(3):
            await view.hook_event("next-page")
        assert "Customer 000200" in view.html and "Rows 1 to 200 of 100000" in view.html
        assert len(view.stream_rows.rows["0"]) == 200
    assert page(TOTAL // 50 + 1) == [] and page(TOTAL // 50)[-1]["id"] == TOTAL


async def test_the_chat_resets_its_stream_on_a_room_switch() -> None:
    for history in HISTORY.values():
        history.clear()
    async with LiveViewTestClient(LiveViewApp(routes={"/": Chat}, secret="test")) as client:
        ann = await client.live("/")
        await ann.submit("send", {"name": "Ann", "text": "in the lobby"})
        await ann.wait_for(lambda html: "in the lobby" in html)
        await ann.click("room", {"room": "random"})
        assert "in the lobby" not in ann.html
        await ann.click("room", {"room": "lobby"})
        assert "in the lobby" in ann.html
        message_id = HISTORY["lobby"][0]["id"]
        await ann.click("delete", {"id": message_id})
        await ann.wait_for(lambda html: "in the lobby" not in html)
        assert not HISTORY["lobby"]
