"""Live components: the real server's join tree and diffs, merged by the official client, equal
Jinja's rendering of the page with each component inline, at every step (``component_checker``).

Generated classes, pages and actions (``component_strategies``), then hand-picked corners of a
component's lifetime (each asserting it happened), then a wrong server (tampered messages, a
wrong ``cids_destroyed``) that the checks must catch. ``LIVEVIEW_CONFORMANCE=long`` turns the
two properties into the long run (README).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import given

from liveview.components import Components
from tests.conformance.client import ClientHarness
from tests.conformance.component_app import ComponentServer
from tests.conformance.component_checker import CaseFailed, Tamper, check_component_case
from tests.conformance.component_strategies import (
    Action,
    ComponentCase,
    ComponentSpec,
    component_cases,
    lifecycle_cases,
)
from tests.conformance.settings import LONG, conformance

pytestmark = pytest.mark.timeout(0 if LONG else 120)


@conformance(ci_examples=100)
@given(case=component_cases())
def test_generated_components(
    client_harness: ClientHarness, component_server: ComponentServer, case: ComponentCase
) -> None:
    check_component_case(client_harness, component_server, case)


@conformance(ci_examples=60, long_share=0.3)
@given(case=lifecycle_cases())
def test_components_come_and_go(
    client_harness: ClientHarness, component_server: ComponentServer, case: ComponentCase
) -> None:
    check_component_case(client_harness, component_server, case)


# --- hand-picked corners -------------------------------------------------------------------------

ROW = ComponentSpec(
    "LcA", '<li class="{{ a }}">{{ a }}:{{ count }}{{ note }}</li>', "", "li", False
)
ROWS = "<ul>{% for x in xs %}{{ live_component(LcA, id='r' ~ loop.index, a=x) }}{% endfor %}</ul>"
KEYED = "<ul>{% for r in rows %}{{ live_component(LcA, id='r' ~ r, a=r|string) }}{% endfor %}</ul>"
MAYBE = "<p>{% if f %}{{ live_component(LcA, id='x', a=a) }}{% endif %}</p>"
OUTER = ComponentSpec(
    "LcA",
    "<section>{{ a }}{{ live_component(LcB, id=id ~ '/in', a=a|upper) }}</section>",
    "",
    "section",
    True,
)
INNER = ComponentSpec("LcB", "<!-- in -->\n<i>{{ a }}{{ count }}</i>", "<!-- in -->\n", "i", False)


def step(index: int, later: tuple[int, int] = (0, 0)) -> Action:
    return Action("step", target=index, later=later)


def case(
    page: str,
    components: Iterable[ComponentSpec],
    steps: Iterable[dict[str, Any]],
    *actions: Action,
) -> ComponentCase:
    return ComponentCase(page, tuple(components), tuple(steps), actions)


ON, OFF = {"f": True, "a": "x"}, {"f": False, "a": "x"}

CORNERS: dict[str, tuple[ComponentCase, dict[str, int]]] = {
    "a loop of components grows, shrinks and grows back: statics shared in a diff and held": (
        case(
            ROWS,
            [ROW],
            [{"xs": ["a", "b"]}, {"xs": ["a", "b", "c"]}, {"xs": ["a"]}, {"xs": ["c", "b", "a"]}],
            step(1),
            step(2),
            step(3),
        ),
        {"shared statics in-diff": 2, "shared statics held": 2, "components deleted and pruned": 2},
    ),
    "components keyed by row follow their row when rows move (a slot's cid changes)": (
        case(
            KEYED,
            [ROW],
            [{"rows": [1, 2, 3]}, {"rows": [3, 1, 2]}],
            step(1),
        ),
        {"components sent whole, new": 3, "component diffs": 0, "messages": 2},
    ),
    "an event re-renders its component only": (
        case(ROWS, [ROW], [{"xs": ["a", "b", "c"]}], Action("inc", target=1)),
        {"component diffs": 1},
    ),
    "nested components leave with their parent and come back new": (
        case(
            "{% if f %}{{ live_component(LcA, id='o', a=a) }}{% endif %}",
            [OUTER, INNER],
            [ON, OFF, {"f": True, "a": "y"}],
            Action("inc", target=1),
            step(1),
            step(2),
        ),
        {"components deleted and pruned": 2, "components sent whole, new": 4},
    ),
    "back before cids_will_destroy reaches the server: same cid, same state": (
        case(MAYBE, [ROW], [ON, OFF, ON], Action("inc"), step(1, later=(1, 0)), step(2)),
        {"cids_will_destroy": 1, "components back before cids_destroyed": 1},
    ),
    "back between cids_will_destroy and cids_destroyed: revived whole, not deleted": (
        case(MAYBE, [ROW], [ON, OFF, ON], Action("inc"), step(1, later=(0, 1)), step(2)),
        {
            "components sent whole, revived": 1,
            "cids_destroyed for components not deleted (revived, or gone)": 1,
        },
    ),
    "back after cids_destroyed: a new cid, mounted afresh": (
        case(MAYBE, [ROW], [ON, OFF, ON], Action("inc"), step(1), step(2)),
        {"components deleted and pruned": 1, "components sent whole, new": 2},
    ),
    "send_update to a component off the page, which comes back with it": (
        case(MAYBE, [ROW], [ON, OFF, ON], step(1, later=(2, 0)), Action("poke", text="!"), step(2)),
        {"send_update to a component off": 1, "component diffs": 1},
    ),
    "send_update to a deleted component does nothing": (
        case(MAYBE, [ROW], [ON, OFF], step(1), Action("poke", text="!")),
        {"send_update to a component gone": 1, "messages": 2},
    ),
    "a component moves between two places with its cid and state": (
        case(
            "{% if f %}{{ live_component(LcA, id='m', a=a) }}{% endif %}-"
            "<b>{% if not f %}{{ live_component(LcA, id='m', a=a) }}{% endif %}</b>",
            [ROW],
            [ON, OFF, ON],
            Action("note", text="n"),
            step(1),
            step(2),
            Action("cpoke", text="m"),
        ),
        {"send_update to a component on the page": 1, "components sent whole, new": 1},
    ),
}


@pytest.mark.parametrize("name", CORNERS)
def test_component_corners(
    client_harness: ClientHarness, component_server: ComponentServer, name: str
) -> None:
    corner, expected = CORNERS[name]
    stats = check_component_case(client_harness, component_server, corner)
    assert {what: stats[what] for what in expected} == expected


# --- a wrong server is caught ------------------------------------------------------------------

ONE = case(
    "<div>{{ live_component(LcA, id='x', a=a) }}{{ b }}</div>",
    [ROW],
    [{"a": "1", "b": "p"}, {"a": "2", "b": "p"}, {"a": "2", "b": "q"}],
    step(1),
    step(2),
)


def at(number: int, change: Tamper) -> Tamper:
    """``change`` applied to message ``number`` only (0: the join tree)."""
    return lambda message, index: change(message, index) if index == number else message


def _set(message: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    node = message
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return message


ROW_STATICS = ['<li class="', '">', ":", "", "</li>"]

WRONG: dict[str, tuple[Tamper, str]] = {
    "a component slot holding its cid as a float (the client takes 1.0 for cid 1)": (
        at(0, lambda m, _: _set(m, ("0",), 1.0)),
        "not a string, a node or an integer cid",
    ),
    "a component slot holding its cid as a string": (
        at(0, lambda m, _: _set(m, ("0",), "1")),
        "the client shows another number of components",
    ),
    "a changed component's diff left out": (
        at(1, lambda m, _: {k: v for k, v in m.items() if k != "c"}),
        "the client's HTML differs from Jinja's",
    ),
    "a changed component's diff with an unchanged slot too": (
        at(1, lambda m, _: _set(m, ("c", "1", "2"), "0")),
        "re-sends what the client holds",
    ),
    "an unchanged component sent (an empty diff)": (
        at(2, lambda m, _: {**m, "c": {"1": {}}}),
        "its assigns did not change",
    ),
    "a component the client holds sent whole again": (
        at(
            1,
            lambda m, _: _set(
                m, ("c", "1"), {"0": "2", "1": "2", "2": "0", "3": "", "s": ROW_STATICS, "r": 1}
            ),
        ),
        "sent whole, but the client holds it",
    ),
}


@pytest.mark.parametrize("name", WRONG)
def test_a_wrong_message_is_caught(
    client_harness: ClientHarness, component_server: ComponentServer, name: str
) -> None:
    tamper, message = WRONG[name]
    check_component_case(client_harness, component_server, ONE)  # right as the server sends it
    with pytest.raises(CaseFailed, match=message):
        check_component_case(client_harness, component_server, ONE, tamper)


def test_a_wrong_cids_destroyed_is_caught(
    client_harness: ClientHarness,
    component_server: ComponentServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server deleting a component the page called again since ``cids_will_destroy``."""
    revived = CORNERS[
        "back between cids_will_destroy and cids_destroyed: revived whole, not deleted"
    ]

    def destroyed(self: Components, cids: Iterable[int]) -> list[int]:
        self.will_destroy(cids)
        return original(self, cids)

    original = Components.destroyed
    monkeypatch.setattr(Components, "destroyed", destroyed)
    with pytest.raises(CaseFailed, match="deleted other components than those still marked"):
        check_component_case(client_harness, component_server, revived[0])
