"""`liveview new demo` as a user meets it: liveview installed from this checkout into a fresh
virtual environment, the project written by that installed copy (so its templates ship in the
package), installed with its test extra, its tests passing, then served by `liveview run` and
clicked in Chromium.

To keep it cheap the fresh environment borrows the third-party packages of the suite's own venv
(the same pinned versions) through a `.pth` folder of links that leaves liveview out: pip still
installs liveview and the project for real and resolves their requirements against those
packages, but downloads and installs nothing else (the pip cache serves the build backend).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, _start
from tests.e2e.gallery_pair import open_live
from tests.services import LOOPBACK

SUITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])  # the suite's venv: liveview's deps


def run(*command: str | Path, cwd: Path) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def environment_sharing_the_suites_packages(folder: Path) -> Path:
    """A new venv (its python) that sees the suite's packages but not its liveview."""
    venv.create(folder / "env", with_pip=False)
    shared = folder / "shared"
    shared.mkdir()
    for entry in SUITE_PACKAGES.iterdir():
        if "liveview" not in entry.name and entry.name not in ("pip", "__pycache__"):
            (shared / entry.name).symlink_to(entry)
    python = folder / "env" / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                  cwd=folder).strip()  # fmt: skip
    (Path(purelib) / "suite-packages.pth").write_text(f"{shared}\n")
    return python


@pytest.mark.timeout(360)  # two pip builds: ~30 s on an idle machine, 100 s seen on a loaded one
def test_a_new_project_installs_passes_its_tests_and_serves_its_counter(
    new_page: Callable[[], Page], tmp_path: Path
) -> None:
    python = environment_sharing_the_suites_packages(tmp_path)
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q"]
    run(*pip, ROOT, cwd=tmp_path)  # a wheel built from the checkout, not an editable link
    bin_dir = python.parent
    shown = run(python, "-c", "import liveview; print(liveview.__file__)", cwd=tmp_path)
    assert shown.startswith(str(tmp_path / "env"))  # the installed copy, not the checkout's

    project = tmp_path / "demo"
    steps = run(bin_dir / "liveview", "new", "demo", cwd=tmp_path)
    assert f"pip install {ROOT} " in steps  # where this liveview was installed from
    run(*pip, "-e", f"{project}[test]", cwd=tmp_path)
    tests = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert "3 passed" in tests, tests

    def command(port: int) -> list[str]:
        return [str(bin_dir / "liveview"), "run", "demo.app:app", "--host", LOOPBACK,
                "--port", str(port)]  # fmt: skip

    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": ""}
    server = _start("liveview new demo", command, project, env, tmp_path)
    try:
        ann, bob = open_live(new_page(), server.url + "/"), open_live(new_page(), server.url + "/")
        expect(ann.locator("#count")).to_have_text("0")
        ann.click("#inc")
        expect(ann.locator("#count")).to_have_text("1")
        expect(bob.locator("#count")).to_have_text("1")  # the other window, through pub/sub
        bob.click("#dec")
        expect(ann.locator("#count")).to_have_text("0")
        assert "liveview/static/vendor" not in server.output()  # the client is in the package
        ann.close()  # before the server goes: their reconnect attempts would be console errors
        bob.close()
    finally:
        server.stop()
