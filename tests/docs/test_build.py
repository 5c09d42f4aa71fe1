"""The site builds with `mkdocs build --strict` (a broken link or anchor, a page missing from the
nav, an API reference that does not resolve fails here), and the built pages load nothing from
outside and link nowhere outside: the site works offline.

This is the suite's one strict build (scripts/test runs it through pytest, not as a fourth
check), so `pytest` alone catches a broken site, as it catches a broken sample."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.docs.pages import ROOT

EXTERNAL = re.compile(r"""(?:src|href|action)=["']?(?:https?:)?//""", re.IGNORECASE)


def test_the_site_builds_strictly_and_offline(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # Material's notice about its future
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, f"mkdocs build --strict failed:\n{build.stderr}"
    built = sorted(site.rglob("*.html"))
    assert (site / "index.html") in built and (site / "api.html") in built
    outside = {
        f"{page.relative_to(site)}: {match.group(0)}"
        for page in built
        for match in EXTERNAL.finditer(page.read_text(encoding="utf-8"))
    }
    assert not outside, f"the built site reaches outside: {sorted(outside)[:20]}"
