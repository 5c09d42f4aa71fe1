"""Live components, as templates see them: a call, a slot holding a cid, and the sink behind it.

``{{ live_component(Card, id="c1", title=t) }}`` is compiled into a ``ComponentSlot`` (when the
call is the whole expression; anywhere else the call renders as a clear error). Evaluating the
slot gives the component class and its attributes, which the render's ``ComponentSink`` (the
LiveView's component table, outside this package) turns into the component's cid: on the wire
the slot holds that integer, and the component's own tree travels under ``"c"``. A slot whose
cid is the one the client holds sends nothing; the sink still gets the call, so the component
is updated with the new attributes and sends its own diff if they changed it.

In HTML (the dead render) the slot writes a placeholder the sink hands out (``hole_for``); the
sink fills it with the component's HTML once the component has mounted and rendered, which is
asynchronous work a synchronous render pass cannot do.

Components need one root tag (the client marks it with ``data-phx-component`` and finds the
component by it): ``single_root`` checks a component's template once, from its statics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final, Protocol

from jinja2 import Undefined, nodes
from jinja2.runtime import Context
from jinja2.utils import missing

from .codegen import Evaluator
from .prints import SAME, NodePrint, SlotPrint, SlotUpdate, WireNode, _Same
from .slots import Block, Step, StepFacts

CALL_NAME: Final = "live_component"
"""The template global that renders a live component."""


class ComponentCall:
    """One ``live_component(...)`` call: which component, its ``id``, the attributes given."""

    __slots__ = ("assigns", "component", "id")

    def __init__(self, component: Any, id: Any, assigns: dict[str, Any]) -> None:
        self.component = component
        self.id = id
        self.assigns = assigns

    def __html__(self) -> str:
        """Rendered as text or Markup anywhere but its own slot: refused, with where it may go."""
        raise TypeError(
            f"live_component({_name(self.component)}, id={self.id!r}) must be the whole "
            "expression of a {{ }} in a template (not inside a string, a filter, a macro or an "
            "include)"
        )

    __str__ = __html__

    def __repr__(self) -> str:
        return f"live_component({_name(self.component)}, id={self.id!r})"


def live_component(component: Any = None, /, **assigns: Any) -> ComponentCall:
    """The template global: ``live_component(Card, id="c1", **attributes)``."""
    return make_call(component, assigns)


def make_call(component: Any, assigns: dict[str, Any]) -> ComponentCall:
    """The call ``live_component(component, **assigns)`` makes, checked: a class and an ``id``."""
    if isinstance(component, Undefined):
        name = getattr(component, "_undefined_name", None) or "?"
        raise TypeError(
            f"live_component({name}, ...): no assign, global or LiveComponent class is named "
            f"{name!r} (a LiveComponent subclass is visible to templates by its class name once "
            "its module is imported)"
        )
    if not isinstance(component, type):
        raise TypeError(f"live_component() takes a LiveComponent class first, got {component!r}")
    id = assigns.get("id")
    if id is None:
        raise TypeError(
            f"live_component({component.__name__}) needs an id=, unique among the "
            f"{component.__name__} components of the page"
        )
    return ComponentCall(component, id, assigns)


def call_parts(node: nodes.Expr) -> nodes.Expr:
    """What a ``ComponentSlot`` evaluates for the call ``node``: for the common shape
    ``live_component(Card, id=..., title=...)`` the pair ``(Card, {"id": ..., "title": ...})``,
    which the slot hands to the sink as they are (it checks them, ``make_call``, when they
    name no component it has), so that a render does not pay for Jinja's ``context.call``,
    ``live_component``'s keyword arguments and a ``ComponentCall`` on each of a thousand rows;
    any other shape (``**attrs``, no class or two, a keyword twice) the call itself."""
    assert isinstance(node, nodes.Call)
    keys = [keyword.key for keyword in node.kwargs]
    if node.dyn_args or node.dyn_kwargs or len(node.args) != 1 or len(set(keys)) != len(keys):
        return node
    pairs = [nodes.Pair(nodes.Const(kw.key), kw.value) for kw in node.kwargs]
    parts = nodes.Tuple([node.args[0], nodes.Dict(pairs)], "load")
    parts.set_lineno(node.lineno)
    return parts


_BY_NAME: dict[str, dict[str, type]] = {}
"""Component classes by name, then module: what a template's bare ``Card`` means."""


named_components: dict[str, Any] = {}
"""What each name of ``_BY_NAME`` means in a template: its class, or ``AMBIGUOUS`` (then
``component_named`` says which, for the template at hand). Read directly by
``Scope.resolve_or_missing``, once per row of a list of components."""

AMBIGUOUS: Final = object()
"""In ``named_components``: several classes have this name."""


def register(component: type) -> None:
    """Make ``component`` visible to templates by its class name (``live_component(Card, ...)``
    without passing ``Card`` in); a class defined again in its module replaces the old one."""
    name = component.__name__
    found = _BY_NAME.setdefault(name, {})
    found[component.__module__] = component
    named_components[name] = component if len(found) == 1 else AMBIGUOUS


def component_classes() -> list[type]:
    """Every component class made visible so far (`register`)."""
    return [cls for classes in _BY_NAME.values() for cls in classes.values()]


def component_named(name: str, template: str | None = None) -> Any:
    """The component class a template's bare ``name`` means, or ``missing``. Classes of one
    name in several modules: the one of the module the template belongs to (an inline
    template is named ``module.Class``), else an error saying so, raised if the template calls
    it."""
    found = _BY_NAME.get(name)
    if not found:
        return missing
    if len(found) == 1:
        return next(iter(found.values()))
    if template is not None:
        for module, component in found.items():
            if template.startswith(module + "."):
                return component
    return _Ambiguous(name, tuple(found.values()))


class _Ambiguous:
    """A bare name that several component classes have: refused where it is used."""

    def __init__(self, name: str, classes: tuple[type, ...]) -> None:
        self.name = name
        self.classes = classes

    def __repr__(self) -> str:
        places = ", ".join(f"{cls.__module__}.{cls.__qualname__}" for cls in self.classes)
        return f"the name {self.name!r}, which several LiveComponent classes have ({places})"


class ComponentSink(Protocol):
    """Where a render hands its component calls (one per LiveView: its component table)."""

    @property
    def calls(self) -> int:
        """How many calls it has been handed (a render that made some is not shared)."""
        ...

    def cid_for(self, component: Any, assigns: dict[str, Any]) -> int:
        """The cid of the component ``live_component(component, **assigns)`` names (a new one
        for a new component), which is updated with ``assigns`` (at once or after this render
        pass) and rendered after it if that changed it. Raises what ``make_call`` raises for a
        call that is not one of a component (after the look-up that finds every good call)."""
        ...

    def hole_for(self, component: Any, assigns: dict[str, Any]) -> str:
        """A placeholder for the component's HTML in a dead render, filled in afterwards."""
        ...


class ComponentSlot(Step):
    """``{{ live_component(...) }}``: a slot holding the component's cid. ``evaluate`` gives
    the call's parts (``call_parts``) when ``parts``, else the call."""

    __slots__ = ("evaluate", "parts", "where")

    def __init__(self, evaluate: Evaluator, facts: StepFacts, where: str, parts: bool) -> None:
        super().__init__(facts)
        self.evaluate = evaluate
        self.where = where
        self.parts = parts

    def _call(self, ctx: Context) -> tuple[Any, dict[str, Any], ComponentSink]:
        """The component, the attributes and the sink (which checks the first two)."""
        if self.parts:
            component, assigns = self.evaluate(ctx)
        else:
            call = self.evaluate(ctx)
            if type(call) is not ComponentCall:
                raise TypeError(f"live_component() gave {call!r} ({self.where})")
            component, assigns = call.component, call.assigns
        sink: ComponentSink | None = getattr(ctx, "components", None)
        if sink is None:
            call = make_call(component, assigns)
            raise RuntimeError(
                f"{call!r} ({self.where}) renders only inside a LiveView (or a component)"
            )
        return component, assigns, sink

    def full(self, ctx: Context, out: WireNode, prints: NodePrint) -> None:
        component, assigns, sink = self._call(ctx)
        out[self.key] = prints[self.position] = sink.cid_for(component, assigns)

    def diff(self, ctx: Context, changed: Iterable[str], old: SlotPrint) -> SlotUpdate | _Same:
        # ``_call`` inlined for the common case: this runs once per row of a list of them
        sink: ComponentSink | None
        try:
            sink = ctx.components  # type: ignore[attr-defined]
        except AttributeError:  # not a Scope
            sink = None
        if self.parts and sink is not None:
            component, assigns = self.evaluate(ctx)
        else:
            component, assigns, sink = self._call(ctx)
        cid = sink.cid_for(component, assigns)
        return SAME if type(old) is int and old == cid else (cid, cid)

    def html(self, ctx: Context, parts: list[str], statics: list[str]) -> None:
        component, assigns, sink = self._call(ctx)
        parts.append(statics[self.index])
        parts.append(sink.hole_for(component, assigns))


class NoSingleRoot(ValueError):
    """A live component's template is not one HTML element (the client needs one root tag)."""


_TAG = re.compile(
    r"<!--.*?-->|<(/?)([A-Za-z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.DOTALL
)
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_COMMENTS = re.compile(r"\s*(?:<!--.*?-->\s*)*", re.DOTALL)


def single_root(root: Block, name: str) -> None:
    """Check that the block renders one element: after whitespace and comments it opens a
    tag, whose end tag closes the text, and no slot lies outside that element. Raises
    ``NoSingleRoot`` saying what is wrong. (Slots are read as text, which they are, or as part
    of a tag or attribute they stand in.)"""
    text = _SLOT.join(root.statics)
    head = _COMMENTS.match(text)
    assert head is not None
    if _TAG.match(text, head.end()) is None or text.startswith("<!--", head.end()):
        raise NoSingleRoot(
            f"live component {name} must render one HTML tag at its root "
            f"(its template starts with {root.statics[0][:40]!r})"
        )
    depth = 0
    for match in _TAG.finditer(text, head.end()):
        tag = match.group(2)
        if tag is None:  # a comment
            continue
        if match.group(1):
            depth -= 1
        elif tag.lower() not in _VOID and not match.group(3).rstrip().endswith("/"):
            depth += 1
        if depth <= 0:
            rest = text[match.end() :]
            if _COMMENTS.fullmatch(rest) is None:
                what = "a slot" if rest.strip().startswith(_SLOT) else repr(rest.strip()[:40])
                raise NoSingleRoot(
                    f"live component {name} renders {what} after its root tag "
                    f"<{tag.lower()}>: one tag must hold everything it renders"
                )
            return
    raise NoSingleRoot(f"live component {name}'s root tag is not closed at its end")


_SLOT = "\x01"


def _name(component: Any) -> str:
    return getattr(component, "__qualname__", repr(component))
