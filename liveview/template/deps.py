"""Which assigns each step reads, so a diff render can skip steps whose inputs did not change.

Two passes. While compiling (forward), ``Bindings`` resolves every name an expression loads to
the assign names it really depends on: a loop variable depends on the loop's iterable (and its
``if`` filter), a ``{% set %}`` name on its value expression, anything else is an assign (or a
global) of that name. While finalizing (backward, ``finalize``), each step gets its evaluation
condition ``deps``: its own reads, those of its nested blocks, and for a step that binds names
(``set``, an ``if`` whose branches set), the conditions of every later step reading them — a
``set`` is evaluated exactly when something that uses it is.

``None`` means "always": reads that cannot be known (``include``, macros, namespaces mutated by
``{% set ns.x %}``). Over-approximating is always safe; it only costs evaluations.
"""

from __future__ import annotations

from collections.abc import Iterable

from jinja2 import nodes

from .slots import EMPTY, Block, Deps


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


class Bindings:
    """A compile-time scope: name -> the deps its current value was computed from."""

    def __init__(self, parent: Bindings | None, always: frozenset[str]) -> None:
        self.parent = parent
        self.always = always
        self.names: dict[str, Deps] = {}

    def child(self) -> Bindings:
        return Bindings(self, self.always)

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


def finalize(block: Block, need: dict[str, Deps] | None = None, need_all: Deps = EMPTY) -> Deps:
    """Set ``deps`` on every step of ``block`` (recursively); return the block's union.

    ``need`` maps names to the conditions of steps *after* this block that read them (only
    non-empty for ``if`` branches, whose sets leak out); ``need_all`` is the condition of later
    steps that may read any name.
    """
    need = dict(need or {})
    total: Deps = EMPTY
    for step in reversed(block.steps):
        inner: Deps = EMPTY
        for child in step.children:
            if step.leaky:
                inner = union(inner, finalize(child, need, need_all))
            else:
                inner = union(inner, finalize(child))
        condition = union(step.own, inner)
        if step.binds:
            condition = union(condition, need_all, *(need.get(name, EMPTY) for name in step.binds))
        step.deps = condition
        total = union(total, condition)
        if condition is None or step.names is None:
            # An always-evaluated step may call macros or include files: it may read anything.
            need_all = union(need_all, condition)
        else:
            for name in step.names:
                need[name] = union(need.get(name, EMPTY), condition)
    return total
