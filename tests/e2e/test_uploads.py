"""Uploads in a real Chromium with the official client: the photos example of the gallery.

Files are picked with Playwright's `set_input_files` (what a file dialog does) or dropped on the
drop target (a `drop` event carrying a DataTransfer, as a drag from the desktop does). The server
stores uploads under `LIVEVIEW_PHOTOS_DIR`; its temporary files go to `LIVEVIEW_UPLOAD_DIR`,
which every test finds empty at the end.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.gallery_pair import GALLERY, open_live
from tests.images import png

INPUT = "input[name=photos]"
PREVIEW = "img[data-phx-hook='Phoenix.LiveImgPreview']"


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    photos, temp = tmp_path / "photos", tmp_path / "upload-temp"
    photos.mkdir()
    temp.mkdir()
    return {"photos": photos, "temp": temp}


@pytest.fixture
def gallery(live_server: Callable[..., str], dirs: dict[str, Path]) -> str:
    return live_server(
        GALLERY,
        env={"LIVEVIEW_PHOTOS_DIR": str(dirs["photos"]), "LIVEVIEW_UPLOAD_DIR": str(dirs["temp"])},
    )


def file(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "image/png", "buffer": data}


def stored(photos: Path) -> list[bytes]:
    return sorted(p.read_bytes() for p in photos.iterdir() if p.is_file())


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def no_temp_files(temp: Path) -> None:
    wait_until(lambda: not any(temp.iterdir()), f"temporary files to go: {list(temp.iterdir())}")


def progress_sent(page: Page) -> list[dict[str, Any]]:
    """Every `progress` message the page sends (recorded from its websocket)."""
    sent: list[dict[str, Any]] = []

    def on_frame(payload: str | bytes) -> None:
        if isinstance(payload, str) and '"progress"' in payload:
            frame = orjson.loads(payload)
            if frame[3] == "progress":
                sent.append(frame[4])

    page.on("websocket", lambda ws: ws.on("framesent", on_frame))
    return sent


def test_two_browsers_one_uploads_three_photos_both_see_them(
    gallery: str, new_page: Callable[[], Page], dirs: dict[str, Path]
) -> None:
    ann, bob = new_page(), new_page()
    progress = progress_sent(ann)
    open_live(ann, gallery + "/photos")
    open_live(bob, gallery + "/photos")
    images = [png(150_000, seed=n) for n in range(3)]
    ann.set_input_files(INPUT, files=[file(f"p{n}.png", d) for n, d in enumerate(images)])
    expect(ann.locator("#entries li")).to_have_count(3)
    expect(ann.locator(".name")).to_have_text(["p0.png", "p1.png", "p2.png"])
    previews = ann.locator(PREVIEW)
    expect(previews).to_have_count(3)
    for n in range(3):  # the client's own preview: an object URL of the file, nothing uploaded
        expect(previews.nth(n)).to_have_attribute("src", re.compile(r"^blob:"))
    ann.click("#save")
    for page in (ann, bob):
        expect(page.locator("#wall img")).to_have_count(3)
    expect(ann.locator("#entries li")).to_have_count(0)
    loaded = bob.locator("#wall img").evaluate_all("els => els.map(e => e.naturalWidth)")
    assert loaded == [2, 2, 2]  # the thumbnails load from the server in the other browser
    assert stored(dirs["photos"]) == sorted(images)
    done = {p["entry_ref"] for p in progress if p["progress"] == 100}
    assert len(done) == 3
    steps = [p["progress"] for p in progress if p["entry_ref"] == min(done)]
    assert steps == sorted(steps) and len(steps) >= 3  # 150 KB in 64 KB chunks: 42, 85, 100
    no_temp_files(dirs["temp"])


def test_a_photo_over_the_limit_shows_the_error_and_is_not_stored(
    gallery: str, page: Page, dirs: dict[str, Path]
) -> None:
    open_live(page, gallery + "/photos")
    page.set_input_files(INPUT, files=[file("huge.png", png(2_100_000))])
    expect(page.locator("#entries .upload-error")).to_have_text("File is too large")
    expect(page.locator(INPUT)).to_have_attribute("data-phx-error-refs", re.compile(".+"))
    page.click("#save")  # refused by the client while an entry has errors
    page.click("#entries button[phx-click=cancel]")
    expect(page.locator("#entries li")).to_have_count(0)
    small = png(300)
    page.set_input_files(INPUT, files=[file("small.png", small)])
    expect(page.locator("#entries li")).to_have_count(1)
    page.click("#save")
    expect(page.locator("#wall img")).to_have_count(1)
    assert stored(dirs["photos"]) == [small]  # the large one never was
    no_temp_files(dirs["temp"])


def test_too_many_photos_is_an_error_of_the_upload(gallery: str, page: Page) -> None:
    open_live(page, gallery + "/photos")
    page.set_input_files(INPUT, files=[file(f"{n}.png", png(200, seed=n)) for n in range(4)])
    expect(page.locator("#upload-error")).to_have_text("Too many files")
    page.click("#cancel-" + page.locator("#entries li").last.get_attribute("id")[6:])
    expect(page.locator("#upload-error")).to_have_count(0)


def test_cancel_one_photo_mid_upload(gallery: str, page: Page, dirs: dict[str, Path]) -> None:
    open_live(page, gallery + "/photos")
    page.evaluate("window.liveSocket.enableLatencySim(150)")  # the client's own slow network
    try:
        slow, other = png(1_500_000, seed=1), png(100_000, seed=2)
        page.set_input_files(INPUT, files=[file("slow.png", slow), file("other.png", other)])
        expect(page.locator("#entries li")).to_have_count(2)
        slow_ref = page.locator("#entries li").first.get_attribute("id")[len("entry-") :]
        page.click("#save")
        bar = page.locator(f"#progress-{slow_ref}")
        expect(bar).to_have_attribute("value", re.compile(r"^[1-9][0-9]?$"), timeout=20_000)
        wait_until(lambda: any(dirs["temp"].iterdir()), "the upload's temporary file")
        page.click(f"#cancel-{slow_ref}")
        expect(page.locator("#wall img")).to_have_count(1, timeout=20_000)
        assert stored(dirs["photos"]) == [other]
        no_temp_files(dirs["temp"])  # the cancelled upload's partial file is gone too
    finally:
        page.evaluate("window.liveSocket.disableLatencySim()")


def test_drag_and_drop_onto_the_drop_target(
    gallery: str, page: Page, dirs: dict[str, Path]
) -> None:
    open_live(page, gallery + "/photos")
    data = png(5_000, seed=7)
    page.evaluate(
        """([name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: "image/png" }));
            const target = document.getElementById("drop");
            const init = { bubbles: true, cancelable: true, dataTransfer: transfer };
            target.dispatchEvent(new DragEvent("dragenter", init));
            target.dispatchEvent(new DragEvent("drop", init));
        }""",
        ["dropped.png", base64.b64encode(data).decode()],
    )
    expect(page.locator(".name")).to_have_text(["dropped.png"])
    expect(page.locator(PREVIEW)).to_have_count(1)
    page.click("#save")
    expect(page.locator("#wall img")).to_have_count(1)
    assert stored(dirs["photos"]) == [data]


def test_auto_upload_stores_the_photo_when_picked(
    gallery: str, new_page: Callable[[], Page], dirs: dict[str, Path]
) -> None:
    ann, bob = new_page(), new_page()
    open_live(ann, gallery + "/photos/quick")
    open_live(bob, gallery + "/photos")
    data = png(80_000, seed=3)
    ann.set_input_files(INPUT, files=[file("quick.png", data)])  # no submit: it just goes
    for page in (ann, bob):
        expect(page.locator("#wall img")).to_have_count(1)
    expect(ann.locator("#entries li")).to_have_count(0)
    assert stored(dirs["photos"]) == [data]
    no_temp_files(dirs["temp"])


def test_external_upload_goes_to_storage_by_the_js_uploader(
    gallery: str, page: Page, dirs: dict[str, Path]
) -> None:
    websocket_bytes: list[int] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framesent", lambda p: websocket_bytes.append(len(p)) if isinstance(p, bytes) else None
        ),
    )
    open_live(page, gallery + "/photos/direct")
    data = png(120_000, seed=4)
    page.set_input_files(INPUT, files=[file("direct.png", data)])
    expect(page.locator("#entries li")).to_have_count(1)
    page.click("#save")
    expect(page.locator("#wall img")).to_have_count(1)
    assert stored(dirs["photos"]) == [data]
    assert websocket_bytes == []  # no chunk went over the websocket: the PUT carried it
    assert not any((dirs["photos"] / "storage").iterdir())  # taken from storage when consumed
