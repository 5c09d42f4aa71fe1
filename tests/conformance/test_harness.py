"""The harness itself: it runs the installed official client, fails loudly without it, and
normalizes only the client's own bookkeeping attributes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conformance.checker import Step, check_case
from tests.conformance.client import (
    HERE,
    PACKAGE,
    ROOT,
    ClientError,
    ClientHarness,
    HarnessUnavailable,
)


def test_runs_the_installed_client_code(client_harness: ClientHarness) -> None:
    installed = json.loads((PACKAGE / "package.json").read_text())["version"]
    assert client_harness.version == installed
    assert installed.startswith("1.2.")
    bundle = (HERE / "build" / "rendered.mjs").read_text()
    assert f"from phoenix_live_view {installed}" in bundle.splitlines()[0]
    assert "node_modules/phoenix_live_view/assets/js/phoenix_live_view/rendered.js" in bundle
    # Only the real 1.2 client renders the pre-1.1 comprehension format ("d") as "undefined".
    old_format = {"s": ["<ul>", "</ul>"], "0": {"s": ["<li>", "</li>"], "d": [["a"], ["b"]]}}
    assert client_harness.render([old_format]) == ["<ul><li>undefined</li></ul>"]


def test_merges_keyed_moves_and_counts(client_harness: ClientHarness) -> None:
    join = {
        "s": ["<ul>", "</ul>"],
        "0": {"s": ["<li>", "</li>"], "k": {"0": {"0": "a"}, "1": {"0": "b"}, "kc": 2}},
        "r": 1,
    }
    moved = {"0": {"k": {"0": {"0": "z"}, "1": 0, "2": [1, {"0": "b!"}], "kc": 3, "km": True}}}
    shrunk = {"0": {"k": {"kc": 1}}, "t": "title", "e": [["event", {}]]}
    assert client_harness.render([join, moved, shrunk]) == [
        "<ul><li>a</li><li>b</li></ul>",
        "<ul><li>z</li><li>a</li><li>b!</li></ul>",
        "<ul><li>z</li></ul>",
    ]


def test_client_errors_name_the_step(client_harness: ClientHarness) -> None:
    join = {"s": ["<p>", "</p>"], "0": "x"}
    with pytest.raises(ClientError) as caught:
        client_harness.render([join, {"0": 7}])  # a number is a component id
    assert caught.value.step == 1
    assert "missing component: 7" in caught.value.message
    assert caught.value.html == ["<p>x</p>"]


def test_normalizes_only_client_bookkeeping(client_harness: ClientHarness) -> None:
    # A component: the client adds data-phx-id, data-phx-component and data-phx-view to its
    # root element; they are removed. The same text elsewhere is left alone.
    join = {
        "s": ["<div data-x=\"data-phx-view='1'\">", ' data-phx-id="t"</div>'],
        "0": 1,
        "c": {"1": {"s": ['<p id="c" class="k">', "</p>"], "0": "hi", "r": 1}},
    }
    assert client_harness.render([join, {"c": {"1": {"0": "ho"}}}]) == [
        '<div data-x="data-phx-view=\'1\'"><p id="c" class="k">hi</p> data-phx-id="t"</div>',
        '<div data-x="data-phx-view=\'1\'"><p id="c" class="k">ho</p> data-phx-id="t"</div>',
    ]


def test_a_missing_client_fails_with_the_setup_hint(tmp_path: Path) -> None:
    with pytest.raises(HarnessUnavailable, match="run scripts/setup"):
        ClientHarness.start(package=tmp_path / "phoenix_live_view")


def test_file_mode_prints_html_after_each_step(tmp_path: Path) -> None:
    case = tmp_path / "case.jsonl"
    case.write_text('{"s": ["<b>", "</b>"], "0": "1"}\n\n{"0": "&lt;2"}\n{}\n', encoding="utf-8")
    out = subprocess.run(
        ["node", str(HERE / "harness.mjs"), str(case)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert [json.loads(line) for line in out.stdout.splitlines()] == [
        "<b>1</b>",
        "<b>&lt;2</b>",
        "<b>&lt;2</b>",
    ]


def test_a_wrong_diff_is_caught(client_harness: ClientHarness) -> None:
    # `changed` that omits a changed assign makes the engine send nothing: the check sees it.
    with pytest.raises(AssertionError, match="differs from the full render at step 1"):
        check_case(client_harness, "<p>{{ a }}</p>", [Step.of({"a": "1"}), Step.of({"a": "2"}, [])])


def test_a_session_keeps_the_client_attributes_and_prunes(client_harness: ClientHarness) -> None:
    # A client view a step at a time: its HTML keeps what the client writes into a component's
    # root; after pruneCIDs a diff sharing the pruned component's statics breaks the client.
    session = client_harness.session()
    join = {
        "s": ["<div>", "</div>"],
        "0": 1,
        "c": {"1": {"s": ['<p id="c">', "</p>"], "0": "hi", "r": 1}},
    }
    root = (
        'data-phx-id="c{0}-phx-conformance" data-phx-component="{0}" '
        'data-phx-view="phx-conformance"'
    )
    assert session.join(join) == f'<div><p {root.format(1)} id="c">hi</p></div>'
    session.reset([1])
    added = {"0": 2, "c": {"2": {"s": -1, "0": "new", "r": 1}}}
    assert session.diff(added) == f'<div><p {root.format(2)} id="c">new</p></div>'
    session.prune([1])
    with pytest.raises(ClientError) as caught:
        session.diff({"0": 3, "c": {"3": {"s": -1, "0": "x", "r": 1}}})
    assert caught.value.step == 2
    assert session.ended
    session.end()  # the harness dropped it already: nothing to do
