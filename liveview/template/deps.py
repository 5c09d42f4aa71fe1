"""Which assigns each step reads, so a diff render can skip steps whose inputs did not change.

Two passes. While compiling (forward), ``Bindings`` resolves every name an expression loads to
the assign names it really depends on: a loop variable depends on the loop's iterable (and its
``if`` filter), a ``{% set %}`` name on its value expression, anything else is an assign (or a
global) of that name. While finalizing (backward, ``finalize``), each step gets its evaluation
condition ``deps``: its own reads, those of its nested blocks, and for a step that binds names
(``set``, an ``if`` whose branches set), the conditions of every later step reading them — a
``set`` is evaluated exactly when something that uses it is.

``None`` means "always": reads that cannot be known (an include or macro call Jinja renders
itself, namespaces mutated by ``{% set ns.x %}``). Over-approximating is always safe; it only
costs evaluations. A macro call or include compiled in place (``inplace``) is a block like any
other: its reads are known, in the caller's terms.

Stateful objects: Jinja semantics win over change tracking. Some objects change with every use
within one render: ``joiner()`` and ``cycler()`` objects, ``loop.changed``, ``namespace``
objects assigned with ``{% set ns.x = ... %}``, and containers mutated in place
(``{% set _ = seen.append(x) %}``). What a call on one returns depends on every call before it
in the render, so a diff must make exactly the calls a full render makes, in the same order.
The rule (``stateful_names``, ``mentions_changed``): a name that may hold such an object is
*stateful* and resolves to ``None`` —

* template-wide: the globals ``joiner`` and ``cycler``, every ``ns`` of a ``{% set ns.x %}``,
  and the root name of every receiver of a mutating method (``append``, ``update``, ``pop``...,
  also via ``x["append"]`` or ``x|attr("append")``, called or not);
* in the body of a loop that mentions ``changed`` anywhere (``loop.changed``, an alias of
  ``loop``, ``|attr("changed")``...): that loop's ``loop``.

``None`` spreads through bindings (``{% set j = joiner() %}`` makes ``j`` stateful), so every
step that reads a stateful name is evaluated on every diff, with every ``if``/``for`` around it
(a container's condition includes its children's) — and so is a ``set`` (or set block) whose
value reads one, even if nothing reads the name it binds (its call still counts). Blocks
evaluate their steps in document order and loops every entry in order, so a diff makes the
same calls in the same order, with the same arguments (the ``set``s they read are evaluated
with them), as a full render: the output equals the full render's. This is enough: a stateful
object is only reachable through those names (an included template's own count too, as it is
compiled in place) — or through macro calls, includes and other statements Jinja renders
itself, which are evaluated on every diff anyway. Steps that cannot reach one are
still skipped (they neither call it nor see its state), and a diff still emits only what
differs from the prints. Not detected: stateful objects from assigns or environment globals
of your own (their state also outlives one render, so no render of them is reproducible).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from jinja2 import nodes

from .slots import EMPTY, Block, Deps, JinjaStep, SetStep, Step

STATEFUL_GLOBALS: Final = frozenset({"joiner", "cycler"})
"""Jinja globals returning objects whose calls depend on the calls before them."""

MUTATORS: Final = frozenset(
    {
        "append",
        "extend",
        "insert",
        "pop",
        "popitem",
        "remove",
        "clear",
        "update",
        "setdefault",
        "add",
        "discard",
        "sort",
        "reverse",
        "__setitem__",
        "__delitem__",
        "__iadd__",
    }
)
"""Methods that change a list, dict or set in place: their receiver is stateful."""


def union(*parts: Deps) -> Deps:
    """Union of dependency sets, where ``None`` (always) absorbs everything."""
    result: set[str] = set()
    for part in parts:
        if part is None:
            return None
        result |= part
    return frozenset(result)


def names_in(*trees: nodes.Node | Iterable[nodes.Node] | None) -> frozenset[str]:
    """Every variable name loaded anywhere in the given nodes (namespace refs included)."""
    found: set[str] = set()
    for tree in trees:
        if tree is None:
            continue
        for node in [tree] if isinstance(tree, nodes.Node) else tree:
            for found_node in (node, *node.find_all((nodes.Name, nodes.NSRef))):
                if isinstance(found_node, nodes.NSRef) or (
                    isinstance(found_node, nodes.Name) and found_node.ctx == "load"
                ):
                    found.add(found_node.name)
    return frozenset(found)


def _accessed(node: nodes.Node) -> tuple[nodes.Node, str] | None:
    """``(receiver, name)`` if ``node`` reads an attribute named by a constant: ``x.name``,
    ``x["name"]``, ``x|attr("name")``."""
    if isinstance(node, nodes.Getattr):
        return node.node, node.attr
    if isinstance(node, nodes.Getitem):
        key = node.arg
    elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
        key = node.args[0]
    else:
        return None
    if node.node is None or not isinstance(key, nodes.Const) or type(key.value) is not str:
        return None
    return node.node, key.value


def _root_name(node: nodes.Node) -> str | None:
    """The variable at the root of ``a.b["c"]|attr("d")``-like chains, if any."""
    while True:
        if isinstance(node, nodes.Name):
            return node.name
        if isinstance(node, nodes.NSRef):
            return node.name
        if isinstance(node, (nodes.Getattr, nodes.Getitem, nodes.Filter)) and node.node:
            node = node.node
            continue
        return None


def stateful_names(tree: nodes.Node) -> frozenset[str]:
    """The names that are stateful throughout the template (see the module docstring)."""
    found: set[str] = set()
    kinds = (nodes.NSRef, nodes.Name, nodes.Getattr, nodes.Getitem, nodes.Filter)
    for node in tree.find_all(kinds):
        if isinstance(node, nodes.NSRef):
            found.add(node.name)
        elif isinstance(node, nodes.Name):
            if node.ctx == "load" and node.name in STATEFUL_GLOBALS:
                found.add(node.name)
        else:
            access = _accessed(node)
            if access is not None and access[1] in MUTATORS:
                root = _root_name(access[0])
                if root is not None:
                    found.add(root)
    return frozenset(found)


def mentions_changed(body: Iterable[nodes.Node]) -> bool:
    """True if ``changed`` appears as an attribute or string anywhere in ``body`` (then the
    loop's ``loop`` is stateful: ``loop.changed`` and its aliases)."""
    for node in body:
        for found in (node, *node.find_all((nodes.Getattr, nodes.Const))):
            if isinstance(found, nodes.Getattr) and found.attr == "changed":
                return True
            if isinstance(found, nodes.Const) and found.value == "changed":
                return True
    return False


def _reads_anything(step: Step) -> bool:
    """True if ``step`` may read names it does not list: an opaque statement, a macro call (a
    macro reads the context), a stateful name... anywhere inside it."""
    if step.facts.names is None or step.facts.own is None:
        return True
    return any(_reads_anything(inner) for child in step.facts.children for inner in child.steps)


def fresh_names(body: Block, bound: Iterable[str]) -> tuple[str, ...]:
    """Which of the names a loop body binds (``bound``) need resetting before each iteration.

    Each iteration starts from the scope outside the loop (Jinja's scoping), so a name the body
    binds must be put back to its outside value unless nothing can read it before the body
    binds it again: the names the body reads (or may read) before an unconditional ``set`` of
    them at its top level. A loop whose body only reads what it has just set costs nothing.
    """
    pending = set(bound)
    fresh: set[str] = set()
    for step in body.steps:
        if not pending:
            break
        if _reads_anything(step):
            fresh |= pending
            break
        facts = step.facts
        assert facts.names is not None
        fresh |= pending & facts.names
        if type(step) is SetStep or type(step) is JinjaStep:
            pending -= facts.binds
    return tuple(sorted(fresh))


class Bindings:
    """A compile-time scope: name -> the deps its current value was computed from.

    ``top`` is the nearest scope of the page template's root frame (itself, or an ``if``
    branch of it): where a macro of the page reads the template's own variables, whatever
    loop or include it is called from (see ``functions``).
    """

    def __init__(
        self, parent: Bindings | None, always: frozenset[str], top: Bindings | None = None
    ) -> None:
        self.parent = parent
        self.always = always
        self.names: dict[str, Deps] = {}
        self.top: Bindings = self if top is None else top

    def child(self) -> Bindings:
        """A scope in the same Jinja frame (an ``if`` branch: its sets leak out)."""
        return Bindings(self, self.always, None if self.top is self else self.top)

    def frame(self, always: frozenset[str] = EMPTY) -> Bindings:
        """A scope in a new Jinja frame (a loop body, an included template), seeing this one;
        ``always`` adds stateful names (an included template's own)."""
        return Bindings(self, self.always | always, self.top)

    def resolve(self, name: str) -> Deps:
        if name in self.always:
            return None
        scope: Bindings | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return frozenset((name,))

    def deps(self, *trees: nodes.Node | Iterable[nodes.Node] | None) -> Deps:
        """The assign names the given nodes depend on, through local bindings."""
        return union(*(self.resolve(name) for name in names_in(*trees)))

    def bind(self, name: str, deps: Deps) -> None:
        self.names[name] = deps


def block_names(*blocks: Block) -> frozenset[str] | None:
    """The raw names the steps of ``blocks`` load, nested blocks included (``None``: any)."""
    found: set[str] = set()
    for block in blocks:
        for step in block.steps:
            names = step.facts.names
            if names is None:
                return None
            found |= names
    return frozenset(found)


def finalize(block: Block, need: dict[str, Deps] | None = None, need_all: Deps = EMPTY) -> Deps:
    """Set ``deps`` on every step of ``block`` (recursively); return the block's union.

    ``need`` maps names to the conditions of steps *after* this block that read them (only
    non-empty for ``if`` branches, whose sets leak out); ``need_all`` is the condition of later
    steps that may read any name.
    """
    need = dict(need or {})
    total: Deps = EMPTY
    for step in reversed(block.steps):
        facts = step.facts
        inner: Deps = EMPTY
        for child in facts.children:
            if facts.leaky:
                inner = union(inner, finalize(child, need, need_all))
            else:
                inner = union(inner, finalize(child))
        condition = union(facts.own, inner)
        if facts.binds:
            condition = union(condition, need_all, *(need.get(name, EMPTY) for name in facts.binds))
        step.deps = condition
        total = union(total, condition)
        if condition is None or facts.names is None:
            # An always-evaluated step may call macros or include files: it may read anything.
            need_all = union(need_all, condition)
        else:
            for name in facts.names:
                need[name] = union(need.get(name, EMPTY), condition)
    return total
