"""End-to-end fixtures: real uvicorn servers and a real Chromium driven by Playwright.

- `live_server(app, env=None) -> base_url`: starts `python -m uvicorn <app>` on a free loopback
  port (cwd = repo root, so `tests.*` imports); any number per test; stopped at
  teardown; its output is attached to the report of a failing test.
- `browser`: one headless Chromium (/usr/bin/chromium) for all e2e tests. It is
  package-scoped, so it closes when the last e2e test ends (see the note below).
- `page`: a fresh context + page per test. `new_page()` gives more, each in its own context
  (= another user: separate cookies). A browser console error or an uncaught page error in any
  of them FAILS the test, unless the test is marked `@pytest.mark.allow_console_errors`.
- `browser_console`: what was logged (`.errors`, `.messages`, `.check()`).
- `run_async(awaitable)`: runs a coroutine on an event loop in a background thread and returns
  its result (the loop lives for the whole test, so an async client can be started, used and
  closed across calls).

E2E tests are plain `def` tests. Playwright's sync API marks its own event loop as running in
the main thread while a browser is open, so `async def` tests, async fixtures and `asyncio.run`
cannot be used next to it: use `run_async` (or sync clients) instead. That is also why the
browser is package-scoped rather than session-scoped: async tests in other folders run after
it has closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    WebError,
    sync_playwright,
)

from tests.services import LOOPBACK, free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LIVEVIEW_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 30.0
DEFAULT_TIMEOUT_MS = 10_000  # Playwright waits: fail fast instead of the 30 s default

T = TypeVar("T")


# --- live_server ---------------------------------------------------------------------------


@dataclass
class LiveServer:
    app: str
    port: int
    log: Path
    proc: subprocess.Popen[bytes]
    restart_with: Callable[[], subprocess.Popen[bytes]] | None = None
    """Starts the same command on the same port again (`restart`)."""

    def restart(self) -> None:
        """Stop, then run the same server on the same port until it answers HTTP."""
        assert self.restart_with is not None, "this server cannot be restarted"
        self.stop()
        self.proc = self.restart_with()
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _answers_http(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{self.app} did not come back on port {self.port}:\n{self.output()}")
            time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def output(self, settle: float = 0.0) -> str:
        """The server's stdout+stderr so far; with `settle`, first wait (at most 2 s) until
        it has written nothing new for that long (e.g. a traceback logged after a response)."""
        deadline = time.monotonic() + 2.0
        size = -1
        while settle and time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if self.log.stat().st_size == size:
                    break
                size = self.log.stat().st_size
            time.sleep(settle)
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 5.0) -> None:
        if self.proc.poll() is not None:
            return
        self._signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.proc.wait()

    def _signal(self, number: int) -> None:
        """To its whole process group when it leads one (a reloader's worker too), else to it."""
        with contextlib.suppress(ProcessLookupError):
            if os.getpgid(self.proc.pid) == self.proc.pid:
                os.killpg(self.proc.pid, number)
            else:
                self.proc.send_signal(number)


_SERVERS = pytest.StashKey[list[LiveServer]]()


def _answers_http(port: int) -> bool:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=1.0)
    try:
        conn.request("GET", "/")
        conn.getresponse().read()
        return True  # any status: the server speaks HTTP
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _start_server(app: str, env: dict[str, str] | None, log_dir: Path) -> LiveServer:
    def command(port: int) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", app,
            "--host", LOOPBACK, "--port", str(port), "--log-level", "warning",
            # as the README serves apps: our websocket protocol, no compression
            "--ws", "liveview.server:WebSocketProtocol", "--ws-per-message-deflate", "false",
            "--ws-ping-interval", "0",
        ]  # fmt: skip

    return _start(app, command, ROOT, env, log_dir)


def _start(
    name: str,
    command: Callable[[int], list[str]],
    cwd: Path,
    env: dict[str, str] | None,
    log_dir: Path,
) -> LiveServer:
    """Run `command(port)` in `cwd` until it answers HTTP on that port (three ports tried)."""
    for attempt in range(3):  # a free port can be taken between the probe and uvicorn's bind
        port = free_port()
        log = log_dir / f"live_server-{port}.log"

        def launch(port: int = port, log: Path = log) -> subprocess.Popen[bytes]:
            with log.open("ab") as out:
                return subprocess.Popen(
                    command(port),
                    cwd=cwd,
                    env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # so stop() ends a reloader and its worker together
                )

        proc = launch()
        server = LiveServer(app=name, port=port, log=log, proc=proc, restart_with=launch)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            if _answers_http(port):
                return server
            time.sleep(0.05)
        exited = proc.poll()  # before stop(), which ends one that did not answer in time
        server.stop()
        output = server.output()
        busy = exited is not None and "address already in use" in output.lower()
        if busy and attempt < 2:
            continue
        state = (
            f"exited with code {exited}"
            if exited is not None
            else f"did not answer HTTP within {SERVER_START_TIMEOUT:.0f}s (stopped)"
        )
        pytest.fail(f"live_server {name!r} on port {port} {state}; its output:\n{output}")
    raise AssertionError("unreachable")


@pytest.fixture
def cli_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """`cli_server(["run", "app:app", "--reload"], cwd=folder, env={...})` runs the `liveview`
    command there on a free loopback port -> "http://127.0.0.1:<port>"; stopped at teardown."""
    servers = request.node.stash.setdefault(_SERVERS, [])

    def start(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
        def command(port: int) -> list[str]:
            return [
                sys.executable, "-m", "liveview.cli", *args,
                "--host", LOOPBACK, "--port", str(port),
            ]  # fmt: skip

        server = _start(" ".join(args), command, cwd, env, tmp_path)
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def started_servers(request: pytest.FixtureRequest) -> list[LiveServer]:
    """The servers this test's `live_server` / `cli_server` started, in order (to stop or
    `restart` one)."""
    return request.node.stash.setdefault(_SERVERS, [])


@pytest.fixture
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """`live_server("module.path:app", env={...})` -> "http://127.0.0.1:<port>"."""
    servers = request.node.stash.setdefault(_SERVERS, [])

    def start(app: str, env: dict[str, str] | None = None) -> str:
        server = _start_server(app, env, tmp_path)
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


# --- browser -------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found; run `scripts/setup --browser`")
    playwright: Playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


class BrowserConsoleErrors(AssertionError):
    """Console errors or uncaught page errors happened in a test's browser pages."""


@dataclass
class BrowserConsole:
    """Console output of every context opened through `page` / `new_page` in one test."""

    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        self.contexts.append(context)
        context.on("console", self._on_console)
        context.on("weberror", self._on_weberror)

    def _on_console(self, msg: ConsoleMessage) -> None:
        loc = msg.location
        where = f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc else ""
        line = f"console.{msg.type}: {msg.text}{where}"
        self.messages.append(line)
        if msg.type == "error":
            self.errors.append(line)

    def _on_weberror(self, error: WebError) -> None:
        line = f"pageerror: {error.error}"
        self.messages.append(line)
        self.errors.append(line)

    def flush(self) -> None:
        """Round-trip to every open page so that events already sent have been delivered."""
        for context in self.contexts:
            for p in context.pages:
                with contextlib.suppress(Exception):
                    p.evaluate("0")

    def check(self) -> None:
        """Raise BrowserConsoleErrors if any console error or page error was recorded."""
        self.flush()
        if self.errors:
            listing = "\n".join(f"  {e}" for e in self.errors)
            raise BrowserConsoleErrors(
                f"{len(self.errors)} browser console error(s) "
                f"(mark the test @pytest.mark.allow_console_errors if expected):\n{listing}"
            )


_CONSOLE = pytest.StashKey[BrowserConsole]()


@pytest.fixture
def browser_console(request: pytest.FixtureRequest) -> BrowserConsole:
    console: BrowserConsole = request.node.stash.setdefault(_CONSOLE, BrowserConsole())
    return console


@pytest.fixture
def new_page(browser: Browser, browser_console: BrowserConsole) -> Iterator[Callable[[], Page]]:
    """Each call: a new browser context (its own cookies) and a page in it, watched."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context()
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        browser_console.watch(context)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


# --- run_async -----------------------------------------------------------------------------


class AsyncRunner:
    """An event loop in a daemon thread; `runner(awaitable)` blocks until it completes."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="run_async", daemon=True)
        self._thread.start()

    def __call__(self, awaitable: Awaitable[T], timeout: float = 30.0) -> T:
        async def wrap() -> T:
            return await awaitable

        coro: Coroutine[Any, Any, T] = wrap()
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.loop.shutdown_asyncgens()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(cancel_all(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        if not self.loop.is_running():
            self.loop.close()


@pytest.fixture
def run_async() -> Iterator[AsyncRunner]:
    runner = AsyncRunner()
    yield runner
    runner.close()


# --- hooks: console errors fail the test; server output goes into failure reports -----------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    result = yield  # if the test body raised, that failure stands as is
    console = item.stash.get(_CONSOLE, None)
    if console is not None and item.get_closest_marker("allow_console_errors") is None:
        console.check()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        for server in item.stash.get(_SERVERS, []):
            report.sections.append(
                (
                    f"live_server {server.app} ({server.url}) output",
                    server.output(settle=0.1) or "(empty)",
                )
            )
        console = item.stash.get(_CONSOLE, None)
        if console is not None and console.messages and report.when == "call":
            report.sections.append(("browser console", "\n".join(console.messages)))
    return report
