"""Compiling macro calls and includes in place: the compiler's side of function components.

``inline`` says which shapes qualify, ``functions`` renders them; this walks them: a macro's
body compiled at its call site, in bindings where each parameter depends on its argument, an
included template compiled where it is included, in a frame of the bindings there. The
compiler keeps where it is (``Place``: which template's source, what a call there may
compile); these functions move it in and out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jinja2 import nodes

from .codegen import Evaluator
from .deps import Bindings, block_names, names_in, union
from .functions import Binder, IncludeSlot, MacroSlot
from .inline import (
    Callee,
    MacroDef,
    ModuleRef,
    Unit,
    call_arguments,
    call_target,
    import_name,
    include_name,
    load,
)
from .slots import EMPTY, StepFacts

if TYPE_CHECKING:
    from .compiler import _Builder, _Compiler


@dataclass(frozen=True)
class Place:
    """Where the compiler is: whose source it reads, the macros a call there may compile (by
    the name the call uses), and what is being compiled in place around it (a macro, or an
    included template's name), never compiled again inside itself."""

    unit: Unit
    callables: dict[str, Callee]
    around: tuple[MacroDef | str, ...] = ()


def _never_called(*arguments: object) -> str:
    raise AssertionError("a Binder only binds arguments")


def loaded(compiler: _Compiler, name: str, parent: str | None, globals_only: bool) -> Unit | None:
    """The template ``name`` as ``parent`` includes or imports it, loaded once."""
    key = (parent, name, globals_only)
    if key not in compiler.loaded:
        compiler.loaded[key] = load(compiler.environment, name, parent, globals_only)
    return compiler.loaded[key]


def stateful(compiler: _Compiler, unit: Unit, seen: set[str | None]) -> frozenset[str]:
    """The stateful names of ``unit`` (``deps.stateful_names``), with what it passes to a
    macro that changes an argument in place (``add(seen, x)`` appending to ``seen``), and those
    of every template it includes in place (a list an included template appends to is
    stateful in the page too)."""
    found = set(unit.always)
    seen.add(unit.name)
    macros: dict[str, MacroDef] = dict(unit.macros)
    modules: dict[str, Unit] = {}
    for node in unit.tree.body:
        if not isinstance(node, (nodes.Import, nodes.FromImport)):
            continue
        name = import_name(node)
        module = None if name is None else loaded(compiler, name, unit.name, True)
        if module is None:
            continue
        if isinstance(node, nodes.Import):
            modules[node.target] = module
            continue
        for imported in node.names:
            name, alias = (imported, imported) if isinstance(imported, str) else imported
            if name in module.macros:
                macros[alias] = module.macros[name]
    for call in unit.tree.find_all(nodes.Call):
        target, macro = call.node, None
        if isinstance(target, nodes.Name):
            macro = macros.get(target.name)
        elif isinstance(target, nodes.Getattr) and isinstance(target.node, nodes.Name):
            module = modules.get(target.node.name)
            macro = None if module is None else module.macros.get(target.attr)
        if macro is not None and macro.changes_arguments:
            found |= call_arguments(call)
    for node in unit.tree.find_all(nodes.Include):
        name = include_name(node)
        included = None if name is None else loaded(compiler, name, unit.name, False)
        if included is not None and included.name not in seen:
            found |= stateful(compiler, included, seen)
    return frozenset(found)


def register(compiler: _Compiler, node: nodes.Node) -> None:
    """After a top-level statement: the macros it makes callable in place from here on."""
    unit, callables = compiler.place.unit, compiler.place.callables
    if isinstance(node, nodes.Macro):
        macro = unit.macros.get(node.name)
        if macro is not None and unit is compiler.page:
            callables[node.name] = macro
        return
    if not isinstance(node, (nodes.Import, nodes.FromImport)):
        return
    name = import_name(node)
    module = None if name is None else loaded(compiler, name, unit.name, True)
    if module is None:
        return
    if isinstance(node, nodes.Import):
        if unit.stored[node.target] == 1:
            callables[node.target] = ModuleRef(module)
        return
    for imported in node.names:
        name, alias = (imported, imported) if isinstance(imported, str) else imported
        macro = module.macros.get(name)
        if macro is not None and not name.startswith("_") and unit.stored[alias] == 1:
            callables[alias] = macro


EXPANSIONS = 2000
"""Macro calls and includes compiled in place per template, at most: past it (macros calling
one another many times over), the others stay Jinja's, so a template compiles in bounded
time and size."""


def callee(compiler: _Compiler, expr: nodes.Node) -> MacroDef | None:
    """The macro ``expr`` calls, if the call is compiled in place (``inline``)."""
    target = call_target(expr)
    if target is None or not compiler.place.unit.autoescape or compiler.expansions >= EXPANSIONS:
        return None
    name, attribute = target
    found = compiler.place.callables.get(name)
    if attribute is not None:
        if not isinstance(found, ModuleRef) or attribute.startswith("_"):
            return None
        found = found.unit.macros.get(attribute)
    if not isinstance(found, MacroDef) or not found.compiled or found in compiler.place.around:
        return None
    return found


def macro_call(
    compiler: _Compiler,
    call: nodes.Call,
    macro: MacroDef,
    builder: _Builder,
    scope: Bindings,
    soft: bool,
) -> None:
    """``{{ macro(...) }}``: a slot holding the macro's body, compiled here. Each parameter
    depends on its argument (or its default); a name the body reads of the page's top
    level on what it is there now; any other name is an assign (a global, when the macro
    is imported)."""
    compiler.expansions += 1
    unit, page = macro.unit, macro.unit is compiler.page
    arg_deps = [scope.deps(arg) for arg in call.args]
    keyword_deps = {keyword.key: scope.deps(keyword.value) for keyword in call.kwargs}
    inner = Bindings(None, scope.always | unit.always, scope.top)
    for name in sorted(macro.free):
        if not page:
            inner.bind(name, EMPTY)
        elif name in unit.top:
            inner.bind(name, scope.top.resolve(name))
    own = union(*arg_deps, *keyword_deps.values())
    defaulted: list[str] = []
    for index, name in enumerate(macro.params):
        if index < len(arg_deps):
            deps = union(arg_deps[index], keyword_deps.get(name, EMPTY))
        elif name in keyword_deps:
            deps = keyword_deps[name]
        else:  # Jinja evaluates the default at each call: with the call, its deps count
            defaulted.append(name)
            default = macro.defaults.get(name)
            deps = EMPTY if default is None else inner.deps(default)
            own = union(own, deps)
        inner.bind(name, deps)
    if macro.caller:
        inner.bind("caller", keyword_deps.get("caller", EMPTY))
    if macro.catch_kwargs:
        inner.bind("kwargs", union(*keyword_deps.values()))
    if macro.catch_varargs:
        inner.bind("varargs", union(*arg_deps[len(macro.params) :]))
    reachable = compiler.page_callables if page else unit.macros
    callables: dict[str, Callee] = {
        name: callee
        for name, callee in reachable.items()
        if name not in macro.names and name not in macro.locals
    }
    outer = compiler.place
    compiler.place = Place(unit, callables, (*outer.around, macro))
    body, body_deps = compiler.block(macro.node.body, inner, soft=True)
    defaults = [
        (name, compiler.expression(macro.defaults[name], True) if name in macro.defaults else None)
        for name in defaulted
    ]
    compiler.place = outer
    args = [compiler.expression(arg, soft) for arg in call.args]
    keywords = [(keyword.key, compiler.expression(keyword.value, soft)) for keyword in call.kwargs]
    static = len(call.args) <= len(macro.params) and macro.names == macro.params
    static = static and all(name in macro.params[len(call.args) :] for name in keyword_deps)
    binder = None
    if not static:  # Jinja binds them at each call (and raises what it raises)
        binder = Binder(
            compiler.environment,
            _never_called,
            macro.node.name,
            list(macro.params),
            macro.catch_kwargs,
            macro.catch_varargs,
            macro.caller,
        )
    names = union(
        names_in(call.args, [keyword.value for keyword in call.kwargs]),
        names_in(list(macro.defaults.values())),
        block_names(body),
    )
    facts = StepFacts(own=own, names=names, children=(body,), value_deps=union(own, body_deps))
    stored, unset = (unit.top, unit.unset) if page else (EMPTY, EMPTY)
    slot = MacroSlot(binder, macro.names, body, stored, unset, not page, facts)

    def fix(fns: Sequence[Evaluator]) -> None:
        slot.args = [fns[index] for index in args]
        slot.keywords = [(key, fns[index]) for key, index in keywords]
        slot.defaults = [(name, None if index is None else fns[index]) for name, index in defaults]

    compiler.fixups.append(fix)
    builder.add_slot(slot)


def include(compiler: _Compiler, node: nodes.Include, builder: _Builder, scope: Bindings) -> None:
    """``{% include "name" %}``: a slot holding the included template compiled here, seeing
    the names visible here, its own sets staying in it."""
    name = include_name(node)
    unit = None if name is None else loaded(compiler, name, compiler.place.unit.name, False)
    if unit is None or unit.name in compiler.place.around or compiler.expansions >= EXPANSIONS:
        compiler.opaque(node, builder, scope)
        return
    compiler.expansions += 1
    inner = scope.frame(unit.always)
    callables = {
        called: callee
        for called, callee in compiler.place.callables.items()
        if not unit.stored[called]
    }
    outer = compiler.place
    compiler.place = Place(unit, callables, (*outer.around, unit.name or ""))
    body, body_deps = compiler.block(unit.tree.body, inner, soft=True, top=True)
    compiler.place = outer
    names = block_names(body)
    facts = StepFacts(own=EMPTY, names=names, children=(body,), value_deps=body_deps)
    builder.add_slot(IncludeSlot(body, facts))
