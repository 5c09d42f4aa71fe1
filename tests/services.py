"""Real Redis and PostgreSQL servers for tests.

`tests/conftest.py` turns these into fixtures (`redis_url`, `postgres_dsn`, `start_private_redis`,
`start_private_postgres`). The classes here are also usable directly:

    with PrivateRedis() as r:          # a brand-new redis-server on a free loopback port
        r.stop(); r.start()            # same port, empty data

PostgreSQL refuses to run as root, so when the tests run as root every PostgreSQL command runs
as the `postgres` user (`runuser -u postgres --`) in a temp dir that user owns.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

LOOPBACK = "127.0.0.1"
DEFAULT_REDIS_PORT = 6379
DEFAULT_POSTGRES_PORT = 5432
TEST_DATABASE = "test"


class ServiceError(RuntimeError):
    """A test service could not be found or started."""


# --- small helpers ------------------------------------------------------------------------


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on right now (the usual bind-to-0 trick; racy but fine)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_accepts(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_pings(host: str, port: int, timeout: float = 0.5) -> bool:
    """True if a Redis server at host:port answers PING with +PONG (no auth needed)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def postgres_dsn_for(host: str, port: int, user: str, dbname: str = TEST_DATABASE) -> str:
    return f"postgresql://{user}@{host}:{port}/{dbname}"


def postgres_accepts(dsn: str, timeout: int = 2) -> bool:
    """True if psycopg can connect to `dsn` and run SELECT 1."""
    import psycopg

    try:
        with psycopg.connect(dsn, connect_timeout=timeout, autocommit=True) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def _wait_until(
    check: Callable[[], bool], timeout: float, what: str, log: Path | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise ServiceError(f"{what} not ready after {timeout:.0f}s{_log_tail(log)}")


def _log_tail(log: Path | None, limit: int = 4000) -> str:
    if log is None or not log.exists():
        return ""
    text = log.read_text(errors="replace")
    return f"\n--- {log} ---\n{text[-limit:]}"


# Everything started here is stopped when the interpreter exits, even if a fixture's teardown
# never ran (Ctrl-C, an internal error). Instances remove themselves when closed.
_live: set[_Service] = set()


@atexit.register
def _close_all() -> None:
    for service in list(_live):
        with contextlib.suppress(Exception):
            service.close()


class _Service(ABC):
    """A server of our own in a temp dir: `with` starts it and closes it (stops it, deletes
    the dir), and so does interpreter exit if a fixture's teardown never ran."""

    dir: Path
    _closed: bool

    @abstractmethod
    def start(self, timeout: float = ...) -> Self: ...

    @abstractmethod
    def close(self) -> None: ...

    def _forget(self) -> None:
        """What closing ends with, however the server stopped: no restart, no files left."""
        self._closed = True
        _live.discard(self)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --- Redis --------------------------------------------------------------------------------


class PrivateRedis(_Service):
    """A redis-server of our own on a loopback port, no persistence, in a temp dir.

    `stop()` and `start()` keep the port, so clients can observe an outage and a recovery.
    `stop(kill=True)` simulates a crash (SIGKILL) instead of a clean shutdown.
    """

    def __init__(self, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceError("redis-server not found; run `scripts/setup --services`")
        self.binary = binary
        self.port = port if port is not None else free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="liveview-redis-"))
        self.log = self.dir / "redis.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._closed = False

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int:
        """The running redis-server's process id (benches count its CPU)."""
        if self._proc is None or not self.running:
            raise ServiceError("this PrivateRedis is not running")
        return self._proc.pid

    def start(self, timeout: float = 10.0) -> Self:
        if self._closed:
            raise ServiceError("this PrivateRedis was closed")
        if self.running:
            return self
        if port_accepts(LOOPBACK, self.port, timeout=0.2):
            raise ServiceError(f"port {self.port} is already in use; cannot start redis-server")
        cmd = [
            self.binary,
            "--port", str(self.port),
            "--bind", LOOPBACK,
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.dir),
            "--daemonize", "no",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(
                cmd, cwd=self.dir, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        _live.add(self)

        def ready() -> bool:
            if self._proc is not None and self._proc.poll() is not None:
                raise ServiceError(
                    f"redis-server exited with {self._proc.returncode}{_log_tail(self.log)}"
                )
            return redis_pings(LOOPBACK, self.port)

        try:
            _wait_until(ready, timeout, f"redis-server on port {self.port}", self.log)
        except BaseException:
            self.stop(kill=True)
            raise
        return self

    def stop(self, kill: bool = False, timeout: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def close(self) -> None:
        self.stop()
        self._forget()

    def __repr__(self) -> str:
        return f"<PrivateRedis {self.url} running={self.running}>"


def start_private_redis() -> PrivateRedis:
    """A brand-new, started redis-server on a free port. Call `.close()` when done."""
    return PrivateRedis().start()


# --- PostgreSQL ---------------------------------------------------------------------------


def find_postgres_binary(name: str) -> str:
    """`initdb`, `pg_ctl`, ... on PATH, else the newest /usr/lib/postgresql/*/bin (Debian)."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> tuple[int, ...]:
        part = Path(path).parent.parent.name
        return tuple(int(x) for x in part.split(".") if x.isdigit())

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if candidates:
        return candidates[-1]
    raise ServiceError(f"{name} not found; run `scripts/setup --services`")


class PrivatePostgres(_Service):
    """A PostgreSQL cluster of our own: initdb in a temp dir, `pg_ctl start` on a loopback port.

    Trust authentication, superuser `postgres`, a database named `test`; fsync off. As root,
    every command runs as the `postgres` OS user. `stop()`/`start()` keep the port and the data.
    """

    user = "postgres"

    def __init__(self, port: int | None = None) -> None:
        self.initdb = find_postgres_binary("initdb")
        self.pg_ctl = find_postgres_binary("pg_ctl")
        self.port = port if port is not None else free_port()
        self._as: list[str] = []
        uid = gid = None
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise ServiceError(
                    "running as root, and PostgreSQL refuses root: an OS user `postgres` is "
                    "needed (the Debian package postgresql creates it)"
                ) from None
            runuser = shutil.which("runuser")
            if runuser is None:
                raise ServiceError("running as root but `runuser` (util-linux) is missing")
            self._as = [runuser, "-u", "postgres", "--"]
            uid, gid = pw.pw_uid, pw.pw_gid
        self.dir = Path(tempfile.mkdtemp(prefix="liveview-postgres-"))
        if uid is not None and gid is not None:
            os.chown(self.dir, uid, gid)
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self._initialized = False
        self._started = False
        self._closed = False

    @property
    def dsn(self) -> str:
        return postgres_dsn_for(LOOPBACK, self.port, self.user)

    def _run(self, *cmd: str, timeout: float = 60.0) -> None:
        result = subprocess.run(
            [*self._as, *cmd],
            cwd=self.dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            output = result.stdout.decode(errors="replace")
            raise ServiceError(
                f"{' '.join(cmd)} failed ({result.returncode}):\n{output}{_log_tail(self.log)}"
            )

    def start(self, timeout: float = 30.0) -> Self:
        if self._closed:
            raise ServiceError("this PrivatePostgres was closed")
        if self._started:
            return self
        if not self._initialized:
            self._run(
                self.initdb, "-D", str(self.data), "-U", self.user, "-A", "trust",
                "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions",
            )  # fmt: skip
        if port_accepts(LOOPBACK, self.port, timeout=0.2):
            raise ServiceError(f"port {self.port} is already in use; cannot start PostgreSQL")
        options = (
            f"-p {self.port} -c listen_addresses={LOOPBACK} -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        _live.add(self)
        self._started = True
        self._run(
            self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", options,
            "-w", "-t", str(int(timeout)), "start",
        )  # fmt: skip
        if not self._initialized:
            import psycopg

            admin = postgres_dsn_for(LOOPBACK, self.port, self.user, "postgres")
            with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f"CREATE DATABASE {TEST_DATABASE}")
            self._initialized = True
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`mode` as pg_ctl's -m: smart, fast or immediate = crash-like)."""
        if not self._started:
            return
        self._started = False
        self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop")

    def close(self) -> None:
        try:
            if self._started:
                with contextlib.suppress(ServiceError, subprocess.TimeoutExpired):
                    self.stop(mode="immediate")
        finally:
            self._forget()

    def __repr__(self) -> str:
        return f"<PrivatePostgres {self.dsn} running={self._started}>"


def start_private_postgres() -> PrivatePostgres:
    """A brand-new, started PostgreSQL (database `test`) on a free port. `.close()` when done."""
    pg = PrivatePostgres()
    try:
        return pg.start()
    except BaseException:
        pg.close()
        raise


# --- what the session fixtures use ---------------------------------------------------------


def existing_redis_url() -> str | None:
    """LIVEVIEW_TEST_REDIS_URL, else a Redis answering PING on 127.0.0.1:6379, else None."""
    url = os.environ.get("LIVEVIEW_TEST_REDIS_URL")
    if url:
        return url
    if redis_pings(LOOPBACK, DEFAULT_REDIS_PORT):
        return f"redis://{LOOPBACK}:{DEFAULT_REDIS_PORT}/0"
    return None


def existing_postgres_dsn() -> str | None:
    """LIVEVIEW_TEST_POSTGRES_DSN, else 127.0.0.1:5432 database `test` with trust auth as
    user postgres or root, else None."""
    dsn = os.environ.get("LIVEVIEW_TEST_POSTGRES_DSN")
    if dsn:
        return dsn
    if not port_accepts(LOOPBACK, DEFAULT_POSTGRES_PORT):
        return None
    for user in ("postgres", "root"):
        candidate = postgres_dsn_for(LOOPBACK, DEFAULT_POSTGRES_PORT, user)
        if postgres_accepts(candidate):
            return candidate
    return None
