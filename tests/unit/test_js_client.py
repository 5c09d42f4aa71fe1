"""`JS` against the installed client's source: every command kind we emit has an ``exec_<kind>``
in its js.js, and every option we send is a name that function reads (or ``to``, read by
``filterToEls`` for every command). A client upgrade that renames one fails here, not in a
browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from liveview import JS
from liveview.js import KINDS

CLIENT_JS = (
    Path(__file__).resolve().parents[2]
    / "node_modules/phoenix_live_view/assets/js/phoenix_live_view/js.js"
)

EVERY_OPTION = [
    JS.push("e", target=1, loading="#l", page_loading=True, value={"a": 1}),
    JS.navigate("/a", replace=True),
    JS.patch("/a", replace=True),
    JS.show(to="#a", transition="t", display="flex", time=1, blocking=False),
    JS.hide(to="#a", transition="t", time=1, blocking=False),
    JS.toggle(to="#a", in_="i", out="o", display="flex", time=1, blocking=False),
    JS.add_class("c", to="#a", transition="t", time=1, blocking=False),
    JS.remove_class("c", to="#a", transition="t", time=1, blocking=False),
    JS.toggle_class("c", to="#a", transition="t", time=1, blocking=False),
    JS.transition("t", to="#a", time=1, blocking=False),
    JS.set_attribute(("a", "b"), to="#a"),
    JS.remove_attribute("a", to="#a"),
    JS.toggle_attribute(("a", "b", "c"), to="#a"),
    JS.ignore_attributes("a", to="#a"),
    JS.dispatch("e", to="#a", detail={"x": 1}, bubbles=False, blocking=True),
    JS.exec("data-x", to="#a"),
    JS.focus(to="#a"),
    JS.focus_first(to="#a"),
    JS.push_focus(to="#a"),
    JS.pop_focus(),
]


def _client_reads() -> dict[str, set[str]]:
    """``exec_<kind>`` -> the names it takes from its args (destructured in its parameters,
    or from ``args`` in its body, as ``exec_push`` does)."""
    if not CLIENT_JS.exists():
        pytest.skip("node_modules missing: run scripts/setup")
    source = CLIENT_JS.read_text()
    reads: dict[str, set[str]] = {}
    for match in re.finditer(r"\n  exec_(\w+)\(([^)]*)\)\s*\{(.*?)\n  \},", source, re.S):
        kind, params, body = match.groups()
        params = params.strip().rstrip(",").strip()
        last = re.search(r"\{([^{}]*)\}$", params)
        names = set(last.group(1).split(",")) if last else set()
        for destructured in re.findall(r"const\s*\{([^}]*)\}\s*=\s*args", body):
            names |= set(destructured.split(","))
        reads[kind] = {name.split(":")[0].strip() for name in names if name.strip()}
    return reads


def test_every_kind_we_emit_is_one_the_client_executes() -> None:
    reads = _client_reads()
    assert set(reads) == set(KINDS)
    assert {op[0] for js in EVERY_OPTION for op in js.to_encodable()} == set(KINDS)


@pytest.mark.parametrize("js", EVERY_OPTION, ids=lambda js: js.to_encodable()[0][0])
def test_every_option_we_send_is_one_the_client_reads(js: JS) -> None:
    ((kind, args),) = js.to_encodable()
    assert set(args) - {"to"} <= _client_reads()[kind]
