"""When a macro call or an ``{% include %}`` can be compiled in place, decided from the source.

The compiler compiles a macro's body at each call site, and an included template where it is
included (``functions``), only when the result is certain to be Jinja's; anything else stays
what Jinja renders. This module reads templates and says which shapes qualify:

* a macro defined once at the top level of the page (its name stored nowhere else), called as
  a whole expression, ``{{ card(a, n=b) }}``, after its definition, without ``*args`` or
  ``**kwargs`` at the call; its body made only of text, expressions, ``if``, ``for`` and
  ``set``, and storing no name the page's top level stores (where the macro reads them);
* a macro imported from a template the loader finds, without context
  (``{% from "m.html" import card %}``, ``{% import "m.html" as m %}{{ m.card() }}``), whose
  body also reads no variable of its own template other than macros it calls the same way
  (and not in a cycle);
* ``{% include "row.html" %}`` with a constant name, with context, not ``ignore missing``,
  of a template the loader finds and Jinja compiles, without ``extends``, blocks,
  recursive loops or loop controls, and not already being included (no recursion).

Every template involved must autoescape, as the page does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import jinja2
from jinja2 import nodes
from jinja2.compiler import find_undeclared
from jinja2.idtracking import VAR_LOAD_UNDEFINED, symbols_for_node

from .deps import names_in, stateful_names

_BODY_STATEMENTS = (nodes.Output, nodes.If, nodes.For, nodes.Assign, nodes.AssignBlock)
"""What a compiled macro body may hold: statements this engine compiles itself."""

_CONTEXT_READERS = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Macro, nodes.CallBlock)
"""Statements that read or capture the whole context, not allowed in a set block of a
compiled macro (they would see the page's context, not the macro's)."""

_NOT_INLINED = (nodes.Extends, nodes.Block, nodes.Break, nodes.Continue)


def stores(node: nodes.Node) -> Iterator[str]:
    """The names one statement binds in the frame it is in (not in frames of its own)."""
    if isinstance(node, (nodes.Assign, nodes.AssignBlock)):
        yield from (name.name for name in _names(node.target) if name.ctx == "store")
    elif isinstance(node, nodes.Macro):
        yield node.name
    elif isinstance(node, nodes.Import):
        yield node.target
    elif isinstance(node, nodes.FromImport):
        for name in node.names:
            yield name if isinstance(name, str) else name[1]


def stored_anywhere(tree: nodes.Node) -> Counter[str]:
    """How many statements store each name, in any frame (loop and ``with`` targets too)."""
    counts: Counter[str] = Counter()
    for node in tree.find_all(nodes.Stmt):
        counts.update(stores(node))
        if isinstance(node, (nodes.For, nodes.With)):
            targets = [node.target] if isinstance(node, nodes.For) else node.targets
            for target in targets:
                counts.update(name.name for name in _names(target) if name.ctx == "store")
    return counts


def _names(node: nodes.Node) -> Iterator[nodes.Name]:
    if isinstance(node, nodes.Name):
        yield node
    yield from node.find_all(nodes.Name)


def _body_stores(body: Iterable[nodes.Node]) -> frozenset[str]:
    """Every name a macro body stores, in any frame inside it."""
    found: set[str] = set()
    for node in body:
        found |= set(stored_anywhere(nodes.Template([node])))
    return frozenset(found)


def call_target(expr: nodes.Node) -> tuple[str, str | None] | None:
    """``("card", None)`` for ``card(...)``, ``("m", "card")`` for ``m.card(...)``: the shape
    of a call that may be compiled (no ``*args``/``**kwargs``, no repeated keyword)."""
    if not isinstance(expr, nodes.Call) or expr.dyn_args or expr.dyn_kwargs:
        return None
    keys = [keyword.key for keyword in expr.kwargs]
    if len(set(keys)) != len(keys):
        return None
    callee = expr.node
    if isinstance(callee, nodes.Name) and callee.ctx == "load":
        return callee.name, None
    if isinstance(callee, nodes.Getattr) and isinstance(callee.node, nodes.Name):
        return callee.node.name, callee.attr
    return None


def _body_is_compiled(body: Iterable[nodes.Node]) -> bool:
    """True if every statement in ``body`` is one this engine compiles itself."""
    for node in body:
        if not isinstance(node, _BODY_STATEMENTS):
            return False
        if isinstance(node, nodes.AssignBlock) and any(node.find_all(_CONTEXT_READERS)):
            return False
        if isinstance(node, nodes.For) and node.recursive:
            return False
        if isinstance(node, nodes.If) and not all(
            map(_body_is_compiled, (node.body, *(arm.body for arm in node.elif_), node.else_))
        ):
            return False
        if isinstance(node, nodes.For) and not (
            _body_is_compiled(node.body) and _body_is_compiled(node.else_)
        ):
            return False
    return True


def autoescapes(environment: jinja2.Environment, name: str | None) -> bool:
    """Whether Jinja autoescapes the template ``name`` (compiled macros and includes are
    escaped by this engine, so only such templates are compiled in place)."""
    setting = environment.autoescape
    return bool(setting(name) if callable(setting) else setting)


@dataclass(eq=False)
class Unit:
    """One template source the compiler reads: the page, or a template it includes or imports."""

    environment: jinja2.Environment
    name: str | None
    filename: str | None
    source: str
    tree: nodes.Template
    globals_only: bool = False
    """An imported module (without context): its macros see only globals."""

    stored: Counter[str] = field(init=False)
    """How many statements store each name, anywhere in the template."""
    top: frozenset[str] = field(init=False)
    """The names its top-level frame stores (what its macros read there: Jinja's closure)."""
    unset: frozenset[str] = field(init=False)
    """Those of ``top`` that Jinja leaves undefined until stored; the others start from the
    context (an assign), as the top level reads them before storing them, or stores them in
    a branch."""
    always: frozenset[str] = field(init=False)
    """Its stateful names (``deps.stateful_names``)."""
    macros: dict[str, MacroDef] = field(init=False)
    """Its top-level macros defined once, compilable or not."""

    def __post_init__(self) -> None:
        self.stored = stored_anywhere(self.tree)
        # Jinja's own analysis of the top-level frame (what its code generator declares).
        symbols = symbols_for_node(self.tree)
        self.top = frozenset(symbols.stores)
        self.unset = frozenset(
            name
            for name in symbols.stores
            if symbols.loads.get(symbols.refs[name], (None,))[0] == VAR_LOAD_UNDEFINED
        )
        self.always = stateful_names(self.tree)
        self.eval_ctx = nodes.EvalContext(self.environment, self.name)
        self.autoescape = autoescapes(self.environment, self.name)
        self.macros = {
            node.name: MacroDef(node, self)
            for node in self.tree.body
            if isinstance(node, nodes.Macro) and self.stored[node.name] == 1
        }
        _find_changing(self)
        if self.globals_only:
            _check_module(self)


class MacroDef:
    """A macro as its definition says: how calls bind, and whether its body can be compiled."""

    def __init__(self, node: nodes.Macro, unit: Unit) -> None:
        self.node = node
        self.unit = unit
        self.params = tuple(arg.name for arg in node.args)
        special = find_undeclared(node.body, ("caller", "kwargs", "varargs"))
        self.caller = "caller" in special
        self.catch_kwargs = "kwargs" in special and "kwargs" not in self.params
        self.catch_varargs = "varargs" in special and "varargs" not in self.params
        self.names = (
            *self.params,
            *(["caller"] if self.caller and "caller" not in self.params else []),
            *(["kwargs"] if self.catch_kwargs else []),
            *(["varargs"] if self.catch_varargs else []),
        )
        first_default = len(self.params) - len(node.defaults)
        self.defaults = {
            name: node.defaults[index - first_default]
            for index, name in enumerate(self.params)
            if index >= first_default
        }
        # Whether a call may change an argument in place (``items.append(x)`` on a parameter):
        # then what the caller passes is stateful there too (``_find_changing``).
        self.changes_arguments = bool(set(self.params) & stateful_names(node))
        self.locals = _body_stores(node.body)
        self.free = names_in(node.body, node.defaults) - set(self.names) - self.locals
        self.compiled = (
            _body_is_compiled(node.body)
            and not names_in(node.defaults) & self.locals
            and not self.locals & unit.top
            and "caller" not in self.params  # Jinja binds an explicit caller its own way
            and unit.autoescape
        )

    def callees(self) -> Iterator[tuple[str, bool]]:
        """Each name the body loads that its template's top level stores, and whether that
        load is the callee of a whole-expression call (``{{ name(...) }}``)."""
        called: set[int] = set()
        for output in self.node.find_all(nodes.Output):
            for child in output.nodes:
                target = call_target(child)
                if target is not None and target[1] is None:
                    assert isinstance(child, nodes.Call)
                    called.add(id(child.node))
        for name in self.node.find_all(nodes.Name):
            if name.ctx == "load" and name.name in self.free and name.name in self.unit.top:
                yield name.name, id(name) in called


def call_arguments(call: nodes.Call) -> frozenset[str]:
    """Every name a call's arguments load."""
    values = [keyword.value for keyword in call.kwargs]
    return names_in(call.args, values, call.dyn_args, call.dyn_kwargs)


def _find_changing(unit: Unit) -> None:
    """A macro passing a parameter to a macro of its template that changes it in place changes
    it too."""
    changed = True
    while changed:
        changed = False
        for macro in unit.macros.values():
            if macro.changes_arguments:
                continue
            for call in macro.node.find_all(nodes.Call):
                name = call.node.name if isinstance(call.node, nodes.Name) else None
                callee = unit.macros.get(name) if name is not None else None
                passes = callee is not None and call_arguments(call) & set(macro.params)
                if passes and callee is not None and callee.changes_arguments:
                    macro.changes_arguments = changed = True
                    break


def _check_module(unit: Unit) -> None:
    """An imported macro reads nothing of its template but macros it calls as whole
    expressions, themselves compiled, none calling back: otherwise it is not compiled."""
    visiting: set[str] = set()

    def compiled(name: str) -> bool:
        macro = unit.macros.get(name)
        if macro is None or not macro.compiled:
            return False
        if name in visiting:
            return False  # a cycle: recursion is left to Jinja
        visiting.add(name)
        ok = all(called and compiled(callee) for callee, called in macro.callees())
        visiting.discard(name)
        macro.compiled = ok
        return ok

    for name in list(unit.macros):
        compiled(name)


@dataclass(frozen=True)
class ModuleRef:
    """``{% import "m.html" as m %}``: ``m.card(...)`` calls ``unit.macros["card"]``."""

    unit: Unit


Callee = MacroDef | ModuleRef


def include_name(node: nodes.Include) -> str | None:
    """The template an include names, when it is a shape that may be compiled in place."""
    template = node.template
    if node.ignore_missing or not node.with_context or not isinstance(template, nodes.Const):
        return None
    return template.value if type(template.value) is str else None


def import_name(node: nodes.Import | nodes.FromImport) -> str | None:
    """The template an import names, when its macros may be compiled at call sites."""
    template = node.template
    if node.with_context or not isinstance(template, nodes.Const):
        return None
    return template.value if type(template.value) is str else None


def load(
    environment: jinja2.Environment, name: str, parent: str | None, globals_only: bool
) -> Unit | None:
    """The template ``name`` (as ``{% include %}`` in ``parent`` finds it) as a unit, or
    ``None`` if it cannot be compiled in place: then Jinja renders the statement, and raises
    what it raises at render time (a missing template, a syntax error)."""
    if environment.loader is None:
        return None
    try:
        joined = environment.join_path(name, parent) if parent is not None else name
        source, filename, _ = environment.loader.get_source(environment, joined)
        environment.compile(source, joined, filename)  # whatever Jinja refuses stays Jinja's
        tree = environment.parse(source, joined, filename)
    except Exception:  # any failure: the statement stays Jinja's
        return None
    if not autoescapes(environment, joined) or any(tree.find_all(_NOT_INLINED)):
        return None
    if any(loop.recursive for loop in tree.find_all(nodes.For)):
        return None
    return Unit(environment, joined, filename, source, tree, globals_only)
