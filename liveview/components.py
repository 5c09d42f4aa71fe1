"""The live components of one LiveView: their cids, their state, their renders.

A render of the page hands its ``live_component(...)`` calls here (``cid_for``, the template's
``ComponentSink``): a component already on the page keeps its cid, a new one takes the next.
A mounted component whose class keeps the default ``update`` is updated there and then
(``_give``: a page re-rendering a list of 1,000 row components costs a look-up and a comparison
a row, and only the rows whose attributes changed are rendered). After the render pass,
``render`` does the asynchronous part: it mounts the new components, runs ``update`` (or the
class's ``update_many``) with the other calls' attributes, and renders every component whose
assigns changed — which may call more components, handled in the same pass, as Phoenix does.
What it returns is the ``"c"`` map of the diff: a new component's complete tree, whose statics
are another component's of the same template when the client has one (an integer ``s``: ``cid``
of this diff, or ``-cid`` of one the client holds), and a known component's diff (nothing when
nothing changed).

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

import orjson

from liveview import telemetry
from liveview.asyncs import ASSIGN
from liveview.socket import COMPARED_BY_VALUE, ComponentSocket, LiveViewSocket
from liveview.template import RenderState, Template
from liveview.template.components import make_call, single_root
from liveview.template.slots import Block
from liveview.template.wire import ROOT, STATIC
from liveview.view import LiveComponent, fixed_template, template_of, updates_many

if TYPE_CHECKING:
    from collections.abc import Iterable

    from liveview.asyncs import AsyncDone

logger = logging.getLogger("liveview")

SHARE_ATTEMPTS = 32
"""Components of one template looked at, at most, for one whose statics a new one can share
(Phoenix's bound: past it the statics are simply sent)."""


class DuplicateComponent(ValueError):
    """One render called two components of one class with the same ``id``."""


class UnknownComponent(LookupError):
    """An event or update for a cid the page does not have (never had, or deleted)."""


class _Component:
    """One live component on the page."""

    __slots__ = (
        "cid",
        "component",
        "fast",
        "held",
        "html",
        "id",
        "marked",
        "more",
        "on_client",
        "pkey",
        "pprint",
        "pvalue",
        "socket",
        "state",
    )

    def __init__(self, cid: int, component: type[LiveComponent], id: Any, page: LiveViewSocket):
        self.cid = cid
        self.id = id
        self.component = component()
        self.socket = socket = ComponentSocket(cid=cid, id=id, page=page)
        self.held = socket.render_input  # its assigns, read by ``_give`` for each call
        self.state = RenderState()
        self.marked = False  # the client said it will destroy it
        self.fast = False  # mounted, not marked, the default update: ``cid_for`` does it
        self.on_client: Block | None = None  # root of the complete tree the client holds
        self.html = ""  # in the dead render
        # For ``_give``: the dict, list or tuple attrs it holds, with their fingerprints when
        # given: the first in three slots (no dict or tuple to reach on each call), the others
        # in ``more``.
        self.pkey: str | None = None
        self.pvalue: Any = None
        self.pprint = b""
        self.more: dict[str, tuple[Any, bytes]] | None = None

    def name(self) -> str:
        return f"{type(self.component).__qualname__} id={self.id!r}"

    def given(self, key: str) -> tuple[Any, bytes]:
        """The value of ``key`` fingerprinted when given, and its fingerprint (``_ABSENT``,
        ``b""`` if none)."""
        if key == self.pkey:
            return self.pvalue, self.pprint
        more = self.more
        return _NOTHING_GIVEN if more is None else more.get(key, _NOTHING_GIVEN)

    def remember(self, key: str, value: Any, print_: bytes | None) -> None:
        """``value`` given as ``key``, with its fingerprint (None: not plain data)."""
        if print_ is None:
            if key == self.pkey:
                self.pkey = self.pvalue = None
            elif self.more is not None:
                self.more.pop(key, None)
        elif self.pkey is None or key == self.pkey:
            self.pkey, self.pvalue, self.pprint = key, value, print_
        else:
            if self.more is None:
                self.more = {}
            self.more[key] = (value, print_)


class Components:
    """The live components of one LiveView (see the module docstring)."""

    def __init__(self, page: LiveViewSocket, owner: str, *, strict: bool = False) -> None:
        self._page = page
        self._owner = owner
        self._strict = strict  # an unassigned name rendered is an error (debug)
        self._by_cid: dict[int, _Component] = {}  # mounted
        # by class, then id: mounted, or called and not yet mounted
        self._by_class: dict[type[LiveComponent], dict[Any, _Component]] = {}
        self._by_root: dict[Block, dict[int, None]] = {}  # on the client, for shared statics
        self._next_cid = 1
        self._calls: list[tuple[_Component, dict[str, Any]]] = []  # for ``render``
        self._dirty: dict[int, None] = {}
        self._seen: dict[int, dict[str, Any]] = {}  # this render's calls' attrs, by cid
        # of those, the ones a component made: by whom (named only for an error)
        self._callers: dict[int, _Component] = {}
        self._caller: str | _Component = owner  # who renders now: the page or a component
        self._holes: str | None = None  # the placeholder prefix of a dead render

    def __len__(self) -> int:
        return len(self._by_cid)

    def __contains__(self, cid: object) -> bool:
        return cid in self._by_cid

    @property
    def calls(self) -> int:
        """Calls since this render of the page began (``ComponentSink.calls``)."""
        return len(self._seen)

    @property
    def busy(self) -> bool:
        """Whether calls or changed components wait for ``render``."""
        return bool(self._calls or self._dirty)

    # what a render hands over ---------------------------------------------------------------

    def begin(self) -> None:
        """A render of the page begins: the check for duplicate ids starts over."""
        self._seen.clear()
        self._callers.clear()
        self._caller = self._owner

    def cid_for(self, component: Any, assigns: dict[str, Any]) -> int:
        """The cid of ``live_component(component, **assigns)``. A component already on the
        page whose class keeps the default ``update`` is updated here and now (``_give``: only
        what changed marks it for a render); the other calls wait for ``render``, which mounts
        and updates them."""
        id = assigns.get("id")
        try:
            entry = self._by_class[component][id]
        except (KeyError, TypeError):  # a new one, or not a call of one
            entry = self._new(component, id, assigns)
            self._count(entry.cid, component, assigns)
            self._calls.append((entry, assigns))
            return entry.cid
        cid = entry.cid
        seen = self._seen  # ``_count`` inlined: this runs once per row of a list of them
        if cid in seen or self._caller is not self._owner:
            self._count(cid, component, assigns)
        else:
            seen[cid] = assigns
        if entry.fast:
            if self._give(entry, assigns):
                self._dirty[cid] = None
        else:
            self._calls.append((entry, assigns))
        return cid

    def _new(self, component: Any, id: Any, assigns: dict[str, Any]) -> _Component:
        """A component not on the page yet (mounted by ``render``), or a clear error."""
        make_call(component, assigns)  # a class and an id, or a clear error
        if not issubclass(component, LiveComponent):
            raise TypeError(f"live_component() takes a LiveComponent class, got {component!r}")
        by_id = self._by_class.setdefault(component, {})
        entry = by_id[id] = _Component(self._next_cid, component, id, self._page)  # or unhashable
        self._next_cid += 1
        return entry

    def _count(self, cid: int, component: type[LiveComponent], assigns: dict[str, Any]) -> None:
        """One more call in this render; a second one of ``cid`` is an error naming both."""
        seen = self._seen
        if cid in seen:
            name = component.__qualname__
            raise DuplicateComponent(
                f"two {name} components with id={assigns['id']!r} in one render: "
                f"{_described(component, seen[cid])} from "
                f"{_named(self._callers.get(cid, self._owner))}, and "
                f"{_described(component, assigns)} from {_named(self._caller)}; an id must be "
                f"unique among the {name} components of a page"
            )
        seen[cid] = assigns
        caller = self._caller
        if not isinstance(caller, str):
            self._callers[cid] = caller

    def settle(self) -> None:
        """The page rendered and nothing waits for ``render``: let go of the calls' attrs
        (a thousand dicts, for a list of rows that did not change)."""
        self._seen.clear()
        self._callers.clear()

    def hole_for(self, component: Any, assigns: dict[str, Any]) -> str:
        if self._holes is None:
            self._holes = f"\x00lvc{secrets.token_hex(8)}:"
        return f"{self._holes}{self.cid_for(component, assigns)}\x00"

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
        self.settle()
        return out

    async def fill(self, html: str) -> str:
        """The dead render's ``html`` with every component's HTML in place of its placeholder."""
        while self._calls:
            calls, self._calls = self._calls, []
            await self._update_calls(calls)
            for entry, _ in calls:
                self._caller = entry
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

    async def _update_calls(self, calls: list[tuple[_Component, dict[str, Any]]]) -> None:
        """Mount the new components called, then update every one called, by class."""
        groups: dict[type[LiveComponent], list[tuple[_Component, dict[str, Any]]]] = {}
        for entry, assigns in calls:
            cid = entry.cid
            component = type(entry.component)
            if cid not in self._by_cid:
                plain, no_mount = _kind(component)
                if not no_mount:
                    await entry.component.mount(entry.socket)
                self._by_cid[cid] = entry
                self._dirty[cid] = None
                entry.fast = plain
            elif entry.marked:  # revived: the client reset it, so it gets a complete tree
                entry.marked = False
                entry.state.reset()
                self._dirty[cid] = None
                entry.fast = default_update(component)
            groups.setdefault(component, []).append((entry, dict(assigns)))
        for component, updates in groups.items():
            await self._update(component, updates)

    async def _update(
        self, component: type[LiveComponent], updates: list[tuple[_Component, dict[str, Any]]]
    ) -> None:
        if default_update(component):
            for entry, assigns in updates:
                if self._give(entry, assigns):
                    self._dirty[entry.cid] = None
            return
        if telemetry.hooks.component_update:
            metadata = self._metadata(component, cids=[entry.cid for entry, _ in updates])
            await telemetry.span(
                "liveview.component.update", metadata, self._run_update(component, updates)
            )
        else:
            await self._run_update(component, updates)
        for entry, _ in updates:
            if entry.socket.has_changes:
                self._dirty[entry.cid] = None

    @staticmethod
    async def _run_update(
        component: type[LiveComponent], updates: list[tuple[_Component, dict[str, Any]]]
    ) -> None:
        """The component's own `update_many` or `update` (not the default update)."""
        if updates_many(component):
            await component.update_many([(assigns, entry.socket) for entry, assigns in updates])
        else:
            for entry, assigns in updates:
                await entry.component.update(assigns, entry.socket)

    def _metadata(self, component: type[LiveComponent], **more: Any) -> dict[str, Any]:
        """What a telemetry event of a live component's callback carries, and `more`."""
        page = self._page
        return {"component": component, "socket_id": page.id, "socket": page, **more}

    def _give(self, entry: _Component, attrs: dict[str, Any]) -> bool:
        """The default ``update``, ``socket.assign(**attrs)``, except that a dict, list or tuple
        equal to the one the component holds does not count as changed (as in Phoenix, where
        a row component given the same row again does not render): what it holds is compared
        by its fingerprint when given (``_fingerprint``), so one changed in place since is
        seen as changed. Returns whether anything changed. (Once per row of a list the page
        renders again: kept lean.)"""
        held = entry.held
        changed: dict[str, Any] | None = None
        for key, value in attrs.items():
            old = held.get(key, _ABSENT)
            kind = type(value)
            if kind is type(old):
                if kind in _SCALARS:
                    if old is value or old == value:
                        continue
                elif kind in _CONTAINERS:
                    known, print_ = entry.given(key)
                    if known is old:
                        try:
                            same = orjson.dumps(value, option=_EXACT) == print_
                        except TypeError:
                            same = False
                        if same:
                            if old is not value:
                                entry.socket.keep(key, value)
                                entry.remember(key, value, print_)
                            continue
                elif isinstance(value, COMPARED_BY_VALUE) and old == value:
                    continue
            if changed is None:
                changed = {}
            changed[key] = value
        if changed is None:
            return False
        socket = entry.socket
        socket.assign(**changed)
        for key, value in changed.items():
            if type(value) in _CONTAINERS:
                entry.remember(key, value, _fingerprint(value))
            elif key == entry.pkey or entry.more:
                entry.remember(key, value, None)
        return socket.has_changes

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
        self._caller = entry
        tree = state.render(
            template,
            entry.socket.render_input,
            None if full else changed,
            self,
            strict=self._strict,
        )
        entry.socket.rendered()  # its stream rows are sent: forget them
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
        call = entry.component.handle_event(event, payload, entry.socket)
        if telemetry.hooks.component_handle_event:
            metadata = self._metadata(
                type(entry.component), cid=cid, component_id=entry.id, event=event, params=payload
            )
            result = await telemetry.span("liveview.component.handle_event", metadata, call)
        else:
            result = await call
        if entry.socket.has_changes:
            self._dirty[cid] = None
        return result

    async def send_update(
        self, component: type[LiveComponent], id: Any, assigns: dict[str, Any]
    ) -> bool:
        """A ``send_update``: update that component; False if the page has none such."""
        entry = self._by_class.get(component, {}).get(id)
        if entry is None or entry.cid not in self._by_cid:
            logger.debug(
                "send_update: no %s component with id=%r on this page", component.__qualname__, id
            )
            return False
        await self._update(component, [(entry, {**assigns, "id": id})])  # as Phoenix: with id
        return True

    async def handle_async(self, done: AsyncDone) -> None:
        """A task's outcome for the component that started it (nothing if it has left)."""
        cid = done.owner
        entry = None if cid is None else self._by_cid.get(cid)
        if entry is None:
            return
        if done.kind == ASSIGN:
            entry.socket.settle_async(done)
        else:
            await entry.component.handle_async(done.name, done.outcome, entry.socket)
        if entry.socket.has_changes:
            self._dirty[entry.cid] = None

    # the client's side of their lifetime ------------------------------------------------------

    def will_destroy(self, cids: Iterable[int]) -> None:
        """The client no longer shows these: mark them (a render may revive them)."""
        for cid in cids:
            entry = self._by_cid.get(cid)
            if entry is not None:
                entry.marked = True
                entry.fast = False

    def destroyed(self, cids: Iterable[int]) -> list[int]:
        """Delete those of ``cids`` still marked; return them (the client prunes those)."""
        deleted = []
        for cid in cids:
            entry = self._by_cid.get(cid)
            if entry is not None and entry.marked:
                self._forget_root(entry)
                self._page.end_asyncs(cid)  # nothing outlives its component
                del self._by_cid[cid]
                del self._by_class[type(entry.component)][entry.id]
                self._dirty.pop(cid, None)
                deleted.append(cid)
        return deleted

    def reset(self) -> None:
        """The page renders a complete tree again (the client drops every component it holds,
        so every component starts over, as Phoenix does); cids keep counting up."""
        self._page.end_asyncs()
        self._by_cid.clear()
        self._by_class.clear()
        self._by_root.clear()
        self._calls.clear()
        self._dirty.clear()


_ABSENT: Any = object()
_NOTHING_GIVEN: tuple[Any, bytes] = (_ABSENT, b"")

_SCALARS = frozenset({str, int, float, bool, bytes, type(None)})
"""Of ``COMPARED_BY_VALUE`` (what ``socket.assign`` compares by value), the exact scalar types:
looked up before ``isinstance``."""

_CONTAINERS = frozenset({dict, list, tuple})
"""Attrs ``_give`` compares by fingerprint."""

_EXACT = (
    orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
)


def _fingerprint(value: Any) -> bytes | None:
    """``value`` (a dict, list or tuple) as JSON, when it is plain data: str, int, float, bool
    and None in dicts (str keys), lists and tuples, exactly those types (no subclass, no
    object, no date). Two values with one fingerprint render alike, except that JSON does not
    tell a tuple inside from a list, NaN and infinities from None, or an ``Enum`` from its
    value. None for anything else (which then always counts as changed, as in ``assign``).
    C speed: about a fifth of a microsecond for a row of three fields. A copy: orjson's bytes
    keep a 4 KB buffer each."""
    try:
        return bytes(memoryview(orjson.dumps(value, option=_EXACT)))
    except TypeError:
        return None


def default_update(component: type[LiveComponent]) -> bool:
    """Whether ``update`` is ``LiveComponent``'s own (assign everything) and ``update_many``
    is not defined: then ``Components._give`` does it, without awaiting a coroutine a call."""
    return _kind(component)[0]


def _kind(component: type[LiveComponent]) -> tuple[bool, bool]:
    """Whether the class keeps the default ``update`` (``default_update``) and the default
    ``mount`` (nothing to await), looked up once per class (a bounded memory of them)."""
    kind = _KINDS.get(component)
    if kind is None:
        if len(_KINDS) >= _KINDS_LIMIT:
            _KINDS.clear()
        kind = _KINDS[component] = (
            component.update is LiveComponent.update and not updates_many(component),
            component.mount is LiveComponent.mount,
        )
    return kind


_KINDS: dict[type[LiveComponent], tuple[bool, bool]] = {}
_KINDS_LIMIT = 1024


def _named(caller: str | _Component) -> str:
    return caller if isinstance(caller, str) else caller.name()


def _described(component: type[LiveComponent], assigns: dict[str, Any]) -> str:
    attributes = ", ".join(f"{name}={value!r}" for name, value in assigns.items())
    text = f"live_component({component.__qualname__}, {attributes})"
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
