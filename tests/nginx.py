"""A real nginx running deploy/nginx.conf, the documented file, for tests.

`Nginx(listen_port, upstream_ports, folder)` writes the site file with its two upstream
addresses and `listen` changed (each substitution must match exactly once, so the file and
the test cannot drift apart), wraps it in a minimal main configuration in `folder`, and runs
`nginx -p folder -c ... -g 'daemon off; ...'` as a child process until `stop()`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.services import LOOPBACK, ServiceError, port_accepts

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "deploy" / "nginx.conf"
DOCUMENTED_UPSTREAMS = ("server 127.0.0.1:8001;", "server 127.0.0.1:8002;")
DOCUMENTED_LISTEN = "listen 80;"

MAIN = """\
{user}worker_processes 1;
events {{ worker_connections {connections}; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/liveview.conf;
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if found is None:
        raise ServiceError("nginx not found: run `scripts/setup --services` (apt package nginx)")
    return found


def site_for(listen_port: int, upstream_ports: tuple[int, int]) -> str:
    """deploy/nginx.conf with our loopback ports in place of the documented ones."""
    text = SITE.read_text()
    changes = [
        (DOCUMENTED_LISTEN, f"listen {LOOPBACK}:{listen_port};"),
        *(
            (documented, f"server {LOOPBACK}:{port};")
            for documented, port in zip(DOCUMENTED_UPSTREAMS, upstream_ports, strict=True)
        ),
    ]
    for documented, ours in changes:
        if text.count(documented) != 1:
            raise ServiceError(f"{SITE} should say {documented!r} once, for the tests to change")
        text = text.replace(documented, ours)
    return text


class Nginx:
    """nginx serving deploy/nginx.conf on `listen_port`, in front of `upstream_ports`."""

    def __init__(
        self,
        listen_port: int,
        upstream_ports: tuple[int, int],
        folder: Path,
        connections: int = 1024,
    ) -> None:
        self.port = listen_port
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "liveview.conf").write_text(site_for(listen_port, upstream_ports))
        # as root, nginx's workers would run as `nobody`, who cannot enter a test's temp dir
        user = "user root;\n" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            MAIN.format(user=user, folder=folder, connections=connections)
        )
        self.log = folder / "error.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pids(self) -> list[int]:
        """The master's and its workers' (for benches summing CPU)."""
        if self._proc is None:
            return []
        master = self._proc.pid
        children = [
            int(pid)
            for task in Path(f"/proc/{master}/task").iterdir()
            for pid in (task / "children").read_text().split()
        ]
        return [master, *children]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        folder = self.folder
        directives = f"daemon off; pid {folder}/nginx.pid; error_log {self.log} info;"
        command = [nginx_binary(), "-p", str(folder), "-c", str(folder / "nginx.conf")]
        checked = subprocess.run(
            [*command, "-t", "-g", directives], capture_output=True, text=True, check=False
        )
        if checked.returncode != 0:
            raise ServiceError(f"nginx -t refused the configuration:\n{checked.stderr}")
        self._proc = subprocess.Popen(
            [*command, "-g", directives],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while not port_accepts(LOOPBACK, self.port):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise ServiceError(f"nginx did not start:\n{self.output()}")
            time.sleep(0.05)

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM: nginx's fast shutdown; its workers end with the master."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
