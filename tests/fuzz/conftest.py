"""The fuzz sample's figures in pytest's terminal summary (one line), like the conformance
suite's case count."""

from __future__ import annotations

import pytest

from tests.fuzz.driver import Report

REPORT = pytest.StashKey[Report]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    report = terminalreporter.config.stash.get(REPORT, None)
    if report is not None:
        terminalreporter.write_line(
            f"fuzz (seed {report.config.seed}): {report.frames_sent:,} frames sent over "
            f"{report.connections_done} connections, {report.frames_received:,} received, "
            f"{report.non_protocol} non-protocol, {report.tracebacks} unexpected tracebacks "
            f"({report.intended_tracebacks} intended), RSS {report.rss_before_kb:,} -> "
            f"{report.rss_after_kb:,} KB, {report.wall_seconds:.1f} s"
        )
