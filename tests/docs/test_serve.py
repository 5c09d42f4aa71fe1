"""scripts/docs serves the site: started on a free loopback port (its `-a` passed on to
`mkdocs serve`), it answers the home page and the API reference, then stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.docs.pages import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            text: str = response.read().decode()
            return text
    except OSError:
        return None


def test_scripts_docs_serves_the_site(tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [str(ROOT / "scripts" / "docs"), "-a", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,  # its group: scripts/setup and mkdocs stop with it
    )
    try:
        home = None
        for _ in range(240):  # at most 2 minutes: setup, then the first build
            home = get(f"http://127.0.0.1:{port}/index.html")
            if home is not None or server.poll() is not None:
                break
            time.sleep(0.5)
        assert home is not None, (tmp_path / "serve.log").read_text()[-2000:]
        assert "A first LiveView" in home
        api = get(f"http://127.0.0.1:{port}/api.html")
        assert api is not None and "LiveViewApp" in api
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
