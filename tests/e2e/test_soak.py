"""The soak in little (`bench/soak.py` is the long run): tabs on a real server, one publish a
second; every tab gets every update once, and the server's memory stays flat."""

from __future__ import annotations

from collections.abc import Callable

from bench.soak import soak
from tests.e2e.conftest import AsyncRunner

APP = "tests.e2e.apps.feed:app"


def test_tabs_get_every_update_once_and_memory_stays_flat(
    live_server: Callable[..., str], run_async: AsyncRunner
) -> None:
    figures = run_async(soak(live_server(APP), views=50, seconds=8, sample=4), timeout=60)
    assert figures["publishes"] >= 7
    assert (figures["missed"], figures["duplicated"]) == (0, 0), figures
    assert figures["subscriptions"] == 50
    assert figures["rss_growth_kb"] < 2048, figures  # 8 publishes must not cost megabytes
