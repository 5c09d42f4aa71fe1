"""`liveview run --workers N`: N server processes sharing one listening socket.

uvicorn's own supervisor runs uvicorn's `Server` in each worker; ours runs `LiveViewServer`
(drain on SIGTERM, `liveview.server`). The supervisor binds the socket, starts the workers
(spawned: each imports the app afresh), and:

- a worker that exits is replaced: `kill -TERM <worker pid>` is a rolling restart of that
  worker (it drains while the others serve, and a fresh one takes its place), one worker at a
  time the whole set;
- a worker that fails before serving (the app does not import, the port is taken) stops
  them all, as it would fail again;
- SIGTERM or SIGINT to the supervisor drains every worker at once and exits when they have
  (or kills those still running after twice `--drain-timeout` and some slack).

A kernel-shared socket spreads connections unevenly between workers; that is fine for
LiveViews, as any worker can serve any page (signed tokens and a shared pub/sub).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import TYPE_CHECKING

from uvicorn.config import STARTUP_FAILURE

if TYPE_CHECKING:
    from liveview.server import LiveViewConfig

logger = logging.getLogger("uvicorn.error")

_SLACK = 5.0
"""Seconds on top of twice the drain time before a worker still running is killed."""


def _worker(config: LiveViewConfig, sockets: list[socket.socket]) -> None:
    """A worker process: configure logging as uvicorn's workers do, then serve."""
    import sys

    from liveview.server import LiveViewServer

    config.configure_logging()
    server = LiveViewServer(config)
    server.run(sockets=sockets)
    if not server.started:
        sys.exit(STARTUP_FAILURE)


class Workers:
    """Runs `config.workers` processes of `LiveViewServer` on one socket (see the module)."""

    def __init__(self, config: LiveViewConfig) -> None:
        self.config = config
        self._context = multiprocessing.get_context("spawn")
        self._stop = threading.Event()
        self._processes: list[BaseProcess] = []
        self._sockets: list[socket.socket] = []

    def run(self) -> None:
        self._sockets = [self.config.bind_socket()]
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            logger.info("Started supervisor process [%d]", os.getpid())
            self._processes = [self._start() for _ in range(self.config.workers)]
            while not self._stop.wait(0.2):
                self._replace_exited()
            self._stop_all()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for sock in self._sockets:
                sock.close()
        logger.info("Stopped supervisor process [%d]", os.getpid())

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stop.set()

    def _start(self) -> BaseProcess:
        process = self._context.Process(target=_worker, args=(self.config, self._sockets))
        process.start()
        return process

    def _replace_exited(self) -> None:
        for index, process in enumerate(self._processes):
            if process.is_alive() or self._stop.is_set():
                continue
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                logger.error("worker [%s] failed to start: stopping every worker", process.pid)
                self._stop.set()
                return
            logger.info("worker [%s] exited (%s): starting another", process.pid, process.exitcode)
            self._processes[index] = self._start()

    def _stop_all(self) -> None:
        for process in self._processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 2 * self.config.drain_timeout + _SLACK
        for process in self._processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                logger.error("worker [%s] still running after its drain: killed", process.pid)
                process.kill()
                process.join()
