"""The official client's merge code, run in Node: a Python handle on ``harness.mjs --serve``.

``ClientHarness.start()`` checks that the npm package is installed (a missing package is an
error, never a skip), bundles the client's ``rendered.js`` with ``build.mjs`` if the bundle is
stale, and starts one long-lived Node process. ``render(steps)`` sends one case -- the join
tree followed by diffs, exactly as the client would receive them -- and returns the HTML the
client renders after each step. The only normalization is the one documented at the top of
``harness.mjs``. ``session()`` drives one client view a step at a time instead, for cases whose
next message depends on what the client shows (live components); its HTML is not normalized.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKAGE = ROOT / "node_modules" / "phoenix_live_view"
RENDERED_JS = PACKAGE / "assets" / "js" / "phoenix_live_view" / "rendered.js"
SETUP_HINT = "run scripts/setup (it installs the client with npm ci and bundles it)"


class HarnessUnavailable(RuntimeError):
    """The official client (or Node, or esbuild) is missing: the conformance tests cannot run."""


class ClientError(AssertionError):
    """The client's code threw while merging or rendering a step."""

    def __init__(self, step: int, message: str, stack: str | None, html: list[str]) -> None:
        super().__init__(f"the client failed at step {step}: {message}")
        self.step = step
        self.message = message
        self.stack = stack
        self.html = html


def encode(message: Any) -> bytes:
    """A tree or diff as it goes on the wire (the channel encodes with orjson too)."""
    return orjson.dumps(message)


class ClientHarness:
    """One Node process running the official client's ``Rendered`` for any number of cases."""

    def __init__(self, proc: subprocess.Popen[bytes], stderr: IO[bytes], version: str) -> None:
        self._proc = proc
        self._stderr = stderr
        self.version = version
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self.cases = 0
        self.steps = 0

    @classmethod
    def start(cls, package: Path = PACKAGE) -> ClientHarness:
        """Check the installed client, bundle it if needed, start the harness.

        ``package`` is where the npm package must be (a parameter only so that the "not
        installed" error can be tested); the bundle is always built from ``PACKAGE``.
        """
        node = shutil.which("node")
        if node is None:
            raise HarnessUnavailable(f"Node.js is not installed; {SETUP_HINT}")
        rendered_js = package / RENDERED_JS.relative_to(PACKAGE)
        if not rendered_js.is_file():
            raise HarnessUnavailable(
                f"the official client is not installed ({rendered_js} is missing); {SETUP_HINT}"
            )
        version = json.loads((package / "package.json").read_text())["version"]
        if not version.startswith("1.2."):
            raise HarnessUnavailable(
                f"phoenix_live_view {version} is installed, the conformance suite targets 1.2.x;"
                f" {SETUP_HINT}"
            )
        build = subprocess.run(
            [node, str(HERE / "build.mjs")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if build.returncode != 0:
            raise HarnessUnavailable(
                f"bundling the client failed ({build.stderr.strip()}); {SETUP_HINT}"
            )
        # stderr goes to a file: the client logs to console.error on some failures, and an
        # undrained pipe would eventually block the harness.
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        proc = subprocess.Popen(
            [node, str(HERE / "harness.mjs"), "--serve"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
        greeting = cls._read(proc, stderr)
        if not greeting.get("ready"):
            proc.kill()
            raise HarnessUnavailable(f"the harness did not start: {greeting}")
        return cls(proc, stderr, str(greeting["client"]))

    @staticmethod
    def _read(proc: subprocess.Popen[bytes], stderr: IO[bytes]) -> dict[str, Any]:
        stdout: IO[bytes] | None = proc.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line:
            proc.wait(5)
            stderr.seek(0)
            output = stderr.read().decode(errors="replace").strip()
            raise HarnessUnavailable(
                f"the conformance harness exited (code {proc.returncode}): {output}"
            )
        reply: dict[str, Any] = json.loads(line)
        return reply

    def render(self, steps: Sequence[Any]) -> list[str]:
        """The client's HTML after the join tree ``steps[0]`` and after each diff after it.

        A step is a tree/diff, or ``bytes`` already encoded with ``encode``.
        """
        with self._lock:
            case_id = next(self._ids)
            stdin = self._proc.stdin
            assert stdin is not None
            payload = b",".join(s if isinstance(s, bytes) else encode(s) for s in steps)
            stdin.write(b'{"id":%d,"steps":[%b]}\n' % (case_id, payload))
            stdin.flush()
            reply = self._read(self._proc, self._stderr)
            self.cases += 1
            self.steps += len(steps)
        if reply.get("id") != case_id:
            raise RuntimeError(f"harness protocol out of step: sent {case_id}, got {reply}")
        if "error" in reply:
            raise ClientError(reply["step"], reply["error"], reply.get("stack"), reply["html"])
        html: list[str] = reply["html"]
        return html

    def session(self) -> ClientSession:
        """A client view driven one step at a time (join, diffs, resets, prunes)."""
        return ClientSession(self, next(self._ids))

    def _session_op(self, session: int, op: str, value: Any, step: int) -> dict[str, Any]:
        with self._lock:
            case_id = next(self._ids)
            stdin = self._proc.stdin
            assert stdin is not None
            value_json = value if isinstance(value, bytes) else encode(value)
            stdin.write(
                b'{"id":%d,"session":%d,"op":"%b","value":%b}\n'
                % (case_id, session, op.encode(), value_json)
            )
            stdin.flush()
            reply = self._read(self._proc, self._stderr)
            if op == "join":
                self.cases += 1
            if op in ("join", "diff"):
                self.steps += 1
        if reply.get("id") != case_id:
            raise RuntimeError(f"harness protocol out of step: sent {case_id}, got {reply}")
        if "error" in reply:
            raise ClientError(step, reply["error"], reply.get("stack"), [])
        return reply

    def close(self) -> None:
        if self._proc.poll() is None:
            if self._proc.stdin:
                self._proc.stdin.close()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()
        self._stderr.close()


class ClientSession:
    """One client view in the harness: ``join``, then ``diff`` (each returns the HTML the client
    renders, with the attributes it writes into component roots), ``reset`` and ``prune`` (what
    the client does around ``cids_will_destroy`` / ``cids_destroyed``), ``end``. A step the
    client throws on raises ``ClientError`` naming the step (joins and diffs counted from 0);
    the harness then drops the view, and ``end`` does nothing."""

    def __init__(self, harness: ClientHarness, key: int) -> None:
        self._harness = harness
        self._key = key
        self.step = -1
        self.ended = False

    def join(self, tree: Any) -> str:
        return self._render("join", tree)

    def diff(self, diff: Any) -> str:
        return self._render("diff", diff)

    def reset(self, cids: Sequence[int]) -> None:
        self._op("reset", list(cids))

    def prune(self, cids: Sequence[int]) -> None:
        self._op("prune", list(cids))

    def end(self) -> None:
        if not self.ended:
            self._op("end", None)
            self.ended = True

    def _render(self, op: str, message: Any) -> str:
        self.step += 1
        html: str = self._op(op, message)["html"]
        return html

    def _op(self, op: str, value: Any) -> dict[str, Any]:
        try:
            return self._harness._session_op(self._key, op, value, self.step)
        except ClientError:
            self.ended = True
            raise
