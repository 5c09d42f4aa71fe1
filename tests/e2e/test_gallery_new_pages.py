"""The gallery's keyboard, URL-param and debounce pages in a real Chromium with the official
client: window keys, patch links with the browser's back and forward, a datalist filled as one
types, and what phx-debounce holds back. One gallery server for the module."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import _start_server
from tests.e2e.gallery_pair import GALLERY, open_live
from tests.services import PrivateRedis


@pytest.fixture(scope="module")
def gallery(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = _start_server(GALLERY, None, Path(tmp_path_factory.mktemp("gallery")))
    yield server.url
    server.stop()


def test_volume_follows_the_arrow_keys_and_m(gallery: str, page: Page) -> None:
    open_live(page, gallery + "/volume")
    expect(page.locator("#level")).to_have_text("30%")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#level")).to_have_text("50%")
    expect(page.locator("#bars li.on")).to_have_count(5)
    page.keyboard.press("m")
    expect(page.locator("#level")).to_have_text("Muted")
    page.keyboard.press("x")  # ignored
    page.keyboard.press("ArrowDown")
    expect(page.locator("#level")).to_have_text("40%")
    expect(page.locator("#meter")).to_have_attribute("value", "40")


def test_pagination_links_patch_the_url_and_back_and_forward_work(gallery: str, page: Page) -> None:
    open_live(page, gallery + "/pagination")
    first_row = page.locator("#donations tbody tr").first
    expect(first_row.locator("td").first).to_have_text("1")
    page.click("#next")
    expect(first_row.locator("td").first).to_have_text("11")
    expect(page).to_have_url(re.compile(r"/pagination\?page=2&per_page=10$"))
    page.select_option("#per_page", "50")  # rows 11.. stay on screen: page 1 of 50 a page
    expect(page).to_have_url(re.compile(r"/pagination\?page=1&per_page=50$"))
    expect(page.locator("#donations tbody tr")).to_have_count(50)
    page.go_back()
    expect(page).to_have_url(re.compile(r"page=2&per_page=10$"))
    expect(first_row.locator("td").first).to_have_text("11")
    page.go_back()
    expect(first_row.locator("td").first).to_have_text("1")
    page.go_forward()
    expect(first_row.locator("td").first).to_have_text("11")


def test_sorting_headings_sort_and_back_undoes(gallery: str, page: Page) -> None:
    open_live(page, gallery + "/sorting")
    quantity = page.locator("#donations tbody tr td:nth-child(4)").first
    page.click("#by-quantity a")
    expect(quantity).to_have_text("1")
    expect(page.locator("#by-quantity")).to_have_attribute("aria-sort", "ascending")
    page.click("#by-quantity a")
    expect(quantity).to_have_text("60")
    page.go_back()
    expect(quantity).to_have_text("1")
    page.go_back()
    expect(page.locator("#by-id")).to_have_attribute("aria-sort", "ascending")


def test_servers_selection_by_link_and_back(gallery: str, page: Page) -> None:
    open_live(page, gallery + "/servers")
    page.click("#server-3")
    expect(page.locator("#details h2")).to_have_text("curious-raven")
    expect(page).to_have_url(re.compile(r"/servers\?id=3$"))
    page.go_back()
    expect(page.locator("#details h2")).to_have_text("dancing-lizard")


def test_search_fills_the_datalist_and_enter_searches(gallery: str, page: Page) -> None:
    open_live(page, gallery + "/search")
    page.locator("#q").press_sequentially("par")
    expect(page.locator("#suggestions option")).to_have_attribute("value", "Paris")
    page.locator("#q").fill("japan")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=japan$"))
    expect(page.locator("#results li strong")).to_have_text(["Tokyo", "Kyoto"])
    page.go_back()
    expect(page.locator("#results")).to_have_count(0)


def test_debounce_holds_back_changes(gallery: str, page: Page) -> None:
    open_live(page, gallery + "/debounce")
    page.locator("#plain").press_sequentially("hello")
    expect(page.locator("#plain-count")).to_have_text("5")  # one event a keystroke
    page.locator("#blurred").press_sequentially("hello")
    page.locator("#debounced").press_sequentially("hello")  # also takes the focus away
    expect(page.locator("#blurred-count")).to_have_text("1")  # sent once, on blur
    expect(page.locator("#debounced-value")).to_have_text("hello")
    # keystrokes a few ms apart, each well within 500 ms of the next: sent together
    assert page.locator("#debounced-count").inner_text() != "5"


def test_the_in_process_page_lists_what_its_background_task_publishes(
    gallery: str, new_page: Callable[[], Page]
) -> None:
    one = open_live(new_page(), gallery + "/pubsub/in-process")
    two = open_live(new_page(), gallery + "/pubsub/in-process")
    one.fill("#text", "ping")
    one.click("#start")
    expected = [f"ping ({n} of 3) from a task" for n in (3, 2, 1)]  # the newest first
    expect(two.locator("#messages li")).to_have_text(expected)
    expect(one.locator("#messages li")).to_have_text(expected)


def test_the_redis_page_of_a_gallery_on_redis_lists_what_its_command_publishes(
    live_server: Callable[..., str],
    start_private_redis: Callable[[], PrivateRedis],
    new_page: Callable[[], Page],
) -> None:
    redis = start_private_redis()  # our own: the gallery's default prefix meets no other test
    url = live_server(GALLERY, env={"LIVEVIEW_PUBSUB_URL": redis.url}) + "/pubsub/redis"
    page = open_live(new_page(), url)
    command = page.locator("#command").inner_text()
    cli = shutil.which("redis-cli")
    assert cli is not None, "redis-cli not found: `apt-get install redis-tools`"
    path = os.pathsep.join([str(Path(cli).parent), os.environ.get("PATH", "")])
    subprocess.run(["sh", "-c", command], env={**os.environ, "PATH": path}, check=True, timeout=30)
    expect(page.locator("#messages li")).to_have_text(["hello from redis-cli"])
