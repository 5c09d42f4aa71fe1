"""The official client's merge code in one Node process for the whole session.

A missing npm package, Node or esbuild fails every conformance test (it never skips): run
``scripts/setup``. The terminal summary says how many cases and steps the client checked.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conformance.client import ClientHarness, HarnessUnavailable
from tests.conformance.component_app import ComponentServer
from tests.conformance.component_checker import STATS
from tests.conformance.settings import PROFILE

_HARNESS = pytest.StashKey[ClientHarness]()


@pytest.fixture(scope="session")
def client_harness(request: pytest.FixtureRequest) -> Iterator[ClientHarness]:
    try:
        harness = ClientHarness.start()
    except HarnessUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    request.config.stash[_HARNESS] = harness
    yield harness
    harness.close()


@pytest.fixture(scope="session")
def component_server() -> Iterator[ComponentServer]:
    """The app live component cases run in, with its event loop (see ``component_app``)."""
    server = ComponentServer()
    yield server
    server.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    harness = terminalreporter.config.stash.get(_HARNESS, None)
    if harness is not None and harness.cases:
        terminalreporter.write_line(
            f"conformance ({PROFILE}): {harness.cases} cases, {harness.steps} steps merged and "
            f"rendered by the official client (phoenix_live_view {harness.version})"
        )
    if STATS["cases"]:
        counts = ", ".join(f"{name} {count}" for name, count in sorted(STATS.items()))
        terminalreporter.write_line(f"live components: {counts}")
