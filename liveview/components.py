"""The live components of one LiveView: their cids, their state, their renders.

A render of the page hands its ``live_component(...)`` calls here (``cid_for``, the template's
``ComponentSink``): a component already on the page keeps its cid, a new one takes the next.
After the render pass, ``render`` does the asynchronous part: it mounts the new components,
runs ``update`` (or the class's ``update_many``) with each call's attributes, and renders every
component whose assigns changed — which may call more components, handled in the same pass,
as Phoenix does. What it returns is the ``"c"`` map of the diff: a new component's complete
tree, whose statics are another component's of the same template when the client has one (an
integer ``s``: ``cid`` of this diff, or ``-cid`` of one the client holds), and a known
component's diff (nothing when nothing changed).

The client says when a component has left the page: ``cids_will_destroy`` marks it (a render
that calls it again revives it, with a complete tree, as the client reset it), then
``cids_destroyed`` deletes it if it is still marked. Until then it keeps its state and events.

In the dead render the calls get placeholders (``hole_for``), which ``fill`` replaces with each
component's HTML once it has mounted and rendered.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import TYPE_CHECKING, Any

from liveview.socket import ComponentSocket, LiveViewSocket
from liveview.template import RenderState, Template
from liveview.template.components import ComponentCall, single_root
from liveview.template.slots import Block
from liveview.template.wire import ROOT, STATIC
from liveview.view import LiveComponent, fixed_template, template_of, updates_many

if TYPE_CHECKING:
    from collections.abc import Iterable

logger = logging.getLogger("liveview")

Key = tuple[type[LiveComponent], Any]
"""A component's identity on its page: its class and its ``id``."""

SHARE_ATTEMPTS = 32
"""Components of one template looked at, at most, for one whose statics a new one can share
(Phoenix's bound: past it the statics are simply sent)."""


class DuplicateComponent(ValueError):
    """One render called two components of one class with the same ``id``."""


class UnknownComponent(LookupError):
    """An event or update for a cid the page does not have (never had, or deleted)."""


class _Component:
    """One live component on the page."""

    __slots__ = ("cid", "component", "html", "key", "marked", "on_client", "socket", "state")

    def __init__(self, cid: int, key: Key, component: LiveComponent, socket: ComponentSocket):
        self.cid = cid
        self.key = key
        self.component = component
        self.socket = socket
        self.state = RenderState()
        self.marked = False  # the client said it will destroy it
        self.on_client: Block | None = None  # root of the complete tree the client holds
        self.html = ""  # in the dead render

    def name(self) -> str:
        return f"{self.key[0].__qualname__} id={self.key[1]!r}"


class Components:
    """The live components of one LiveView (see the module docstring)."""

    def __init__(self, page: LiveViewSocket, owner: str, *, strict: bool = False) -> None:
        self._page = page
        self._owner = owner
        self._strict = strict  # an unassigned name rendered is an error (debug)
        self._by_cid: dict[int, _Component] = {}
        self._by_key: dict[Key, int] = {}
        self._by_root: dict[Block, dict[int, None]] = {}  # on the client, for shared statics
        self._next_cid = 1
        self._calls: list[tuple[int, ComponentCall]] = []
        self._dirty: dict[int, None] = {}
        self._seen: dict[Key, tuple[str, ComponentCall]] = {}
        self._caller = owner
        self._holes: str | None = None  # the placeholder prefix of a dead render
        self.calls = 0

    def __len__(self) -> int:
        return len(self._by_cid)

    def __contains__(self, cid: object) -> bool:
        return cid in self._by_cid

    @property
    def busy(self) -> bool:
        """Whether calls or changed components wait for ``render``."""
        return bool(self._calls or self._dirty)

    # what a render hands over ---------------------------------------------------------------

    def begin(self) -> None:
        """A render of the page begins: the check for duplicate ids starts over."""
        self._seen.clear()
        self._caller = self._owner

    def cid_for(self, call: ComponentCall) -> int:
        component = call.component
        if not issubclass(component, LiveComponent):
            raise TypeError(f"live_component() takes a LiveComponent class, got {component!r}")
        key: Key = (component, call.id)
        first = self._seen.get(key)
        if first is not None:
            raise DuplicateComponent(
                f"two {component.__qualname__} components with id={call.id!r} in one render: "
                f"{_described(first[1])} from {first[0]}, and {_described(call)} from "
                f"{self._caller}; an id must be unique among the {component.__qualname__} "
                "components of a page"
            )
        self._seen[key] = (self._caller, call)
        self.calls += 1
        cid = self._by_key.get(key)
        if cid is None:
            cid = self._next_cid
            self._next_cid += 1
            self._by_key[key] = cid
        self._calls.append((cid, call))
        return cid

    def hole_for(self, call: ComponentCall) -> str:
        if self._holes is None:
            self._holes = f"\x00lvc{secrets.token_hex(8)}:"
        return f"{self._holes}{self.cid_for(call)}\x00"

    # the asynchronous part --------------------------------------------------------------------

    async def render(self) -> dict[str, Any]:
        """Mount, update and render what the renders so far called and what changed: the
        ``"c"`` map of the diff (cids as strings, as in JSON)."""
        out: dict[str, Any] = {}
        fresh: dict[Block, int] = {}  # complete trees in this diff, by root, for shared statics
        while self._calls or self._dirty:
            calls, self._calls = self._calls, []
            await self._update_calls(calls)
            dirty, self._dirty = self._dirty, {}
            for cid in dirty:
                entry = self._by_cid[cid]
                tree = self._render(entry, fresh)
                if tree:
                    out[str(cid)] = tree
        self._seen.clear()
        return out

    async def fill(self, html: str) -> str:
        """The dead render's ``html`` with every component's HTML in place of its placeholder."""
        while self._calls:
            calls, self._calls = self._calls, []
            await self._update_calls(calls)
            for cid, _ in calls:
                entry = self._by_cid[cid]
                self._caller = entry.name()
                template = self._template(entry)
                entry.html = template.render_html(
                    entry.socket.render_input, self, strict=self._strict
                )
        self._dirty.clear()
        if self._holes is None:
            return html
        holes = re.compile(re.escape(self._holes) + r"(\d+)\x00")

        def fill_in(match: re.Match[str]) -> str:
            return holes.sub(fill_in, self._by_cid[int(match.group(1))].html)

        return holes.sub(fill_in, html)

    async def _update_calls(self, calls: list[tuple[int, ComponentCall]]) -> None:
        """Mount the new components called, then update every one called, by class."""
        groups: dict[type[LiveComponent], list[tuple[_Component, dict[str, Any]]]] = {}
        for cid, call in calls:
            entry = self._by_cid.get(cid)
            if entry is None:
                entry = await self._mount(cid, call)
            elif entry.marked:  # revived: the client reset it, so it gets a complete tree
                entry.marked = False
                entry.state.reset()
                self._dirty[cid] = None
            groups.setdefault(call.component, []).append((entry, dict(call.assigns)))
        for component, updates in groups.items():
            await self._update(component, updates)

    async def _mount(self, cid: int, call: ComponentCall) -> _Component:
        key: Key = (call.component, call.id)
        socket = ComponentSocket(cid=cid, id=call.id, page=self._page)
        entry = _Component(cid, key, call.component(), socket)
        await entry.component.mount(socket)
        self._by_cid[cid] = entry
        self._dirty[cid] = None
        return entry

    async def _update(
        self, component: type[LiveComponent], updates: list[tuple[_Component, dict[str, Any]]]
    ) -> None:
        if updates_many(component):
            await component.update_many([(assigns, entry.socket) for entry, assigns in updates])
        else:
            for entry, assigns in updates:
                await entry.component.update(assigns, entry.socket)
        for entry, _ in updates:
            if entry.socket.has_changes:
                self._dirty[entry.cid] = None

    def _template(self, entry: _Component) -> Template:
        component = entry.component
        template = fixed_template(component) or template_of(component, entry.socket.assigns)
        _check_root(template, type(component))
        return template

    def _render(self, entry: _Component, fresh: dict[Block, int]) -> dict[str, Any]:
        """The component's tree (complete, with shared statics where it can) or diff."""
        template = self._template(entry)
        changed = entry.socket.take_changed()
        state = entry.state
        full = not state.holds(template)
        self._caller = entry.name()
        tree = state.render(
            template,
            entry.socket.render_input,
            None if full else changed,
            self,
            strict=self._strict,
        )
        if not full:
            return tree
        tree = {**tree, ROOT: 1}
        root = template.root
        shared = fresh.get(root)
        if shared is not None:
            tree[STATIC] = shared
        else:
            held = self._held(root, entry.cid)
            if held is not None:
                tree[STATIC] = -held
            fresh[root] = entry.cid
        self._forget_root(entry)
        entry.on_client = root
        self._by_root.setdefault(root, {})[entry.cid] = None
        return tree

    def _held(self, root: Block, cid: int) -> int | None:
        """A component of the same template the client holds and keeps, other than ``cid``."""
        candidates = self._by_root.get(root)
        if not candidates:
            return None
        for attempt, other in enumerate(candidates):
            if attempt == SHARE_ATTEMPTS:
                break
            if other != cid and not self._by_cid[other].marked:
                return other
        return None

    def _forget_root(self, entry: _Component) -> None:
        if entry.on_client is not None:
            held = self._by_root.get(entry.on_client)
            if held is not None:
                held.pop(entry.cid, None)
                if not held:
                    del self._by_root[entry.on_client]
            entry.on_client = None

    # events and updates ------------------------------------------------------------------------

    async def handle_event(self, cid: int, event: str, payload: dict[str, Any]) -> Any:
        """The component's ``handle_event``; ``UnknownComponent`` if there is no such cid."""
        entry = self._by_cid.get(cid)
        if entry is None:
            raise UnknownComponent(f"no component with cid {cid} on this page")
        result = await entry.component.handle_event(event, payload, entry.socket)
        if entry.socket.has_changes:
            self._dirty[cid] = None
        return result

    async def send_update(
        self, component: type[LiveComponent], id: Any, assigns: dict[str, Any]
    ) -> bool:
        """A ``send_update``: update that component; False if the page has none such."""
        cid = self._by_key.get((component, id))
        entry = None if cid is None else self._by_cid.get(cid)
        if entry is None:
            logger.debug(
                "send_update: no %s component with id=%r on this page", component.__qualname__, id
            )
            return False
        await self._update(component, [(entry, {**assigns, "id": id})])  # as Phoenix: with id
        return True

    # the client's side of their lifetime ------------------------------------------------------

    def will_destroy(self, cids: Iterable[int]) -> None:
        """The client no longer shows these: mark them (a render may revive them)."""
        for cid in cids:
            entry = self._by_cid.get(cid)
            if entry is not None:
                entry.marked = True

    def destroyed(self, cids: Iterable[int]) -> list[int]:
        """Delete those of ``cids`` still marked; return them (the client prunes those)."""
        deleted = []
        for cid in cids:
            entry = self._by_cid.get(cid)
            if entry is not None and entry.marked:
                self._forget_root(entry)
                del self._by_cid[cid]
                del self._by_key[entry.key]
                self._dirty.pop(cid, None)
                deleted.append(cid)
        return deleted

    def reset(self) -> None:
        """The page renders a complete tree again (the client drops every component it holds,
        so every component starts over, as Phoenix does); cids keep counting up."""
        self._by_cid.clear()
        self._by_key.clear()
        self._by_root.clear()
        self._calls.clear()
        self._dirty.clear()


def _described(call: ComponentCall) -> str:
    attributes = ", ".join(f"{name}={value!r}" for name, value in call.assigns.items())
    text = f"live_component({call.component.__qualname__}, {attributes})"
    return text if len(text) <= 120 else text[:117] + "..."


_CHECKED: dict[Block, None] = {}
_CHECKED_LIMIT = 1024


def _check_root(template: Template, component: type[LiveComponent]) -> None:
    """``single_root`` once per template (a bounded memory of those already checked)."""
    root = template.root
    if root in _CHECKED:
        return
    single_root(root, component.__qualname__)
    if len(_CHECKED) >= _CHECKED_LIMIT:
        _CHECKED.clear()
    _CHECKED[root] = None
