"""The CI sample of the fuzz suite: 20,000 seeded frames over 50 connections, in-process.

Whatever a client sends — garbage, near-valid frames, protocol misuse (see `mutator.py`) — the
server (a) answers only with protocol frames, (b) logs no traceback but the app's intended crash,
(c) keeps every websocket open and answers its final heartbeat, (d) still serves a fresh client
afterwards, and (e) keeps its RSS within `RSS_BOUND_KB` of where it started. One run (the
module fixture) feeds every test; each test checks one oracle.

Another seed: `LIVEVIEW_FUZZ_SEED=7 .venv/bin/pytest tests/fuzz`; another size:
`LIVEVIEW_FUZZ_FRAMES=100000`; the inputs of open bugs (`mutator.OPEN_BUGS`) too:
`LIVEVIEW_FUZZ_INCLUDE=deep-cids,bad-url-patch`. A failure prints the seed, the frames sent
just before it and the command that replays its connection alone (`python -m tests.fuzz.run
... --only K`).
"""

from __future__ import annotations

import asyncio
import os

import pytest

from tests.fuzz.conftest import REPORT
from tests.fuzz.driver import RSS_BOUND_KB, Config, Report, fuzz
from tests.fuzz.mutator import KINDS
from tests.fuzz.targets import InProcess

SEED = os.environ.get("LIVEVIEW_FUZZ_SEED", "13")
FRAMES = int(os.environ.get("LIVEVIEW_FUZZ_FRAMES", "20000"))
INCLUDE = frozenset(filter(None, os.environ.get("LIVEVIEW_FUZZ_INCLUDE", "").split(",")))
CONNECTIONS = 50


async def _run() -> Report:
    seed: int | str = int(SEED) if SEED.isdigit() else SEED
    config = Config(
        seed=seed,
        connections=CONNECTIONS,
        frames_per_connection=-(-FRAMES // CONNECTIONS),
        concurrency=5,
        include=INCLUDE,
    )
    async with InProcess() as target:
        return await fuzz(target, config)


@pytest.fixture(scope="module")
def report(request: pytest.FixtureRequest) -> Report:
    result = asyncio.run(_run())
    request.config.stash[REPORT] = result
    return result


def test_the_sample_sends_every_kind_of_frame(report: Report) -> None:
    assert report.frames_sent >= FRAMES
    assert set(report.sent_by_kind) == {kind for kind, _ in KINDS}


def test_the_frames_reach_every_path_they_aim_at(report: Report) -> None:
    """Not an oracle: proof that the mix gets past the front door (joins succeed, events run,
    handle_info pushes, patches, refusals of each kind, the intended crash in each callback)."""
    received = report.received_by_label
    for label in (
        "phx_reply ok: joined",
        "phx_reply ok: diff",
        "diff",
        "live_patch",
        "phx_close",
        "phx_error",
        "phx_reply ok: link_redirect",
        "phx_reply ok: live_redirect",
        "phx_reply ok: redirect",
        "phx_reply ok: cids",
        "phx_reply error: stale",
        "phx_reply error: unauthorized",
        "phx_reply error: unmatched topic",
        "phx_reply error: unknown event",
        "phx_reply error: payload must be an object",
    ):
        assert received[label] > 0, f"no {label!r} among {dict(received)}"
    crashed_in = {message.split()[0] for message in report.server["intended_by"]}
    assert crashed_in == {"mount", "handle_params", "handle_event", "handle_info"}


def test_every_frame_the_server_sends_is_a_protocol_message(report: Report) -> None:
    assert report.non_protocol == 0, report.format()


def test_no_traceback_is_logged_but_the_intended_crash(report: Report) -> None:
    assert report.tracebacks == 0, report.format()


def test_every_connection_stays_open_and_answers_a_final_heartbeat(report: Report) -> None:
    assert report.closed_by_server == 0, report.format()
    assert report.heartbeats_answered == report.connections_done == CONNECTIONS, report.format()


def test_a_fresh_client_joins_and_clicks_every_page_afterwards(report: Report) -> None:
    assert report.healthy_after, report.format()


def test_memory_stays_bounded(report: Report) -> None:
    assert report.rss_after_kb <= report.rss_before_kb + RSS_BOUND_KB, report.format()


def test_no_oracle_failed(report: Report) -> None:
    assert report.ok, report.format()
