"""Jinja source -> a tree of ``Block``s (statics + dynamic slots), using Jinja's own parser.

Mapping of Jinja's AST:

* ``Output``: template text becomes statics; each expression becomes one slot (constant
  expressions are folded into the statics, as Jinja itself folds them), a ``urls.UrlSlot``
  where it can begin the value of a URL attribute (``htmlscan`` follows the HTML to know);
* ``If``/``elif``/``else``: one slot holding the chosen branch's node (each branch is a block);
  an ``if`` whose branches only ``set`` becomes a silent step with no slot;
* ``For`` (tuple targets, ``loop``, ``if`` filter, ``else``): one slot holding a comprehension
  whose entries share the body block's statics; what the body binds is local to one
  iteration (each starts from the scope outside the loop, as in Jinja);
* ``Assign`` (``{% set %}``): a silent step binding names for later slots;
* ``AssignBlock``, ``{% set ns.attr %}``, ``macro``, ``import``: silent steps Jinja compiles
  and runs (a macro in a context that keeps the variables of where it is defined);
* a call of a macro as a whole expression (``{{ card(x) }}``) and ``{% include "name" %}``:
  when ``inline`` finds the shape certain, a slot holding the macro's body, or the included
  template, compiled in place as a block of its own (``functions``);
* anything else (``call``, ``with``, ``filter``, an include of a computed name...): one
  opaque slot Jinja renders to a string, re-evaluated on every render;
* ``extends``/``block`` and recursive loops are rejected.

Stateful helpers (``joiner``, ``cycler``, ``loop.changed``, namespaces, containers mutated in
place) make every step that can reach them evaluate on every diff, in document order: see
``deps``.

All expressions of a template are compiled together in one module by ``codegen``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import jinja2
from jinja2 import nodes

from . import inplace
from .codegen import Evaluator, compile_expressions
from .components import CALL_NAME, ComponentSlot, call_parts, live_component
from .deps import (
    Bindings,
    block_names,
    finalize,
    fresh_names,
    mentions_changed,
    names_in,
    union,
)
from .errors import TemplateSyntaxError
from .escape import to_text
from .functions import MacroDefinition
from .htmlscan import DATA, Place, Scanner, State, merge
from .inline import Unit
from .slots import (
    EMPTY,
    Block,
    Deps,
    ExprSlot,
    ForSlot,
    IfSlot,
    JinjaStep,
    OpaqueSlot,
    SetStep,
    SilentIf,
    Step,
    StepFacts,
    Target,
)
from .tables import TabledForSlot, holds_nodes
from .unquoted import UnquotedSlot, UnquotedUrlSlot
from .urls import UrlSlot

# Two phases. A template's expressions are compiled together, into one generated module, once
# the whole AST has been walked (``_Compiler.finish``; see ``codegen``). So a step is built with
# the placeholder evaluator ``_unresolved``, and the walk queues its expressions (``expression``
# returns the index each will have) with a *fixup*: a function that ``finish`` calls with the
# compiled evaluators to put the step's own in place.


_LOOP_PASSES = 4
"""Compilations of a loop body at most, each from more of the places the HTML can be in."""

_Fork = tuple[tuple[State, ...], tuple[UrlSlot, ...]]
"""Where the compiler is in the HTML: the scanner's state and ``_Compiler.previous``."""


def _unresolved(ctx: object) -> object:
    raise RuntimeError("template expression used before compilation finished")


def _set_evaluator(
    step: ExprSlot | SetStep | ComponentSlot, index: int, evaluators: Sequence[Evaluator]
) -> None:
    step.evaluate = evaluators[index]


def _calls_component(node: nodes.Node) -> bool:
    """Whether an output expression is a call of ``live_component`` itself."""
    return (
        isinstance(node, nodes.Call)
        and isinstance(node.node, nodes.Name)
        and node.node.name == CALL_NAME
    )


class _Builder:
    """Accumulates one block: the static text between slots, and its steps."""

    def __init__(self) -> None:
        self.statics: list[str] = []
        self.text: list[str] = []
        self.steps: list[Step] = []
        self.value_deps: Deps = EMPTY

    def add_text(self, text: str) -> None:
        self.text.append(text)

    def add_slot(self, step: Step) -> None:
        """Add a step that has a slot (it outputs something), after the text so far."""
        step.index = len(self.statics)
        step.key = str(step.index)
        step.position = step.index + 1
        self.statics.append("".join(self.text))
        self.text.clear()
        self.add_step(step)

    def add_step(self, step: Step) -> None:
        """Append ``step``; called as is for a step without a slot (one that only binds names)."""
        self.steps.append(step)
        self.value_deps = union(self.value_deps, step.facts.value_deps)

    def build(self) -> Block:
        return Block([*self.statics, "".join(self.text)], tuple(self.steps))


def _target(node: nodes.Node) -> Target:
    """A ``for``/``set`` target node as a name or nested tuple of names."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Tuple):
        return tuple(_target(item) for item in node.items)
    # The parser only produces names, tuples and namespace refs (handled apart) here.
    raise jinja2.TemplateSyntaxError(f"cannot assign to {type(node).__name__}", node.lineno)


def _target_names(target: Target) -> list[str]:
    if isinstance(target, str):
        return [target]
    return [name for item in target for name in _target_names(item)]


def _bound_by(node: nodes.Node) -> list[str]:
    """Names an opaque statement binds in the template scope (macros, imports)."""
    if isinstance(node, nodes.Macro):
        return [node.name]
    if isinstance(node, nodes.Import):
        return [node.target]
    if isinstance(node, nodes.FromImport):
        return [name if isinstance(name, str) else name[1] for name in node.names]
    if isinstance(node, nodes.ExprStmt):
        # {% do x.append(...) %} mutates what it reads: readers after it can't be tracked.
        return sorted(names_in(node))
    return []


_READS_ANYTHING = (nodes.Include, nodes.Import, nodes.FromImport)


class _Compiler:
    """One compilation: walks the AST, collects expressions, then code-generates them."""

    def __init__(self, page: Unit) -> None:
        self.environment = page.environment
        self.page = page
        self.place = inplace.Place(page, {})
        # The page's macros and imports callable in place so far: what a page macro's body
        # sees, wherever it is called from.
        self.page_callables = self.place.callables
        # Each expression with the template it is in: each template's go to one module.
        self.exprs: list[tuple[nodes.Expr, bool, Unit]] = []
        self.fixups: list[Callable[[Sequence[Evaluator]], None]] = []
        self.loaded: dict[tuple[str | None, str, bool], Unit | None] = {}
        self.expansions = 0  # macro calls and includes compiled in place (inplace.EXPANSIONS)
        self.loops = 0  # loops around what is being compiled (in the page, or compiled in place)
        # Where the text so far leaves the HTML, and the URL slots whose scheme the text that
        # comes next may complete (see ``text``).
        self.html = Scanner()
        self.previous: tuple[UrlSlot, ...] = ()
        # The slot that began an unquoted value, until the text right after it says whether
        # it is the whole value (see ``text``).
        self.value_start: UnquotedSlot | UnquotedUrlSlot | None = None

    def error(self, message: str, lineno: int) -> TemplateSyntaxError:
        unit = self.place.unit
        error = TemplateSyntaxError(message, lineno, unit.name, unit.filename)
        error.source = unit.source
        return error

    def expression(self, expr: nodes.Node, soft: bool) -> int:
        """Queue ``expr`` for code generation; its evaluator arrives in ``finish``."""
        assert isinstance(expr, nodes.Expr)
        self.exprs.append((expr, soft, self.place.unit))
        return len(self.exprs) - 1

    def finish(self) -> None:
        """Generate the code of every expression, one module per template, and fix it up."""
        evaluators: list[Evaluator] = [_unresolved] * len(self.exprs)
        by_unit: dict[Unit, list[int]] = {}
        for index, (_, _, unit) in enumerate(self.exprs):
            by_unit.setdefault(unit, []).append(index)
        for unit, indexes in by_unit.items():
            exprs = [self.exprs[index][:2] for index in indexes]
            compiled = compile_expressions(self.environment, exprs, unit.name, unit.filename)
            for index, evaluator in zip(indexes, compiled, strict=True):
                evaluators[index] = evaluator
        for fixup in self.fixups:
            fixup(evaluators)

    def block(
        self, body: Sequence[nodes.Node], scope: Bindings, soft: bool, top: bool = False
    ) -> tuple[Block, Deps]:
        """The block compiled from ``body``, and the value deps of its steps (their union).
        ``top``: the body is a template's top level, where macros and imports it defines
        become callable in place after their statement."""
        builder = _Builder()
        for node in body:
            self.statement(node, builder, scope, soft)
            if top:
                inplace.register(self, node)
        return builder.build(), builder.value_deps

    def statement(self, node: nodes.Node, builder: _Builder, scope: Bindings, soft: bool) -> None:
        if isinstance(node, nodes.Output):
            self.output(node, builder, scope, soft)
        elif isinstance(node, nodes.If):
            self.if_(node, builder, scope)
        elif isinstance(node, nodes.For):
            self.for_(node, builder, scope, soft)
        elif isinstance(node, nodes.Assign):
            self.assign(node, builder, scope, soft)
        elif isinstance(node, nodes.AssignBlock):
            self.assign_block(node, builder, scope)
        elif isinstance(node, (nodes.Break, nodes.Continue)):
            keyword = "break" if isinstance(node, nodes.Break) else "continue"
            raise self.error(f"{{% {keyword} %}} is not supported in liveview loops", node.lineno)
        elif isinstance(node, nodes.Include):
            inplace.include(self, node, builder, scope)
        elif isinstance(node, nodes.Macro):
            self.macro(node, builder, scope)
        elif isinstance(node, (nodes.Import, nodes.FromImport)):
            self.import_(node, builder, scope)
        else:
            self.opaque(node, builder, scope)

    def text(self, text: str, builder: _Builder) -> None:
        """Static ``text``: into the block, and through the scanner, which may find that it
        completes the scheme of the slots before (``{{ scheme }}://``)."""
        builder.add_text(text)
        tails = self.html.feed(text)
        for slot in self.previous:
            slot.add_tails(tails)
        if not self.html.continues_scheme():
            self.previous = ()
        if text and self.value_start is not None:
            self.value_start.whole = self.html.ended_value
            self.value_start = None

    def output(self, node: nodes.Output, builder: _Builder, scope: Bindings, soft: bool) -> None:
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                self.text(child.data, builder)
                continue
            try:
                constant = child.as_const(self.place.unit.eval_ctx)
            except Exception:  # nodes.Impossible or a failing constant: evaluate at runtime
                pass
            else:
                self.text(to_text(constant), builder)
                continue
            macro = inplace.callee(self, child)
            if macro is not None:
                assert isinstance(child, nodes.Call)
                inplace.macro_call(self, child, macro, builder, scope, soft)
                continue
            own = scope.deps(child)
            facts = StepFacts(own=own, names=names_in(child), value_deps=own)
            if _calls_component(child):
                self.component(child, facts, builder, soft)
                continue
            place = self.html.expression()
            slot = self.slot(place, facts, child)
            if place.check is None:
                self.previous = ()
            else:  # with the slots just before it, if any: the scheme may run through them all
                assert isinstance(slot, UrlSlot)
                self.previous = (*self.previous, slot)
            index = self.expression(child, soft)
            self.fixups.append(partial(_set_evaluator, slot, index))
            builder.add_slot(slot)

    def component(self, node: nodes.Expr, facts: StepFacts, builder: _Builder, soft: bool) -> None:
        """``{{ live_component(...) }}``: a slot for the component's cid, where a tag can be."""
        if any(state.mode != DATA for state in self.html.states):
            raise self.error(
                "live_component(...) must stand where an element can: between tags, not "
                "inside a tag, an attribute or raw text",
                node.lineno,
            )
        ours = self.environment.globals.get(CALL_NAME) is live_component  # not a global of yours
        parts = call_parts(node) if ours else node
        slot = ComponentSlot(_unresolved, facts, self.where(node), parts is not node)
        index = self.expression(parts, soft)
        self.fixups.append(partial(_set_evaluator, slot, index))
        builder.add_slot(slot)
        self.previous = ()

    def slot(self, place: Place, facts: StepFacts, node: nodes.Expr) -> ExprSlot:
        """The slot of an expression that lands at ``place``: a ``UrlSlot`` if it can begin a
        URL's scheme, kept inside its value if that is unquoted."""
        check = place.check
        if not place.unquoted:
            if check is None:
                return ExprSlot(_unresolved, facts)
            return UrlSlot(_unresolved, facts, *check, self.where(node))
        slot: UnquotedSlot | UnquotedUrlSlot
        if check is None:
            slot = UnquotedSlot(_unresolved, facts)
        else:
            slot = UnquotedUrlSlot(_unresolved, facts, *check, self.where(node))
        self.value_start = slot if place.starts else None
        return slot

    def where(self, node: nodes.Node) -> str:
        """The template and line of ``node``, for messages at render time."""
        name = self.place.unit.name or self.place.unit.filename
        return f"template {name!r} line {node.lineno}" if name else f"line {node.lineno}"

    def fork(self) -> _Fork:
        """Where the HTML is before a block that may or may not run, or run again."""
        self.value_start = None  # the text after a block may not come right after the slot
        return self.html.states, self.previous

    def back(self, fork: _Fork) -> None:
        """Back to ``fork``, to compile another branch from there."""
        self.html.states, self.previous = fork

    def join(self, ends: list[_Fork]) -> None:
        """Continue after branches that ended at ``ends`` (see ``htmlscan.merge``)."""
        self.html.states = merge([states for states, _ in ends])
        self.previous = tuple({slot: None for _, slots in ends for slot in slots})

    def if_(self, node: nodes.If, builder: _Builder, scope: Bindings) -> None:
        arms = [(node.test, node.body)] + [(arm.test, arm.body) for arm in node.elif_]
        tests = [test for test, _ in arms]
        bodies = [body for _, body in arms] + ([node.else_] if node.else_ else [])
        value_deps = scope.deps(tests)
        blocks: list[Block] = []
        leaked: set[str] = set()
        fork = self.fork()
        ends = [] if node.else_ else [fork]  # where the HTML is after each branch
        for body in bodies:
            self.back(fork)
            inner = scope.child()
            block, block_deps = self.block(body, inner, soft=True)
            blocks.append(block)
            value_deps = union(value_deps, block_deps)
            leaked.update(inner.names)
            ends.append(self.fork())
        self.join(ends)
        otherwise = blocks.pop() if node.else_ else None
        for name in sorted(leaked):
            scope.bind(name, union(scope.resolve(name), value_deps))
        facts = StepFacts(
            own=scope.deps(tests),  # after the leaked names are bound: a test may read them
            names=union(names_in(tests), block_names(*blocks, *([otherwise] if otherwise else []))),
            binds=frozenset(leaked),
            children=(*blocks, *([otherwise] if otherwise else [])),
            leaky=True,
            value_deps=value_deps,
        )
        silent = all(block.silent for block in blocks) and (otherwise is None or otherwise.silent)
        kind = SilentIf if silent else IfSlot
        step = kind([(_unresolved, block) for block in blocks], otherwise, facts)
        indexes = [self.expression(test, soft=True) for test in tests]

        def fix(fns: Sequence[Evaluator], step: Step = step) -> None:
            assert isinstance(step, (IfSlot, SilentIf))
            step.branches = [(fns[i], block) for i, block in zip(indexes, blocks, strict=True)]

        self.fixups.append(fix)
        if kind is IfSlot:
            builder.add_slot(step)
        else:
            builder.add_step(step)

    def for_(self, node: nodes.For, builder: _Builder, scope: Bindings, soft: bool) -> None:
        if node.recursive:
            raise self.error("recursive loops are not supported by liveview templates", node.lineno)
        for stored in node.find_all(nodes.Name):
            if stored.ctx == "store" and stored.name == "loop":
                raise self.error("Can't assign to special loop variable 'loop'", stored.lineno)
        target = _target(node.target)
        names = _target_names(target)
        iter_deps = scope.deps(node.iter)
        inner = scope.frame()
        for name in names:
            inner.bind(name, iter_deps)
        variables = union(iter_deps, inner.deps(node.test))
        for name in names:
            inner.bind(name, variables)
        # loop.changed(...) depends on the calls before it: then `loop` is stateful (deps).
        inner.bind("loop", None if mentions_changed(node.body) else variables)
        fork = self.fork()
        self.loops += 1
        body, body_deps = self.loop_body(node.body, inner, soft)
        self.loops -= 1
        ends = [self.fork()]
        otherwise: Block | None = None
        else_deps: Deps = EMPTY
        self.back(fork)
        if node.else_:
            otherwise, else_deps = self.block(node.else_, scope.frame(), soft)
        ends.append(self.fork())
        self.join(ends)
        # An outermost loop whose entries hold nodes sends their statics once (``tables``).
        kind = TabledForSlot if not self.loops and holds_nodes(body) else ForSlot
        step = kind(
            _unresolved,
            target,
            None,
            body,
            otherwise,
            "loop" in names_in(node.body),
            self.environment.undefined,
            # What the body binds is reset before every iteration (Jinja's scoping).
            fresh_names(body, set(inner.names).difference(names, ("loop",))),
            StepFacts(
                own=variables,
                # what its steps read, an opaque one's unknown reads included (not the AST's)
                names=union(
                    names_in(node.iter, node.test),
                    block_names(body, *([otherwise] if otherwise else [])),
                ),
                children=(body, *([otherwise] if otherwise else [])),
                value_deps=union(variables, body_deps, else_deps),
            ),
        )
        items = self.expression(node.iter, soft)
        test = None if node.test is None else self.expression(node.test, soft)

        def fix(fns: Sequence[Evaluator]) -> None:
            step.items = fns[items]
            step.test = None if test is None else fns[test]

        self.fixups.append(fix)
        builder.add_slot(step)

    def loop_body(self, body: list[nodes.Node], inner: Bindings, soft: bool) -> tuple[Block, Deps]:
        """Compile a loop body from where the HTML is, and from where the body ends, since the
        next iteration starts there: a body that leaves a tag or a URL value open is compiled
        again from both (rarely: a body usually ends where it began)."""
        start = self.fork()
        exprs, fixups, bound = len(self.exprs), len(self.fixups), dict(inner.names)
        for passes_left in reversed(range(_LOOP_PASSES)):
            block, deps = self.block(body, inner, soft)
            states = merge([start[0], self.html.states])
            if not passes_left or set(states) == set(start[0]):
                return block, deps
            del self.exprs[exprs:], self.fixups[fixups:]  # this pass's steps are dropped
            inner.names = dict(bound)
            start = (states, start[1])
            self.back(start)
        raise AssertionError("unreachable: the last pass returns")

    def assign(self, node: nodes.Assign, builder: _Builder, scope: Bindings, soft: bool) -> None:
        if node.find(nodes.NSRef) is not None:
            # {% set ns.attr = ... %}: Jinja validates and stores; readers of ns are "always".
            facts = StepFacts(own=None, names=names_in(node), value_deps=None)
            for stored in node.find_all(nodes.Name):
                if stored.ctx == "store":
                    scope.bind(stored.name, None)
            builder.add_step(JinjaStep(self.jinja(node), facts))
            return
        target = _target(node.target)
        value_deps = scope.deps(node.node)
        facts = StepFacts(
            # A value that may call something stateful (or a macro): its call counts even when
            # nothing reads the name it binds.
            own=None if value_deps is None else EMPTY,
            names=names_in(node.node),
            binds=frozenset(_target_names(target)),
            value_deps=value_deps,
        )
        set_step = SetStep(_unresolved, target, facts)
        index = self.expression(node.node, soft)
        self.fixups.append(partial(_set_evaluator, set_step, index))
        for name in facts.binds:
            scope.bind(name, value_deps)
        builder.add_step(set_step)

    def assign_block(self, node: nodes.AssignBlock, builder: _Builder, scope: Bindings) -> None:
        anything = any(node.find_all(_READS_ANYTHING))
        value_deps = None if anything else scope.deps(node.body, node.filter)
        names = None if anything else names_in(node.body, node.filter)
        if isinstance(node.target, nodes.NSRef):
            facts = StepFacts(own=None, names=names, value_deps=value_deps)
            scope.bind(node.target.name, None)
        else:
            name = _target(node.target)
            assert isinstance(name, str)
            facts = StepFacts(
                own=None if value_deps is None else EMPTY,  # as for `set`: calls count
                names=names,
                binds=frozenset((name,)),
                value_deps=value_deps,
            )
            scope.bind(name, value_deps)
        builder.add_step(JinjaStep(self.jinja(node), facts))

    def macro(self, node: nodes.Macro, builder: _Builder, scope: Bindings) -> None:
        """``{% macro %}``: Jinja defines it (for calls not compiled in place), silently. What
        a call of it may read is what its body reads."""
        reads = None if any(node.find_all(_READS_ANYTHING)) else names_in(node)
        facts = StepFacts(own=EMPTY, names=reads, binds=frozenset((node.name,)), value_deps=None)
        scope.bind(node.name, None)
        builder.add_step(MacroDefinition(self.jinja(node), facts))

    def import_(
        self, node: nodes.Import | nodes.FromImport, builder: _Builder, scope: Bindings
    ) -> None:
        """``{% import %}``/``{% from ... import %}``: Jinja imports, silently; without context
        the module reads no assign."""
        binds = _bound_by(node)
        if node.with_context:
            facts = StepFacts(own=None, names=None, binds=frozenset(binds), value_deps=None)
        else:
            facts = StepFacts(own=EMPTY, names=EMPTY, binds=frozenset(binds), value_deps=None)
        for name in binds:
            scope.bind(name, None)
        builder.add_step(JinjaStep(self.jinja(node), facts))

    def opaque(self, node: nodes.Node, builder: _Builder, scope: Bindings) -> None:
        step = OpaqueSlot(self.jinja(node), StepFacts(own=None, names=None, value_deps=None))
        for name in _bound_by(node):
            scope.bind(name, None)
        builder.add_slot(step)
        self.html.expression()  # Jinja renders it, unchecked: to the HTML, an unknown value
        self.value_start = None

    def jinja(self, node: nodes.Node) -> jinja2.Template:
        """Compile one statement with Jinja itself, as a template of its own."""
        tree = nodes.Template([node], lineno=node.lineno)
        tree.set_environment(self.environment)
        environment = self.environment
        code = environment.compile(tree, self.place.unit.name, self.place.unit.filename)
        return environment.template_class.from_code(
            environment, code, environment.make_globals(None)
        )


def _check(tree: nodes.Template, compiler: _Compiler) -> None:
    """Reject what cannot be a LiveView template, wherever it appears."""
    for node in tree.find_all((nodes.Extends, nodes.Block)):
        what = "extends" if isinstance(node, nodes.Extends) else "block"
        raise compiler.error(
            f"{{% {what} %}} (template inheritance) is not supported by liveview templates;"
            " use {% include %} or macros",
            node.lineno,
        )
    for loop in tree.find_all(nodes.For):
        if loop.recursive:
            raise compiler.error(
                "recursive loops are not supported by liveview templates", loop.lineno
            )


def compile_template(
    environment: jinja2.Environment, source: str, name: str | None, filename: str | None
) -> Block:
    """Compile Jinja ``source`` into its root block. Raises ``TemplateSyntaxError``."""
    try:
        tree = environment.parse(source, name, filename)
        page = Unit(environment, name, filename, source, tree)
        compiler = _Compiler(page)
        _check(tree, compiler)
        always = inplace.stateful(compiler, page, set())
        root, _ = compiler.block(tree.body, Bindings(None, always), soft=False, top=True)
        compiler.finish()
    except jinja2.TemplateSyntaxError as error:
        raise TemplateSyntaxError.from_jinja(error, source, name, filename) from None
    finalize(root)
    return root
