"""The cursors board (liveview/gallery/cursors.py) through `liveview.testing`: pointers shown on the
other pages, presence updates throttled per user, a closed tab's cursor removed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from liveview import LiveViewApp, SingleProcessPubSub
from liveview.gallery import cursors
from liveview.gallery.cursors import Cursors
from liveview.testing import LiveViewTestClient, render_hook


@pytest.fixture
async def app() -> AsyncIterator[LiveViewApp]:
    yield LiveViewApp(routes={"/cursors": Cursors}, secret="s", pubsub=SingleProcessPubSub())


async def test_a_pointer_shows_on_the_other_page_and_leaves_with_its_tab(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        al = await client.live("/cursors?name=al")
        bo = await client.live("/cursors?name=bo")
        await al.wait_for(lambda html: '<span id="count">2</span>' in html)
        board = bo.element("div#board")  # the Cursors hook pushes "move" from it
        await render_hook(board, "move", {"x": 120, "y": 80})
        html = await al.wait_for(lambda html: 'data-name="bo"' in html)
        assert "left: 120px; top: 80px" in html
        assert 'data-name="al"' not in html  # your own pointer is the real one
        await render_hook(board, "move", {"x": "nonsense"})  # ignored, nothing breaks
        await render_hook(board, "move", {"x": 10_000, "y": -5})  # kept on the board
        await al.wait_for(lambda html: f"left: {cursors.WIDTH}px; top: 0px" in html)
        await bo.socket.close()
        await al.wait_for(lambda html: 'data-name="bo"' not in html and ">1</span>" in html)


async def test_presence_updates_are_throttled_and_the_last_position_wins(
    app: LiveViewApp,
) -> None:
    updates: list[Any] = []

    def count(message: Any) -> None:
        updates.extend(message["joins"].values())

    async with LiveViewTestClient(app) as client:
        al = await client.live("/cursors?name=al")
        watcher = await client.live("/cursors?name=watcher")
        await app.pubsub.subscribe(cursors.TOPIC, count)
        started = time.monotonic()
        board = al.element("div#board")
        for i in range(40):
            await render_hook(board, "move", {"x": i, "y": i})
        await watcher.wait_for(lambda html: "left: 39px; top: 39px" in html)
        elapsed = time.monotonic() - started
        await asyncio.sleep(2 / cursors.MAX_UPDATES_PER_SECOND)  # any late flush shows up
        allowed = elapsed * cursors.MAX_UPDATES_PER_SECOND + 2
        assert 1 <= len(updates) <= allowed, (len(updates), elapsed)
        assert len(updates) < 40
