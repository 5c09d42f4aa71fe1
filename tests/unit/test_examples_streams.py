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
            # the binding the client's InfiniteScroll hook reads, and what it pushes when the
            # last row scrolls into view (no phx-hook in the markup: render_hook cannot send it)
            assert view.element('tbody#customers[phx-viewport-bottom="next-page"]').exists()
            last_row = view.element("tbody#customers > tr:last-child").find().attrs["id"]
            await view.hook_event("next-page", {"id": last_row})
        assert "Customer 000200" in view.html and "Rows 1 to 200 of 100000" in view.html
        assert len(view.stream_rows.rows["0"]) == 200
    assert page(TOTAL // 50 + 1) == [] and page(TOTAL // 50)[-1]["id"] == TOTAL


async def test_the_chat_resets_its_stream_on_a_room_switch() -> None:
    for history in HISTORY.values():
        history.clear()
    async with LiveViewTestClient(LiveViewApp(routes={"/": Chat}, secret="test")) as client:
        ann = await client.live("/")
        await ann.form("#chat", {"name": "Ann", "text": "in the lobby"}).submit()
        await ann.wait_for(lambda html: "in the lobby" in html)
        await ann.element("button#room-random").click()
        assert "in the lobby" not in ann.html
        await ann.element("button#room-lobby").click()
        assert "in the lobby" in ann.html
        message_id = HISTORY["lobby"][0]["id"]
        await ann.element(f'#messages button.delete[phx-value-id="{message_id}"]').click()
        await ann.wait_for(lambda html: "in the lobby" not in html)
        assert not HISTORY["lobby"]
