"""docs/uploads.md: two pages, one uploads two photos, both walls show them (pub/sub), the
files are in the photo folder; a file over the limit is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from liveview import LiveViewApp
from liveview.testing import LiveViewTestClient
from liveview.uploads import UPLOAD_DIR_ENV
from tests.docs.pages import python_blocks, run_page
from tests.images import png


async def test_the_photo_wall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(UPLOAD_DIR_ENV, str(tmp_path))
    assert len(python_blocks("uploads.md")) == 1
    code = run_page("uploads.md")
    app = LiveViewApp(routes={"/": code["PhotoWall"]})
    async with LiveViewTestClient(app) as client:
        ann, bob = await client.live("/"), await client.live("/")
        images = [png(3000, seed=1), png(70_000, seed=2)]
        html = await ann.upload("photos", [("a.png", images[0]), ("b.PNG", images[1])])
        assert html.count('data-phx-hook="Phoenix.LiveImgPreview"') == 2
        await ann.submit("save", {})
        for view in (ann, bob):
            await view.wait_for(lambda html: html.count('alt="a.png"') == 1 and "b.PNG" in html)
        stored = sorted(p.read_bytes() for p in (tmp_path / "photos").iterdir())
        assert stored == sorted(images)
        html = await ann.upload("photos", [("big.png", png(2_000_001))])
        assert "File is too large" in html
        assert [photo["name"] for photo in code["PHOTOS"]] == ["a.png", "b.PNG"]
