"""Compiled blocks and their steps; each renders itself in full, as a diff, or as HTML.

A ``Block`` is one template body: its statics and the steps between them. Steps are dynamic
slots (expression, if, for, opaque Jinja statement) and silent steps (``{% set %}``, an
``{% if %}`` that only sets). Rendering and diffing are fused: a diff walks the block once,
evaluates only the steps whose dependencies intersect ``changed``, compares each result with
the *print* of what the client holds, and emits what differs along with the new print.

Prints are plain lists and never change once made: a diff that changes a slot copies the lists
on the path to it (an unchanged render allocates nothing). So one print can be shared by every
LiveView whose client holds the same tree, and a render that raises leaves the old one intact.

* node print: ``[block, p0, p1, ...]`` where ``p_i`` is the slot's last sent string, or the
  print of the node / comprehension in it;
* comprehension print: ``[for_slot, [entry print, ...]]``, an entry print being the node print
  of the loop body (entries are index-keyed: entry *i* is diffed against entry *i*; then
  ``moves.with_moves`` may send a changed entry as a move of another old entry instead).

A print holds all the client holds, so it can be turned back into the complete node
(``Block.tree``) or diffed against another print of the same node (``Block.diff_prints``);
moves use both.

Emitted statics are the block's own ``statics`` list, shared by every tree and diff built
from it: never mutate a rendered tree's ``"s"``.

An example (``tests/unit/test_template_slots.py`` checks every value shown here). The template
``<ul>{% for x in xs %}<li>{{ x }}</li>{% endfor %}</ul>`` compiles to::

    Block(statics=["<ul>", "</ul>"], steps=[
        ForSlot(key="0", target="x", deps={"xs"}, body=Block(statics=["<li>", "</li>"], steps=[
            ExprSlot(key="0", deps={"xs"}),  # {{ x }}: x is read from xs
        ])),
    ])

Rendered in full with ``xs=["a"]`` (``Block.full``), it gives the tree the client gets at join::

    {"s": ["<ul>", "</ul>"], "0": {"s": ["<li>", "</li>"], "k": {"0": {"0": "a"}, "kc": 1}}}

and this print (``root`` is the block above, ``loop`` its ``ForSlot``, ``body`` the loop's
block)::

    [root, [loop, [[body, "a"]]]]

With ``xs=["a", "b"]`` and ``changed={"xs"}``, ``Block.diff`` evaluates the loop (its deps meet
``changed``), finds entry 0 unchanged (``SAME``) and renders entry 1 in full. The diff::

    {"0": {"k": {"1": {"0": "b"}, "kc": 2}}}

and the new print, whose first entry is the old entry's print itself::

    [root, [loop, [[body, "a"], [body, "b"]]]]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

import jinja2
from jinja2.runtime import Context, LoopContext

from .codegen import Evaluator
from .escape import to_text
from .moves import with_moves
from .prints import SAME, NodePrint, SlotPrint, SlotUpdate, WireNode, WireValue, _Same
from .streams import LiveStream
from .wire import KEYED, KEYED_COUNT, STATIC, STREAM

Deps = frozenset[str] | None
"""The assign names a step reads; ``None`` means "always evaluate" (unknowable reads)."""

Target = str | tuple["Target", ...]
"""A binding target: a name, or a (nested) tuple of names as in ``for k, v in ...``."""

Items = list[Any] | tuple[Any, ...]
"""The items a loop iterates over, materialized (and filtered by its ``if`` clause)."""

EMPTY: Final[frozenset[str]] = frozenset()

_KEYS: list[str] = [str(index) for index in range(256)]


def keys(count: int) -> list[str]:
    """Shared list of the JSON keys "0", "1", ... (at least ``count`` of them)."""
    while len(_KEYS) < count:
        _KEYS.append(str(len(_KEYS)))
    return _KEYS


def bind(target: Target, value: Any, vars: dict[str, Any]) -> None:
    """Assign ``value`` to ``target`` with Python's unpacking rules."""
    if type(target) is str:
        vars[target] = value
        return
    values = tuple(value)
    if len(values) != len(target):
        raise ValueError(
            f"cannot unpack {len(values)} values into {len(target)} names ({target!r})"
        )
    for name, item in zip(target, values, strict=True):
        bind(name, item, vars)


@dataclass(frozen=True, slots=True)
class StepFacts:
    """What the compiler learnt about a step, from which ``deps.finalize`` computes its ``deps``."""

    own: Deps = EMPTY
    """The assign names the step itself reads (its own expressions, not its nested blocks)."""

    names: frozenset[str] | None = EMPTY
    """The raw names loaded anywhere inside it, nested blocks included (``None``: any name)."""

    binds: frozenset[str] = EMPTY
    """The names it binds in the enclosing scope."""

    children: tuple[Block, ...] = ()
    """Its nested blocks."""

    leaky: bool = False
    """Whether the names its children ``{% set %}`` are visible after it (``if``: yes, ``for``:
    no)."""

    value_deps: Deps = EMPTY
    """The assign names its output (or the value it binds) is computed from, nested blocks
    included: what a name it binds depends on."""


class Step:
    """One element of a block. ``deps`` decides whether a diff render evaluates it.

    * ``facts``: what the compiler learnt about it (``StepFacts``: ``own``, ``names``,
      ``binds``, ``children``, ``leaky``, ``value_deps``);
    * ``deps``: when a diff evaluates it: its own reads, its children's, and those of every
      later step that reads a name it binds (set by ``deps.finalize``; ``None``: always);
    * ``index``, ``key``: its slot's number in the block and that number as a diff key (set
      when the block is built; ``-1`` and ``""`` for a step without a slot);
    * ``position``: where its slot's print is in the block's print, ``index + 1`` (``0``, the
      block itself, for a step without a slot).
    """

    __slots__ = ("deps", "facts", "index", "key", "position")

    def __init__(self, facts: StepFacts) -> None:
        self.facts = facts
        self.deps: Deps = EMPTY
        self.index = -1
        self.key = ""
        self.position = 0

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        """Evaluate fully: write the slot's value to ``out`` and its print to ``prints``."""
        raise NotImplementedError

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        """Evaluate against ``old``, the slot's print (never mutated; a step without a slot gets
        its block's head and ignores it); return ``SAME``, or ``(value to emit, new print)``. A
        slot's print changes exactly when it emits."""
        raise NotImplementedError

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        """Append the static text before this slot, then the slot's HTML, to ``parts``."""
        raise NotImplementedError


class Block:
    """A template body compiled to statics (``len == slots + 1``) and steps."""

    __slots__ = ("blank", "statics", "steps")

    def __init__(self, statics: list[str], steps: tuple[Step, ...]) -> None:
        self.statics = statics
        self.steps = steps
        self.blank: tuple[Any, ...] = (self, *([None] * (len(statics) - 1)))

    @property
    def silent(self) -> bool:
        """True when the block outputs nothing at all (only sets)."""
        return self.statics == [""]

    def full(self, ctx: Context, entry: bool = False) -> tuple[WireNode, NodePrint]:
        """The complete node (with ``"s"``, or without for a comprehension entry) and its print."""
        out: WireNode = {} if entry else {STATIC: self.statics}
        prints = list(self.blank)
        for step in self.steps:
            step.full(ctx, out, prints)
        return out, prints

    def diff(
        self, ctx: Context, changed: Iterable[str], prints: NodePrint
    ) -> tuple[WireNode, NodePrint] | _Same:
        """The diff of this node against ``prints`` and the node's new print (a copy: ``prints``
        is left as it is); ``SAME`` if unchanged."""
        out: WireNode | None = None
        for step in self.steps:
            deps = step.deps
            if deps is not None and deps.isdisjoint(changed):
                continue
            position = step.position
            result = step.diff(ctx, changed, prints[position])
            if result is not SAME:
                if out is None:
                    out = {}
                    prints = list(prints)
                out[step.key], prints[position] = result
        return SAME if out is None else (out, prints)

    def tree(self, prints: NodePrint, entry: bool = False) -> WireNode:
        """The complete node a print stands for (what the client holds)."""
        out: WireNode = {} if entry else {STATIC: self.statics}
        names = keys(len(prints))
        for position in range(1, len(prints)):
            out[names[position - 1]] = _wire_value(prints[position])
        return out

    def diff_prints(self, old: NodePrint, new: NodePrint) -> WireNode | _Same:
        """The diff from one print of this node to another; ``SAME`` if they are equal."""
        out: WireNode | None = None
        names = keys(len(new))
        for position in range(1, len(new)):
            before, after = old[position], new[position]
            if before is after:
                continue
            value = _print_diff(before, after)
            if value is not SAME:
                if out is None:
                    out = {}
                out[names[position - 1]] = value
        return SAME if out is None else out

    def html(self, ctx: Context, parts: list[str]) -> None:
        """Append this block's HTML to ``parts``."""
        statics = self.statics
        for step in self.steps:
            step.html(ctx, parts, statics)
        parts.append(statics[-1])

    def run(self, ctx: Context) -> None:
        """Execute a silent block's steps (sets) for their bindings."""
        for step in self.steps:
            step.html(ctx, [], self.statics)


def _wire_value(printed: SlotPrint) -> WireValue:
    """The wire value of a slot's print: its string or cid, or the complete node or
    comprehension."""
    if isinstance(printed, str | int):
        return printed
    head: Block | ForSlot = printed[0]
    return head.tree(printed)


def _print_diff(before: SlotPrint, after: SlotPrint) -> WireValue | _Same:
    """What a slot emits when its print goes from ``before`` to ``after`` (``SAME``: nothing),
    exactly as the step's own ``diff`` would have."""
    if isinstance(after, str | int):
        return SAME if type(before) is type(after) and before == after else after
    head: Block | ForSlot = after[0]
    if type(before) is list and before[0] is head:
        changes: WireNode | _Same = head.diff_prints(before, after)  # typed: see IfSlot.diff
        return changes
    return head.tree(after)


class ExprSlot(Step):
    """``{{ expression }}``: a string slot."""

    __slots__ = ("evaluate",)

    def __init__(self, evaluate: Evaluator, facts: StepFacts) -> None:
        super().__init__(facts)
        self.evaluate = evaluate

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        text = to_text(self.evaluate(ctx))
        out[self.key] = text
        prints[self.position] = text

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        text = to_text(self.evaluate(ctx))
        return SAME if text == old else (text, text)

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        parts.append(statics[self.index])
        parts.append(to_text(self.evaluate(ctx)))


class _Branching(Step):
    """Shared choice logic of ``{% if %}/{% elif %}/{% else %}``."""

    __slots__ = ("branches", "otherwise")

    def __init__(
        self,
        branches: list[tuple[Evaluator, Block]],
        otherwise: Block | None,
        facts: StepFacts,
    ) -> None:
        super().__init__(facts)
        self.branches = branches
        self.otherwise = otherwise

    def choose(self, ctx: Context) -> Block | None:
        for test, block in self.branches:
            if test(ctx):
                return block
        return self.otherwise


class IfSlot(_Branching):
    """An ``{% if %}`` chain: one slot holding the chosen branch's node, or ``""``."""

    __slots__ = ()

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        block = self.choose(ctx)
        if block is None:
            out[self.key] = prints[self.position] = ""
        else:
            out[self.key], prints[self.position] = block.full(ctx)

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        block = self.choose(ctx)
        if block is None:
            return SAME if old == "" else ("", "")
        if type(old) is list and old[0] is block:
            # Typed here because ``old[0] is block`` narrows ``block`` to ``Any`` for mypy.
            result: SlotUpdate | _Same = block.diff(ctx, changed, old)
            return result
        return block.full(ctx)

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        parts.append(statics[self.index])
        block = self.choose(ctx)
        if block is not None:
            block.html(ctx, parts)


class SilentIf(_Branching):
    """An ``{% if %}`` whose branches only ``{% set %}``: no slot, just bindings."""

    __slots__ = ()

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        self._run(ctx)

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        self._run(ctx)
        return SAME

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        self._run(ctx)

    def _run(self, ctx: Context) -> None:
        block = self.choose(ctx)
        if block is not None:
            block.run(ctx)


class ForSlot(Step):
    """A ``{% for %}``: one slot holding a comprehension, the ``else`` node, or ``""``.

    The loop runs in a copy of ``ctx.vars``, so nothing bound in it is visible after it. As in
    Jinja, every iteration starts from the scope outside the loop: a ``{% set %}`` in the body
    lasts until the end of its iteration. ``fresh`` names what the body binds (``set``, a
    ``set`` in an ``if``, ``macro``...) and may read before binding it (``deps.fresh_names``):
    those names are put back to their outside values before each iteration (``missing``, which
    reads as undefined, where there is none). A body that only reads what it has just set has
    no ``fresh`` names and pays nothing.
    """

    __slots__ = (
        "body",
        "fresh",
        "items",
        "otherwise",
        "target",
        "test",
        "undefined",
        "uses_loop",
    )

    def __init__(
        self,
        items: Evaluator,
        target: Target,
        test: Evaluator | None,
        body: Block,
        otherwise: Block | None,
        uses_loop: bool,
        undefined: type[jinja2.Undefined],
        fresh: tuple[str, ...],
        facts: StepFacts,
    ) -> None:
        super().__init__(facts)
        self.items = items
        self.target = target
        self.test = test
        self.body = body
        self.otherwise = otherwise
        self.uses_loop = uses_loop
        self.undefined = undefined
        self.fresh = fresh

    def _iterate(self, ctx: Context, iterable: Any) -> tuple[Items, Iterator[Any]]:
        """Take the evaluated iterable (filtered by the ``if`` clause) into ``ctx.vars`` (a copy).

        Returns the items and an iterator that prepares the variables of each iteration
        (resets the ``fresh`` names, binds the loop variables) before each yield.
        """
        if type(iterable) is LiveStream:
            iterable = iterable.entries()  # the pending inserts; ``_stream`` adds the rest
        target = self.target
        vars = ctx.vars
        test = self.test
        items: Items
        if test is not None:
            # Tested in a scratch copy: what the filter binds is not seen by the body's first
            # entry nor by the else block (Jinja binds the loop variable only in the body).
            items = []
            tested = ctx.vars = dict(vars)
            for item in iterable:
                bind(target, item, tested)
                if test(ctx):
                    items.append(item)
            ctx.vars = vars
        elif type(iterable) is list or type(iterable) is tuple:
            items = iterable
        else:
            items = list(iterable)
        if self.fresh:
            # What each iteration starts from: the values outside the loop (``missing`` for
            # none, which reads as undefined exactly like an absent name).
            resolve = ctx.resolve_or_missing
            start = {name: resolve(name) for name in self.fresh}
            return items, self._fresh(items, vars, start)
        return items, self._bound(items, vars)

    # ``_bound`` and ``_fresh`` are four near-identical loops on purpose: for speed. One loop
    # with the choices inside (``loop`` or not, a name or a tuple target, reset or not) would
    # test them, or call ``bind``, once per entry, and this is the innermost loop of every list
    # render. Keep them apart.

    def _bound(self, items: Items, vars: dict[str, Any]) -> Iterator[Any]:
        """Bind the loop variables (and ``loop``, if the body uses it) before each yield."""
        target = self.target
        if self.uses_loop:
            loop = LoopContext(items, self.undefined)
            vars["loop"] = loop
            if type(target) is str:
                for item, _ in loop:
                    vars[target] = item
                    yield item
            else:
                for item, _ in loop:
                    bind(target, item, vars)
                    yield item
        elif type(target) is str:
            for item in items:
                vars[target] = item
                yield item
        else:
            for item in items:
                bind(target, item, vars)
                yield item

    def _fresh(self, items: Items, vars: dict[str, Any], start: dict[str, Any]) -> Iterator[Any]:
        """``_bound`` for a body that binds names: ``start`` is put back before each iteration."""
        target = self.target
        reset = vars.update
        if self.uses_loop:
            loop = LoopContext(items, self.undefined)
            vars["loop"] = loop
            for item, _ in loop:
                reset(start)
                bind(target, item, vars)
                yield item
        elif type(target) is str:
            for item in items:
                reset(start)
                vars[target] = item
                yield item
        else:
            for item in items:
                reset(start)
                bind(target, item, vars)
                yield item

    def _comprehension(
        self, ctx: Context, items: Items, bound: Iterator[Any]
    ) -> tuple[WireNode, NodePrint]:
        """The complete comprehension node and its print."""
        body = self.body
        entries: WireNode = {}
        prints: list[NodePrint] = []
        names = keys(len(items))
        for index, _ in enumerate(bound):
            entries[names[index]], entry_print = body.full(ctx, entry=True)
            prints.append(entry_print)
        entries[KEYED_COUNT] = len(items)
        return {STATIC: body.statics, KEYED: entries}, [self, prints]

    def _stream(
        self, ctx: Context, stream: LiveStream, old: SlotPrint | None
    ) -> SlotUpdate | _Same:
        """The slot of a loop over a stream: its pending
        inserts as complete entries and the ``stream`` entry, the statics too unless the client
        holds this comprehension already. Nothing of the rows is kept: the print holds no
        entries, as the client's tree holds none once it has patched them into the DOM."""
        held = type(old) is list and old[0] is self
        if held and not stream.pending:
            return SAME
        items, bound = self._iterate(ctx, stream)
        node, _ = self._comprehension(ctx, items, bound)
        if held:
            del node[STATIC]
        node[STREAM] = stream.wire()
        return node, [self, []]

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        outer = ctx.vars
        ctx.vars = dict(outer)
        iterable = self.items(ctx)
        if type(iterable) is LiveStream:
            streamed = self._stream(ctx, iterable, None)
            ctx.vars = outer
            assert streamed is not SAME
            out[self.key], prints[self.position] = streamed
            return
        items, bound = self._iterate(ctx, iterable)
        value: WireValue
        printed: SlotPrint
        if items:
            value, printed = self._comprehension(ctx, items, bound)
        elif self.otherwise is not None:
            value, printed = self.otherwise.full(ctx)
        else:
            value = printed = ""
        ctx.vars = outer
        out[self.key] = value
        prints[self.position] = printed

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        outer = ctx.vars
        ctx.vars = dict(outer)
        iterable = self.items(ctx)
        if type(iterable) is LiveStream:
            streamed = self._stream(ctx, iterable, old)
            ctx.vars = outer
            return streamed
        items, bound = self._iterate(ctx, iterable)
        otherwise = self.otherwise
        result: SlotUpdate | _Same
        if type(old) is list and old[0] is self:
            if items or otherwise is None:
                result = self._diff_entries(ctx, changed, old[1], items, bound)
            else:
                result = otherwise.full(ctx)
        elif items:
            result = self._comprehension(ctx, items, bound)
        elif otherwise is None:
            result = SAME  # "" before, "" now
        elif type(old) is list and old[0] is otherwise:
            result = otherwise.diff(ctx, changed, old)
        else:
            result = otherwise.full(ctx)
        ctx.vars = outer
        return result

    def _diff_entries(
        self,
        ctx: Context,
        changed: Iterable[str],
        entries: list[NodePrint],
        items: Items,
        bound: Iterator[Any],
    ) -> SlotUpdate | _Same:
        """Index-keyed comprehension diff: entry i against old entry i, new ones complete."""
        count = len(items)
        known = len(entries)
        body = self.body
        names = keys(count)
        diff: WireNode | None = None
        printed = entries
        same = SAME  # a local: this loop runs once per entry
        for index, _ in enumerate(bound):
            if index < known:
                result = body.diff(ctx, changed, entries[index])
                if result is same:
                    continue
                if diff is None:
                    diff = {}
                    printed = entries[:count]
                diff[names[index]], printed[index] = result
            else:
                if diff is None:
                    diff = {}
                    printed = list(entries)
                diff[names[index]], entry_print = body.full(ctx, entry=True)
                printed.append(entry_print)
        if count < known:
            if diff is None:
                diff = {}
                printed = entries[:count]
        elif diff is None:
            return SAME
        if len(diff) > 1 and known:
            with_moves(diff, entries, printed, body)
        diff[KEYED_COUNT] = count
        return {KEYED: diff}, [self, printed]

    def tree(self, printed: NodePrint) -> WireNode:
        """The complete comprehension a print ``[self, entries]`` stands for."""
        body = self.body
        entries: list[NodePrint] = printed[1]
        names = keys(len(entries))
        out: WireNode = {
            names[index]: body.tree(entry, True) for index, entry in enumerate(entries)
        }
        out[KEYED_COUNT] = len(entries)
        return {STATIC: body.statics, KEYED: out}

    def diff_prints(self, old: NodePrint, new: NodePrint) -> WireNode | _Same:
        """The index-keyed diff from one comprehension print to another (``SAME``: equal)."""
        body = self.body
        before: list[NodePrint] = old[1]
        after: list[NodePrint] = new[1]
        known = len(before)
        names = keys(len(after))
        out: WireNode = {}
        for index, entry in enumerate(after):
            if index >= known:
                out[names[index]] = body.tree(entry, True)
            elif before[index] is not entry:
                changes = body.diff_prints(before[index], entry)
                if changes is not SAME:
                    out[names[index]] = changes
        if not out and len(after) == known:
            return SAME
        out[KEYED_COUNT] = len(after)
        return {KEYED: out}

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        parts.append(statics[self.index])
        outer = ctx.vars
        ctx.vars = dict(outer)
        items, bound = self._iterate(ctx, self.items(ctx))
        if items:
            body = self.body
            for _ in bound:
                body.html(ctx, parts)
        elif self.otherwise is not None:
            self.otherwise.html(ctx, parts)
        ctx.vars = outer


class SetStep(Step):
    """``{% set a = expr %}`` / ``{% set a, b = expr %}``: binds names in ``ctx.vars``."""

    __slots__ = ("evaluate", "target")

    def __init__(self, evaluate: Evaluator, target: Target, facts: StepFacts) -> None:
        super().__init__(facts)
        self.evaluate = evaluate
        self.target = target

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        bind(self.target, self.evaluate(ctx), ctx.vars)

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        bind(self.target, self.evaluate(ctx), ctx.vars)
        return SAME

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        bind(self.target, self.evaluate(ctx), ctx.vars)


def run_jinja(template: jinja2.Template, ctx: Context) -> str:
    """Render a Jinja-compiled statement in ``ctx``; its ``context.vars`` writes land there."""
    try:
        return "".join(template.root_render_func(ctx))
    except Exception:
        template.environment.handle_exception()


class JinjaStep(Step):
    """A statement Jinja runs for its side effects (``{% set %}...{% endset %}``, ``ns.x =``)."""

    __slots__ = ("template",)

    def __init__(self, template: jinja2.Template, facts: StepFacts) -> None:
        super().__init__(facts)
        self.template = template

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        run_jinja(self.template, ctx)

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        run_jinja(self.template, ctx)
        return SAME

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        run_jinja(self.template, ctx)


class OpaqueSlot(JinjaStep):
    """Any other statement (``include``, ``macro``, ``with``...): Jinja renders it to a string
    slot, re-evaluated on every render."""

    __slots__ = ()

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        out[self.key] = prints[self.position] = run_jinja(self.template, ctx)

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        text = run_jinja(self.template, ctx)
        return SAME if text == old else (text, text)

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        parts.append(statics[self.index])
        parts.append(run_jinja(self.template, ctx))
