"""Production serving end to end: nginx (deploy/nginx.conf, the documented file) in front of
two `liveview run` processes on one Redis, driven in Chromium by the official client.

- any process joins a page another rendered (signed tokens, a shared secret): no sticky sessions;
- pages on the two processes play together (the shared counter, the chat) through Redis;
- SIGTERM to one process (a rolling restart): its page reconnects through nginx to the other
  within 5 s, keeps working, and the text typed in its form is still there (form recovery).

One deployment for the module; the SIGTERM test comes last, as it stops a process.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from liveview.app import STATIC_DIR
from tests.e2e.conftest import _SERVERS, ROOT, LiveServer, _start
from tests.e2e.gallery_pair import (
    MAIN,
    answered_click,
    chat_crosses_both_ways,
    clicks_cross_both_ways,
)
from tests.nginx import Nginx
from tests.services import LOOPBACK, PrivateRedis, free_port

APP = "tests.e2e.apps.deploy:app"
DRAIN_TIMEOUT = 3
RECONNECT_BOUND = 5.0  # seconds, as issue 22 states


@dataclass
class Deployment:
    nginx: Nginx
    workers: dict[str, LiveServer]

    @property
    def url(self) -> str:
        return self.nginx.url


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("deploy")
    with PrivateRedis() as redis:
        workers: dict[str, LiveServer] = {}
        try:
            for name in ("a", "b"):

                def command(port: int) -> list[str]:
                    return [
                        sys.executable, "-m", "liveview.cli", "run", APP,
                        "--host", LOOPBACK, "--port", str(port), "--proxy-headers",
                        "--drain-timeout", str(DRAIN_TIMEOUT), "--log-level", "info",
                    ]  # fmt: skip

                env = {
                    "LIVEVIEW_SECRET": "one secret for both",
                    "LIVEVIEW_PUBSUB_URL": redis.url,
                    "LIVEVIEW_WORKER": name,
                }
                workers[name] = _start(f"worker {name}", command, ROOT, env, folder)
            ports = (workers["a"].port, workers["b"].port)
            with Nginx(free_port(), ports, folder / "nginx") as nginx:
                yield Deployment(nginx, workers)
        finally:
            for worker in workers.values():
                worker.stop()


@pytest.fixture(autouse=True)
def reported(request: pytest.FixtureRequest, deployment: Deployment) -> Iterator[None]:
    """The workers' output goes into the report of a failing test (conftest's hook)."""
    request.node.stash.setdefault(_SERVERS, []).extend(deployment.workers.values())
    yield


def assets_from_disk(route: Route) -> None:
    path = urlsplit(route.request.url).path.split("/assets/", 1)[1]
    route.fulfill(path=STATIC_DIR / path)


def open_page(
    new_page: Callable[[], Page], url: str, *, only_page_and_socket: bool = False
) -> tuple[Page, str, str]:
    """A connected page, the process that rendered it (X-Served-By) and the one that joined
    its LiveView (#worker). With `only_page_and_socket`, the client's scripts come from disk,
    so that nginx sees the page's request, then its websocket's: its round robin gives them
    to the two processes in turn."""
    page = new_page()
    if only_page_and_socket:
        page.route("**/assets/**", assets_from_disk)
    response = page.goto(url)
    assert response is not None and response.ok
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    return page, response.headers["x-served-by"], page.locator("#worker").inner_text()


def open_on(new_page: Callable[[], Page], url: str, worker: str) -> Page:
    """A page whose websocket is on `worker` (nginx's round robin: a few tries)."""
    for _ in range(12):
        page, _, joined = open_page(new_page, url)
        if joined == worker:
            return page
        page.context.close()
    raise AssertionError(f"no page of {url} joined on worker {worker} in 12 tries")


def test_any_process_joins_any_page_and_pages_on_both_play_together(
    deployment: Deployment, new_page: Callable[[], Page]
) -> None:
    _, rendered_by, joined_on = open_page(
        new_page, deployment.url + "/desk", only_page_and_socket=True
    )
    # rendered by one process, joined by the other, and working: no sticky sessions needed
    assert rendered_by != joined_on
    assert {rendered_by, joined_on} == {"a", "b"}

    one, two = (open_on(new_page, deployment.url + "/desk", worker) for worker in ("a", "b"))
    clicks_cross_both_ways(one, two)

    ann = open_on(new_page, deployment.url + "/chat", "a")
    bob = open_on(new_page, deployment.url + "/chat", "b")
    chat_crosses_both_ways(ann, bob, "hello through nginx")


def test_sigterm_moves_a_page_to_the_other_process_with_what_was_typed(
    deployment: Deployment, new_page: Callable[[], Page]
) -> None:
    mine = open_on(new_page, deployment.url + "/desk", "a")
    other = open_on(new_page, deployment.url + "/desk", "b")
    mine.fill("#title", "half-typed title")
    mine.fill("#body", "and a body")
    expect(mine.locator("#saved")).to_have_text("half-typed title")  # the server has it
    mine.evaluate("document.activeElement.blur()")  # kept by the server, not the focus

    worker = deployment.workers["a"]
    began = time.monotonic()
    worker.proc.send_signal(signal.SIGTERM)  # a rolling restart stops this process
    expect(mine.locator("#worker")).to_have_text("b", timeout=int(RECONNECT_BOUND * 1000))
    expect(mine.locator(MAIN)).to_contain_class("phx-connected")
    moved = time.monotonic() - began
    assert moved < RECONNECT_BOUND, f"the page took {moved:.1f} s to reconnect"
    print(f"reconnected to the other process {moved:.2f} s after SIGTERM")

    # form recovery: the client sent the form's values again on rejoin, the new process
    # rendered them back
    expect(mine.locator("#title")).to_have_value("half-typed title")
    expect(mine.locator("#body")).to_have_value("and a body")
    expect(mine.locator("#saved")).to_have_text("half-typed title")

    # the page keeps working, with the other page
    count = int(mine.locator("#count").inner_text())
    answered_click(mine, "#inc")
    expect(other.locator("#count")).to_have_text(str(count + 1))
    answered_click(other, "#inc")
    expect(mine.locator("#count")).to_have_text(str(count + 2))

    # the stopped process drained and exited by itself, within its bound
    assert worker.proc.wait(timeout=2 * DRAIN_TIMEOUT + 5) == -signal.SIGTERM
    assert "draining" in worker.output()
    # a page opened now is served and joined by the process that is left
    _, rendered_by, joined_on = open_page(new_page, deployment.url + "/desk")
    assert (rendered_by, joined_on) == ("b", "b")
