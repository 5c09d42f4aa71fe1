"""The wire vocabulary is named once: the client version matches the one installed, and no
module but `channel/protocol.py` spells a channel event or topic."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from liveview.channel import protocol

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "liveview"

# Values only the protocol uses; generic words ("diff", "event", "redirect") are left out.
SPELLED_ONCE = {
    protocol.JOIN,
    protocol.LEAVE,
    protocol.REPLY,
    protocol.ERROR,
    protocol.CLOSE,
    protocol.LIVE_PATCH,
    protocol.LIVE_REDIRECT,
    protocol.HEARTBEAT,
    protocol.CIDS_WILL_DESTROY,
    protocol.CIDS_DESTROYED,
    protocol.LIVEVIEW_TOPIC_PREFIX,
    protocol.PHOENIX_TOPIC,
    protocol.CLEAR_FLASH,
}


def test_the_announced_client_version_is_the_installed_one() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    assert package["dependencies"]["phoenix_live_view"] == protocol.LIVEVIEW_VERSION


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants in code (docstrings left out), with their line numbers."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_channel_events_and_topics_are_spelled_only_in_protocol() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {value!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "channel" / "protocol.py"
        for line, value in _code_strings(path)
        if value in SPELLED_ONCE
    ]
    assert found == [], "use the names in liveview.channel.protocol:\n" + "\n".join(found)
