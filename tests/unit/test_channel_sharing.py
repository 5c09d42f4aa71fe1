"""One publish to many LiveViews: diffs computed once where the LiveViews agree, never mixed up
where they do not (per-view values, page titles, pushed events, opting out)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import count
from typing import Any

import pytest

from liveview import LiveView, LiveViewApp, LiveViewSocket, SingleProcessPubSub
from liveview.testing import LiveViewTest, LiveViewTestClient

ticks = count()


def tick() -> int:
    return next(ticks)


class Board(LiveView):
    template = (
        "<p id='n'>{{ n }}</p><p id='who'>{{ who }}</p>"
        "<ul>{% for i in range(3) %}<li>{{ n * 10 + i }}</li>{% endfor %}</ul>"
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe("board")
        socket.assign(n=0, who=params.get("who", "anyone"))

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        socket.assign(n=info["n"])
        if socket.assigns.who == "titled":
            socket.page_title = f"n={info['n']}"
        if socket.assigns.who == "evented":
            socket.push_event("bumped", {"n": info["n"]})


class Clock(Board):
    """Calls something impure of its own: opts out of shared renders."""

    template = "<p id='n'>{{ n }}</p><p id='tick'>{{ tick() }}</p>"
    share_renders = False

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await super().mount(socket, session, params)
        # one function object for every view: with sharing on, the views would match and show
        # the first one's tick
        socket.assign(tick=tick)


@pytest.fixture
async def app() -> AsyncIterator[LiveViewApp]:
    yield LiveViewApp(
        routes={"/board": Board, "/clock": Clock}, secret="s", pubsub=SingleProcessPubSub()
    )


async def _diffs(views: list[LiveViewTest]) -> list[dict[str, Any]]:
    return [(await view.receive_push())[4] for view in views]


async def test_identical_views_get_the_same_diff(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        views = [await client.live("/board") for _ in range(5)]
        for n in (1, 2, 7):
            await app.pubsub.publish("board", {"n": n})
            diffs = await _diffs(views)
            assert all(diff == diffs[0] for diff in diffs)
        for view in views:
            assert "<li>70</li><li>71</li><li>72</li>" in view.html


async def test_per_view_values_titles_and_events_stay_with_their_view(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        plain = await client.live("/board")
        other = await client.live("/board?who=other")
        titled = await client.live("/board?who=titled")
        evented = await client.live("/board?who=evented")
        await app.pubsub.publish("board", {"n": 3})
        diffs = await _diffs([plain, other, titled, evented])
        assert diffs[0] == {
            "0": "3",
            "2": {"k": {"0": {"0": "30"}, "1": {"0": "31"}, "2": {"0": "32"}, "kc": 3}},
        }
        assert diffs[1] == diffs[0]  # `who` differs but did not change: same diff
        assert diffs[2] == {**diffs[0], "t": "n=3"}
        assert diffs[3] == {**diffs[0], "e": [["bumped", {"n": 3}]]}
        await app.pubsub.publish("board", {"n": 4})
        diffs = await _diffs([plain, other, titled, evented])
        assert "t" not in diffs[0] and "e" not in diffs[0]
        assert "<p id='who'>other</p>" in other.html and "<li>42</li>" in other.html


async def test_a_view_that_opts_out_renders_alone(app: LiveViewApp) -> None:
    async with LiveViewTestClient(app) as client:
        clocks = [await client.live("/clock") for _ in range(3)]
        await app.pubsub.publish("board", {"n": 1})
        await _diffs(clocks)
        ticked = [view.html.split("<p id='tick'>")[1].split("<")[0] for view in clocks]
        assert len(set(ticked)) == 3  # each view called tick() itself
