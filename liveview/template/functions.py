"""Function components: a macro call or an ``{% include %}`` rendered as a nested node.

``{{ card(item) }}`` of a macro the compiler can see, and ``{% include "row.html" %}`` of a
template its loader finds, are compiled in place (``inline`` says when): the macro's body, or
the included template, becomes a block of the page, compiled at each call site with
dependencies in the caller's terms (a parameter depends on its argument, a name an include
reads on what that name is where the include is). Its slot holds the block's node, diffed like
an ``{% if %}`` branch, so a row whose title changed sends ``{"0": {"1": "new"}}`` rather than
the row's whole HTML, and a call whose inputs did not change is not evaluated at all.

Scoping is Jinja's, which is why this is more than pasting the body in:

* a macro body sees its parameters (bound by Jinja's own ``Macro`` argument handling, so
  defaults, ``varargs``, ``kwargs``, ``caller`` and the errors are Jinja's; or by the compiler
  where the call leaves no choice), then the
  template's top-level variables as they are when it is called — never the caller's loop
  variables or sets — then assigns and globals (``MacroScope``); a macro imported from another
  template sees only globals;
* an included template sees everything visible where it is included, and what it sets stays
  in it (``IncludeSlot`` renders it in a copy of the variables, like a loop).

``MacroDefinition`` is the ``{% macro %}`` statement itself, still defined by Jinja for calls
that are not compiled (``{{ card(x)|upper }}``), in a context that keeps the variables of
where it is defined, as Jinja's closure does.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from jinja2.runtime import Context, Macro
from jinja2.utils import missing

from .codegen import Evaluator
from .prints import SAME, NodePrint, SlotPrint, SlotUpdate, WireNode, _Same
from .scope import Scope
from .slots import Block, JinjaStep, Step, StepFacts, run_jinja

_NOTHING: Final[Mapping[str, Any]] = {}


class Binder(Macro):
    """Jinja's ``Macro`` call, returning the bound argument list instead of running a body.

    ``Macro.__call__`` turns positional and keyword arguments into the list the macro function
    receives (parameters in order, ``missing`` where not given, then ``caller``, ``kwargs``,
    ``varargs`` when the body uses them) and raises Jinja's errors; reusing it keeps every
    corner of that binding Jinja's own.
    """

    def _invoke(self, arguments: list[Any], autoescape: bool) -> Any:
        return arguments


class MacroScope(Scope):
    """The scope of one call of a compiled macro: its parameters and locals in ``vars``.

    Names the template's top level stores (``stored``: its sets, macros, imports) are read in
    ``top``, the template's own variables, as Jinja's closure reads them: until set there,
    those in ``unset`` are undefined and the others are what the context has; other names
    are assigns or globals (only globals for an imported macro).
    """

    def __init__(
        self,
        outer: Scope,
        vars: dict[str, Any],
        stored: frozenset[str],
        unset: frozenset[str],
        globals_only: bool,
    ) -> None:
        self.__dict__.update(outer.__dict__)  # what the render carries: environment, top...
        self.vars = vars
        self.stored = stored
        self.unset = unset
        if globals_only:
            self.parent = _NOTHING  # type: ignore[assignment]

    def resolve_or_missing(self, key: str) -> Any:
        """Its own variables, the template's top-level ones (``stored``), then as ``Scope``
        does past the caller's variables: assigns (not for an imported macro), globals."""
        vars = self.vars
        if key in vars:
            return vars[key]
        if key in self.stored:
            value = self.top.get(key, missing)
            if value is not missing or key in self.unset:
                return value
        return super().resolve_or_missing(key)

    def get_all(self) -> dict[str, Any]:
        top = self.top
        visible = {name: top[name] for name in self.stored if name in top}
        return {**self.environment.globals, **self.parent, **visible, **self.vars}


class NestedSlot(Step):
    """A slot holding one block's node: full, diffed against the print of that same block, or
    sent in full when the slot held something else."""

    __slots__ = ("body",)

    def __init__(self, body: Block, facts: StepFacts) -> None:
        super().__init__(facts)
        self.body = body

    def _full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        out[self.key], prints[self.position] = self.body.full(ctx)

    def _diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        body = self.body
        if type(old) is list and old[0] is body:
            result: SlotUpdate | _Same = body.diff(ctx, changed, old)
            return result
        return body.full(ctx)


class MacroSlot(NestedSlot):
    """``{{ macro(arguments) }}``: the macro's body compiled at this call site.

    ``args`` and ``keywords`` evaluate the arguments in the caller's scope; ``binder`` binds
    them to ``names``, or, when the compiler could bind them (``binder`` is ``None``: no more
    positional arguments than parameters, keywords naming the others, no ``caller``,
    ``varargs`` or ``kwargs``), the first ``len(args)`` of ``names`` take the positional
    values; a parameter left without a value gets its default (``defaults``, evaluated in the
    macro's scope after the parameters before it) or Jinja's undefined value.
    """

    __slots__ = (
        "args",
        "binder",
        "defaults",
        "globals_only",
        "keywords",
        "names",
        "stored",
        "unset",
    )

    def __init__(
        self,
        binder: Binder | None,
        names: Sequence[str],
        body: Block,
        stored: frozenset[str],
        unset: frozenset[str],
        globals_only: bool,
        facts: StepFacts,
    ) -> None:
        super().__init__(body, facts)
        self.binder = binder
        self.names = tuple(names)
        self.stored = stored
        self.unset = unset
        self.globals_only = globals_only
        self.args: list[Evaluator] = []
        self.keywords: list[tuple[str, Evaluator]] = []
        self.defaults: list[tuple[str, Evaluator | None]] = []

    def enter(self, ctx: Context) -> MacroScope:
        """Evaluate the arguments in ``ctx``; the scope the body renders in."""
        args = [evaluate(ctx) for evaluate in self.args]
        vars = {name: evaluate(ctx) for name, evaluate in self.keywords}
        binder = self.binder
        if binder is None:
            vars.update(zip(self.names, args, strict=False))  # the first len(args) names
        else:
            bound: Any = binder(*args, **vars)  # a list: see Binder._invoke
            vars = dict(zip(self.names, bound, strict=True))
        assert isinstance(ctx, Scope)
        inner = MacroScope(ctx, vars, self.stored, self.unset, self.globals_only)
        for name, default in self.defaults:
            if vars.get(name, missing) is missing:
                if default is None:
                    hint = f"parameter {name!r} was not provided"
                    vars[name] = ctx.environment.undefined(hint, name=name)
                else:
                    vars[name] = default(inner)
        return inner

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        self._full(self.enter(ctx), out, prints)

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        return self._diff(self.enter(ctx), changed, old)

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        parts.append(statics[self.index])
        self.body.html(self.enter(ctx), parts)


class IncludeSlot(NestedSlot):
    """``{% include "name" %}``: the included template compiled here, rendered in a copy of the
    variables (Jinja passes it the variables visible here and keeps its sets in it; ``loop``
    is among them when the loop's own body uses it, as ``ForSlot`` binds it)."""

    __slots__ = ()

    @staticmethod
    def _enter(ctx: Context) -> dict[str, Any]:
        outer = ctx.vars
        ctx.vars = dict(outer)
        return outer

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        outer = self._enter(ctx)
        self._full(ctx, out, prints)
        ctx.vars = outer

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        outer = self._enter(ctx)
        result = self._diff(ctx, changed, old)
        ctx.vars = outer
        return result

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        parts.append(statics[self.index])
        outer = self._enter(ctx)
        self.body.html(ctx, parts)
        ctx.vars = outer


class MacroDefinition(JinjaStep):
    """``{% macro %}``, defined by Jinja in a copy of the context whose ``vars`` stay those of
    where it is defined: a loop or include swapping ``ctx.vars`` later does not change what the
    macro sees when called from there (Jinja's closure; calling it never reads the caller's
    locals)."""

    __slots__ = ()

    def _define(self, ctx: Context) -> None:
        run_jinja(self.template, copy.copy(ctx))

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        self._define(ctx)

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        self._define(ctx)
        return SAME

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        self._define(ctx)
