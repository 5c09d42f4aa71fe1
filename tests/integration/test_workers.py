"""`liveview run --workers N` for real: N processes on one port, a worker stopped with SIGTERM
is replaced (a rolling restart), SIGTERM to the supervisor drains them all and exits."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import LOOPBACK, free_port

ROOT = Path(__file__).resolve().parents[2]
APP = "tests.e2e.apps.deploy:app"
TIMEOUT = 30.0


def served_by(port: int) -> str | None:
    """The X-Served-By of one request on a new connection, None if nobody answers."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
    try:
        conn.request("GET", "/desk")
        response = conn.getresponse()
        response.read()
        return response.getheader("x-served-by")
    except OSError:
        return None
    finally:
        conn.close()


def workers_of(supervisor: int) -> set[int]:
    """The supervisor's worker processes (not multiprocessing's resource tracker)."""
    found = set()
    for task in Path(f"/proc/{supervisor}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"resource_tracker" not in cmdline:
                found.add(int(child))
    return found


def wait_for(check: object, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"not within {TIMEOUT:.0f} s: {what}")
        time.sleep(0.1)


@pytest.fixture
def supervisor(redis_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    env = {
        **os.environ,
        "LIVEVIEW_SECRET": "shared",
        "LIVEVIEW_PUBSUB_URL": redis_url,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("LIVEVIEW_WORKER", None)  # each process names itself by its pid
    log = (tmp_path / "supervisor.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "liveview.cli", "run", APP, "--host", LOOPBACK,
            "--port", str(port), "--workers", "2", "--drain-timeout", "2",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        yield proc, port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        print((tmp_path / "supervisor.log").read_text(errors="replace")[-3000:])


def test_workers_share_the_port_a_stopped_one_is_replaced_and_all_drain_on_sigterm(
    supervisor: tuple[subprocess.Popen[bytes], int],
) -> None:
    proc, port = supervisor
    wait_for(lambda: served_by(port) is not None, "the workers answer")
    wait_for(lambda: len(workers_of(proc.pid)) == 2, "two workers")
    first = workers_of(proc.pid)
    assert all(served_by(port) in {f"pid {pid}" for pid in first} for _ in range(10))

    stopped = min(first)
    os.kill(stopped, signal.SIGTERM)  # a rolling restart, one worker
    wait_for(lambda: stopped not in workers_of(proc.pid), "the stopped worker exits")
    wait_for(lambda: len(workers_of(proc.pid)) == 2, "a worker in its place")
    replaced = workers_of(proc.pid)
    assert stopped not in replaced and len(replaced & first) == 1
    wait_for(
        lambda: served_by(port) in {f"pid {pid}" for pid in replaced - first},
        "the new worker serves",
    )

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=2 * 2 + 10) == 0
    assert served_by(port) is None  # nobody left on the port
    for pid in replaced:
        assert not Path(f"/proc/{pid}").exists() or b"Z" in Path(f"/proc/{pid}/stat").read_bytes()
