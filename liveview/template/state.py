"""``RenderState``: what one LiveView's client holds, so each render sends only a diff."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import undefined
from .components import ComponentSink
from .prints import SAME, NodePrint, WireNode, _Same
from .sharing import SharedRender
from .streams import Streams, StreamsKey
from .template import Template


class RenderState:
    """The prints of the last tree sent to one client (one per LiveView instance).

    ``render`` returns the full tree (with ``"s"``) on the first call, after ``reset``, when the
    template changed, or when ``changed`` is ``None``; otherwise the minimal diff (``{}`` when
    nothing changed). ``changed`` names the assigns changed since the last render; a slot that
    reads none of them is not evaluated at all. To diff with unknown changes, pass every assign
    name (``changed=assigns.keys()``).

    If a render raises (an error in the template or in user code it calls), the prints are
    dropped, so the next render is full: the client must then get a full tree (rejoin).
    Renders of one state must be sent in the order they are made.

    ``components`` is where ``{{ live_component(...) }}`` slots hand their calls (see
    ``components``); a template that calls none needs none.
    """

    __slots__ = ("_prints",)

    def __init__(self) -> None:
        self._prints: NodePrint | None = None

    def render(
        self,
        template: Template,
        assigns: Mapping[str, Any],
        changed: Iterable[str] | None = None,
        components: ComponentSink | None = None,
        *,
        strict: bool = False,
    ) -> WireNode:
        root = template.root
        prints = self._prints
        ctx = template.scope(assigns)
        if components is not None:
            ctx.components = components
        try:
            if changed is None or prints is None or prints[0] is not root:
                tree, self._prints = root.full(ctx)
                if undefined.pending:
                    undefined.check(template, assigns, strict)
                return tree
            result: tuple[WireNode, NodePrint] | _Same = root.diff(ctx, changed, prints)
            if undefined.pending:
                undefined.check(template, assigns, strict)
        except BaseException:
            self._prints = None
            undefined.pending.clear()
            raise
        if result is SAME:
            return {}
        self._prints = result[1]
        return result[0]

    def render_shared(
        self,
        template: Template,
        assigns: Mapping[str, Any],
        changed: Iterable[str] | None = None,
        components: ComponentSink | None = None,
        *,
        strict: bool = False,
    ) -> SharedRender:
        """``render``, reusing the render of another state that held the same prints and read
        the same values (see ``sharing``). The result is shared: never mutate its ``diff``.

        A render that called live components is not offered to others: its cids are this
        LiveView's, and the calls it made (the component updates) would not be made again."""
        shared = template.shared
        prints = self._prints
        before = (
            None if changed is None or prints is None or prints[0] is not template.root else prints
        )
        plan, changed_reads, values = shared.key(assigns, None if before is None else changed)
        streams: list[tuple[Streams, StreamsKey]] = []
        if plan.streams and Streams in map(type, values):
            # Streams match by their operations, not by identity (see ``streams.StreamsKey``);
            # a large batch is this LiveView's alone, and is not kept (rows are to be
            # forgotten once sent).
            values, streams = _stream_keys(values)
            if any(key.large for _, key in streams):
                diff = self.render(template, assigns, changed_reads, components, strict=strict)
                return SharedRender(plan, before, values, diff, self._prints)
        found = shared.find(plan, before, values)
        if found is not None:
            self._prints = found.after if found.before is before else found.prints_from(before)
            for own, key in streams:
                key.mark_sent(own, found.values)
            return found
        calls = 0 if components is None else components.calls
        diff = self.render(template, assigns, changed_reads, components, strict=strict)
        for own, key in streams:
            key.sent = own._sent()
        render = SharedRender(plan, before, values, diff, self._prints)
        if components is None or components.calls == calls:
            shared.remember(render)
        return render

    def holds(self, template: Template) -> bool:
        """Whether the client holds a tree of ``template`` (else the next render is full)."""
        prints = self._prints
        return prints is not None and prints[0] is template.root

    def reset(self) -> None:
        """Forget what the client holds: the next render is a full tree."""
        self._prints = None


def _stream_keys(
    values: tuple[Any, ...],
) -> tuple[tuple[Any, ...], list[tuple[Streams, StreamsKey]]]:
    """``values`` with each ``Streams`` replaced by its key, and the pairs replaced."""
    pairs: list[tuple[Streams, StreamsKey]] = []
    out = []
    for value in values:
        if type(value) is Streams:
            key = StreamsKey(value)
            pairs.append((value, key))
            value = key
        out.append(value)
    return tuple(out), pairs
