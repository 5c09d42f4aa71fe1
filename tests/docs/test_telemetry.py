"""docs/telemetry.md: its samples run (tests/docs/test_pages.py) and leave no handler behind."""

from __future__ import annotations

from liveview import telemetry
from tests.docs.pages import run_page


def test_the_page_detaches_what_it_attaches() -> None:
    namespace = run_page("telemetry.md")
    assert sum(name.startswith("test_") for name in namespace) == 3
    assert not any(getattr(telemetry.hooks, flag) for flag in telemetry.Hooks.__slots__)
