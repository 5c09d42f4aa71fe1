"""Hypothesis strategies for live component cases: component classes, a page calling them, and
what happens to the page.

A case has one to three component classes (``LcA``, ``LcB``, ``LcC``), each with a generated
template of one root element (optionally after whitespace or a comment, as the client allows)
whose body is generated like the page templates (``strategies``: all but ``filter`` and
``with``, which the engine hands to Jinja whole, so that inside them it prints ``None`` and
``False`` as Jinja does and not as nothing, the engine's rule that the oracle follows; and
includes and imports, which need the conformance loader) and reads the component's
assigns: the page's assign names (given as call attributes, or left at the mount defaults),
``id``, ``myself`` and its own ``count`` / ``note``. A class may call the classes after it
(nested components). The page calls them anywhere an element can stand: in conditionals,
in loops (nested ones too), in same-shaped branches, and one component in two places switched by
a condition (it moves). Ids are made from the call site and the loop indexes around it, so
that every render calls each component once (a duplicate would be a generator bug).

What happens is a list of actions, each one message to the server: the page's next assigns
(``assign_sequences``: lists grow, shrink and reorder, so components in loops come and go;
plus ``rows``, distinct numbers that components are keyed by, which move, come and go),
an event a component handles (``count`` + 1, a new ``note``), a ``send_update`` from the page
or from another component. Each action also says how many actions later the client's
``cids_will_destroy`` and ``cids_destroyed`` reach the server, for components its diffs
removed: at once, or after a component came back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from hypothesis import strategies as st

from tests.conformance.strategies import (
    _CHARS,
    Draw,
    Scope,
    Sites,
    _attribute,
    _body,
    _cond,
    _finish,
    _keyed,
    _move,
    _pick,
    _prelude,
    _static,
    assign_sequences,
    component_call,
)

NAMES = ("LcA", "LcB", "LcC")
"""The component classes of a case, by name (a class calls only those after it)."""

ActionKind = Literal["step", "inc", "note", "poke", "cpoke"]


@dataclass(frozen=True)
class ComponentSpec:
    """One component class: its template and how its root element starts."""

    name: str
    source: str
    lead: str  # what comes before the root tag (whitespace, a comment)
    tag: str  # the root element's name
    many: bool  # updated through `update_many` instead of `update`


@dataclass(frozen=True)
class Action:
    """One message to the server.

    ``step``: the page's assigns become ``steps[target]``. ``inc`` / ``note``: an event for the
    component ``target`` (an index into the components on the page, modulo their number) that
    adds 1 to its ``count`` / sets its ``note`` to ``text``. ``poke``: the page sends
    ``send_update(note=text)`` to the component ``target`` (an index into every component seen
    so far, deleted ones too). ``cpoke``: the component ``target`` on the page sends it to the
    component ``other``. ``later``: how many actions after this one the client's
    ``cids_will_destroy`` (for the components this action's diffs removed) reaches the server,
    and how many after that its ``cids_destroyed``."""

    kind: ActionKind
    target: int = 0
    other: int = 0
    text: str = ""
    later: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class ComponentCase:
    """A page template, its component classes, its assigns and the actions."""

    page: str
    components: tuple[ComponentSpec, ...]
    steps: tuple[Mapping[str, Any], ...]  # the page's assigns; steps[0] at mount
    actions: tuple[Action, ...]


_ROOT_TAGS = ["div", "section", "p", "li", "span", "td"]
_LEADS = ["", "", "", "\n", "<!-- c -->\n  "]
_TRAILS = ["", "", "\n", " <!-- end -->"]
_LATER = [0, 0, 0, 1, 2]
_notes = st.text(st.sampled_from(_CHARS), max_size=4)


def _component(draw: Draw, name: str, callees: tuple[str, ...], sites: Sites) -> ComponentSpec:
    tag = _pick(draw, _ROOT_TAGS)
    lead, trail = _pick(draw, _LEADS), _pick(draw, _TRAILS)
    own = Scope(calls=callees, own=True, rooted=True, sites=sites, opaque=False)
    attributes = "".join(_attribute(draw, own) for _ in range(draw(st.integers(0, 2))))
    if draw(st.booleans()):
        attributes += ' phx-target="{{ myself }}"'
    prelude, scope = _prelude(draw, own)  # inside the root: its names are defined after the tag
    body = prelude + _body(draw, scope, 1)
    source = _finish(f"{lead}<{tag}{attributes}>{body}</{tag}>{trail}")
    return ComponentSpec(name, source, lead, tag, draw(st.integers(0, 3)) == 0)


def _loop(draw: Draw, scope: Scope) -> str:
    """A loop with a component in each entry (and maybe more in its body). Over ``rows`` the
    components are keyed by the row (``id=...r``: they follow their row when rows move, as
    with Phoenix's ``id={item.id}``), elsewhere by the position (``loop.index``)."""
    outer = _pick(draw, ["rows", "rows", "xs", "ys", "xs|reverse", "words", "range(n)"])
    if outer in ("words", "range(n)", "rows"):
        var = "r" if outer == "rows" else "w"
        inner = replace(scope.with_scalar(var), loop=True, depth=scope.depth + 1)
    else:
        inner = replace(scope.with_item("x"), loop=True, depth=scope.depth + 1)
        var = "x"
    inner, key = _keyed(inner)
    if outer == "rows":
        key = key.replace("loop.index", "r")
    tag = _static("li")
    body = f"{key}<{tag}>{component_call(draw, inner)}{_body(draw, inner, 2)}</{tag}>"
    loop = f"{{% for {var} in {outer} %}}{body}{{% endfor %}}"
    if draw(st.booleans()):
        loop = f"{{% if {_cond(draw, scope)} %}}<ul>{loop}</ul>{{% endif %}}"
    return loop


def _page(draw: Draw, names: tuple[str, ...], sites: Sites) -> str:
    prelude, scope = _prelude(draw, Scope(calls=names, sites=sites, opaque=False))
    parts = [prelude]
    for _ in range(draw(st.integers(1, 3))):
        kind = _pick(draw, ["body", "loop", "loop", "call", "move"])
        if kind == "body":
            parts.append(_body(draw, scope, 1, min_size=1))
        elif kind == "loop":
            parts.append(_loop(draw, scope))
        elif kind == "call":
            parts.append(component_call(draw, scope))
        else:
            parts.append(_move(draw, scope, 1))
    return _finish("".join(parts))


@st.composite
def _component_action(draw: Draw, later: list[int]) -> Action:
    kind = _pick(draw, ["inc", "inc", "note", "poke", "poke", "cpoke"])
    return Action(
        kind,
        target=draw(st.integers(0, 7)),
        other=draw(st.integers(0, 7)),
        text=draw(_notes),
        later=(_pick(draw, later), _pick(draw, later)),
    )


@st.composite
def component_cases(draw: Draw, max_steps: int = 6, max_between: int = 2) -> ComponentCase:
    """A case: classes, a page, its assigns (a join state and up to ``max_steps``
    transitions), and the actions: each transition, with up to ``max_between`` component
    actions before it (and after the last)."""
    sites = Sites()
    names = NAMES[: draw(st.integers(1, len(NAMES)))]
    components = tuple(
        _component(draw, name, names[index + 1 :], sites) for index, name in enumerate(names)
    )
    page = _page(draw, names, sites)
    return _with_actions(draw, page, components, max_steps, max_between, _LATER)


@st.composite
def lifecycle_cases(draw: Draw) -> ComponentCase:
    """Cases where components come and go: the page is loops of components (one or two
    classes, the second maybe nested in the first) and a component that moves; more steps,
    and the client's lifetime messages later more often."""
    sites = Sites()
    names = NAMES[: draw(st.integers(1, 2))]
    components = tuple(
        _component(draw, name, names[index + 1 :], sites) for index, name in enumerate(names)
    )
    prelude, scope = _prelude(draw, Scope(calls=names, sites=sites, opaque=False))
    parts = [prelude, _loop(draw, scope)]
    if draw(st.booleans()):
        parts.append(_move(draw, scope, 1))
    if draw(st.booleans()):
        parts.append(_loop(draw, scope))
    page = _finish("".join(parts))
    return _with_actions(draw, page, components, 8, 1, [0, 1, 1, 2, 3])


_ROWS = st.lists(st.integers(0, 6), unique=True, max_size=5)


def _next_rows(draw: Draw, rows: list[int]) -> list[int]:
    """The rows of the next step: the same, reordered, one more, one less, or new ones."""
    rows = list(rows)
    change = _pick(draw, ["same", "shuffle", "add", "remove", "new"])
    if change == "shuffle":
        rows = list(draw(st.permutations(rows)))
    elif change == "add":
        free = [row for row in range(7) if row not in rows]
        if free:
            rows.insert(draw(st.integers(0, len(rows))), _pick(draw, free))
    elif change == "remove" and rows:
        del rows[draw(st.integers(0, len(rows) - 1))]
    elif change == "new":
        rows = draw(_ROWS)
    return rows


def _with_actions(
    draw: Draw,
    page: str,
    components: tuple[ComponentSpec, ...],
    max_steps: int,
    max_between: int,
    later: list[int],
) -> ComponentCase:
    assigns = [dict(step.assigns) for step in draw(assign_sequences(max_steps=max_steps))]
    rows: list[int] = draw(_ROWS)
    for step in assigns:
        step["rows"] = rows
        rows = _next_rows(draw, rows)
    steps = tuple(assigns)
    actions: list[Action] = []
    for index in range(1, len(steps) + 1):
        actions += draw(st.lists(_component_action(later), max_size=max_between))
        if index < len(steps):
            when = (_pick(draw, later), _pick(draw, later))
            actions.append(Action("step", target=index, later=when))
    return ComponentCase(page, components, steps, tuple(actions))
