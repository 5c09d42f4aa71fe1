"""A `handle_params` that always patches fails its own LiveView after 20 patches, in a real
server, while another client on the same server keeps getting its replies."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from liveview.channel.live import MAX_PATCH_REDIRECTS
from tests.e2e.conftest import AsyncRunner
from tests.e2e.tabs import Tab

APP = "tests.e2e.apps.patch_loop:app"


def test_a_patch_loop_fails_its_view_and_the_server_keeps_serving(
    live_server: Callable[..., str], run_async: AsyncRunner
) -> None:
    run_async(patch_loop_beside_a_busy_tab(live_server(APP)))


async def patch_loop_beside_a_busy_tab(base: str) -> None:
    looping, other = Tab(base, "/patching"), Tab(base, "/counter")
    await looping.open()
    await other.open()

    async def other_tab_clicks() -> None:  # on the same server, answered as before
        for count in range(1, 11):
            reply = await asyncio.wait_for(other.click({}), 2)
            assert reply[4]["status"] == "ok"
            assert reply[4]["response"]["diff"] == {"0": str(count)}

    clicking = asyncio.create_task(other_tab_clicks())
    await looping.send("event", {"type": "click", "event": "go", "value": {"hops": -1}})
    patches, event = 0, ""
    while event != "phx_error" and patches <= MAX_PATCH_REDIRECTS:
        frame = json.loads(await asyncio.wait_for(looping.ws.recv(), 5))
        event = frame[3]
        patches += event == "live_patch"
    assert (event, patches) == ("phx_error", MAX_PATCH_REDIRECTS)
    await clicking
    await looping.ws.close()
    await other.ws.close()
