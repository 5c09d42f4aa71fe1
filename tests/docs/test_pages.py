"""Every Python sample of the docs runs: one case per page (tests/docs/pages.py says how)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.pages import pages, run_page


@pytest.mark.parametrize("page", pages())
def test_the_page_runs(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a sample that writes files writes them here
    run_page(page)
