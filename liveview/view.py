"""The `LiveView` and `LiveComponent` base classes: the lifecycle callbacks a page and a
live component implement.

A subclass gives a template (inline `template`, a `template_file` beside its module, or a
`render` override) and any of the async callbacks. The framework calls them one at a time per
LiveView instance (its components included), in arrival order, so they never need locks.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from liveview import telemetry
from liveview.on_mount import OnMount, run_hooks
from liveview.template import Template, flash
from liveview.template.components import register
from liveview.template.deps import union
from liveview.template.environment import environment_for_file

if TYPE_CHECKING:
    import jinja2

    from liveview.asyncs import AsyncResult
    from liveview.socket import Assigns, ComponentSocket, LiveViewSocket


class UnknownEvent(Exception):
    """Raised by the default `handle_event`: the client sent an event this view has no use for.

    The client gets an error reply naming the event; the LiveView keeps running.
    """

    def __init__(self, event: str) -> None:
        super().__init__(f"unknown event {event!r}")
        self.event = event


class MessagesDropped:
    """Why `handle_gap(None, socket)` is called: this LiveView fell so far behind its infos
    (pub/sub messages, timers, `send_info`) that its mailbox filled up (`mailbox_size` infos,
    or `mailbox_info_bytes` of pub/sub messages), and the `count` waiting then were dropped.
    Like a `PubSubGap`, it says: reload what you show from the source of truth.
    (Infos that arrive while others wait are handled together and rendered once, so a LiveView
    whose `handle_info` keeps up never gets this; one stuck awaiting something may.)"""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count

    def __repr__(self) -> str:
        return f"MessagesDropped(count={self.count})"


class Rendered:
    """What a LiveView and a live component share: a template, or a `render` that chooses."""

    template: ClassVar[str | None] = None
    template_file: ClassVar[str | None] = None
    _compiled: ClassVar[Template | None] = None
    _callbacks: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in cls._callbacks:
            method = cls.__dict__.get(name)
            if isinstance(method, classmethod | staticmethod):
                method = method.__func__
            if method is not None and not inspect.iscoroutinefunction(method):
                raise TypeError(
                    f"{cls.__qualname__}.{name} must be `async def` (the framework awaits it)"
                )

    def render(self, assigns: Assigns) -> Template | str:
        """The template to render; a Jinja source string is compiled once and cached."""
        return type(self).compiled_template()

    @classmethod
    def compiled_template(cls) -> Template:
        """The class's template, compiled on first use and shared by every instance."""
        compiled = cls.__dict__.get("_compiled")
        if compiled is None:
            compiled = cls._compile()
            cls._compiled = compiled
        return compiled

    @classmethod
    def _compile(cls) -> Template:
        source, name, environment, filename = cls._source()
        return Template(source, name, environment=environment, filename=filename)

    @classmethod
    def _source(cls) -> tuple[str, str, jinja2.Environment | None, str | None]:
        """The template's source, name, environment and file (`Template`'s arguments)."""
        if cls.template is not None:
            return cls.template, f"{cls.__module__}.{cls.__qualname__}", None, None
        if cls.template_file is not None:
            path = Path(inspect.getfile(cls)).parent / cls.template_file
            filename = os.fspath(path)
            source = path.read_text(encoding="utf-8")
            return source, path.name, environment_for_file(filename), filename
        raise TypeError(
            f"{cls.__qualname__} has no template: "
            "set `template` or `template_file`, or override `render`"
        )


class LiveView(Rendered):
    """Base class of a server-side page; `template`, `template_file` or `render` is required.

    A `template` or `template_file` that does not render `flash` itself shows the flash
    messages at its end (`{{ flash_group(flash) }}`, dismissable; see `template.flash`)."""

    _callbacks = (
        "mount",
        "handle_params",
        "handle_event",
        "handle_info",
        "handle_gap",
        "handle_async",
        "shutdown",
    )

    temporary_assigns: ClassVar[Mapping[str, Any]] = {}
    """Assigns put back to these defaults after every render, without re-rendering (Phoenix's
    `temporary_assigns`): what a render showed once and the server need not keep. Assigned
    before `mount` unless it assigns them itself. Lists of rows to keep showing are streams
    (`socket.stream`)."""

    on_mount: ClassVar[Sequence[OnMount]] = ()
    """Hooks run before `mount` (after the app's and the live session's): see
    `liveview.on_mount`."""

    share_renders: ClassVar[bool] = True
    """Reuse the diff another LiveView computed from the same tree and the same assign values
    (one publish to many subscribers renders once). Set False if the template calls something
    impure of yours (a clock, a counter): see `liveview.template.sharing`."""

    @classmethod
    def _compile(cls) -> Template:
        return with_flash(*cls._source())

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        """Set the initial assigns. Runs twice per page: the HTTP dead render, then connected."""

    async def handle_params(self, url: str, params: dict[str, Any], socket: LiveViewSocket) -> None:
        """React to the URL (after mount, and on every live patch)."""

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> Any:
        """An event from the browser. A returned dict is the reply to a hook's `pushEvent`."""
        raise UnknownEvent(event)

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        """A message from `socket.send_info` or a subscribed pub/sub topic."""

    async def handle_gap(self, topic: str | None, socket: LiveViewSocket) -> None:
        """Messages may have been missed: on `topic` (the broker connection was lost and is
        back), or on every topic (None: this LiveView fell behind its mailbox and messages
        were dropped). Reload what you show from the source of truth. Nothing by default."""

    async def handle_async(self, name: Any, result: AsyncResult, socket: LiveViewSocket) -> None:
        """A task of `socket.start_async(name, fn)` ended: `result.ok` and `result.result`, or
        `result.failed` (the exception it raised; `AsyncCancelled` if `cancel_async` stopped
        it). Not defined by default: a LiveView that starts tasks defines it."""
        raise NotImplementedError(_no_handle_async(self, name))

    async def shutdown(self, socket: LiveViewSocket) -> None:
        """The LiveView is ending (leave, navigation away, or the websocket closed)."""


class LiveComponent(Rendered):
    """Base class of a live component: a part of a page with its own assigns, events and diffs.

    Rendered from a template with `{{ live_component(Card, id="c1", title=...) }}`; the `id`
    names it among the page's components of its class. One instance per component on the page:
    `mount` runs once, when it first renders; `update` runs each time the page renders the call
    again (with the attributes given, `id` among them) or someone calls `send_update`. Its
    template must render one root tag. Events whose `phx-target` is the component
    (`phx-target="{{ myself }}"`, or a selector of an element inside it) go to its
    `handle_event`. An exception in any callback fails the whole page's LiveView, as Phoenix.
    """

    _callbacks = ("mount", "update", "update_many", "handle_event", "handle_async")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        register(cls)

    async def mount(self, socket: ComponentSocket) -> None:
        """Set the initial assigns (before the first `update`)."""

    async def update(self, assigns: dict[str, Any], socket: ComponentSocket) -> None:
        """The attributes the page rendered it with, or a `send_update`'s: by default assigned
        as they are, except that a dict, list or tuple of plain data equal to the one the
        component holds (its contents when it was given, so a change in place counts) is not
        a change, as in Phoenix: a page that re-assigns its list of 1,000 rows renders only
        the row components whose row changed. (This default is done without calling this
        method; an override gets every call and `assign`'s rules.)"""
        socket.assign(**assigns)

    @classmethod
    async def update_many(cls, updates: list[tuple[dict[str, Any], ComponentSocket]]) -> None:
        """Optional, instead of `update`: every component of this class that one render
        updates, at once (say, to load their rows in one query). Not defined by default."""
        raise NotImplementedError

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: ComponentSocket
    ) -> Any:
        """An event targeted at this component. A returned dict is the reply to a hook's
        `pushEvent`."""
        raise UnknownEvent(event)

    async def handle_async(self, name: Any, result: AsyncResult, socket: ComponentSocket) -> None:
        """A task this component started with `socket.start_async(name, fn)` ended (see
        `LiveView.handle_async`). Not defined by default."""
        raise NotImplementedError(_no_handle_async(self, name))


def _no_handle_async(owner: Rendered, name: Any) -> str:
    cls = type(owner).__qualname__
    return (
        f"{cls} started a task with start_async({name!r}) but has no handle_async to take "
        f"its result: define `async def handle_async(self, name, result, socket)` on {cls}"
    )


def compile_now(view: type[Rendered]) -> None:
    """Compile the class's template if it has a fixed one (`render` not overridden; a class
    with neither `template` nor `template_file` is left to fail when it renders, if it does:
    a component base class has none)."""
    if view.render is Rendered.render and (view.template or view.template_file):
        view.compiled_template()


def with_flash(
    source: str,
    name: str | None = None,
    environment: jinja2.Environment | None = None,
    filename: str | None = None,
) -> Template:
    """The template of `source`, or when it does not read `flash` at all, it with the flash
    messages shown at its end (appended on its last line: error lines keep their numbers).
    Compiled once, with the call appended, unless the rest turns out to read `flash` (or may
    read any name): then again without it."""
    # before a final newline, which Jinja drops from the end of a template and would not here
    body, end = (source[:-1], "\n") if source.endswith("\n") else (source, "")
    try:
        template = Template(
            body + flash.CALL + end, name, environment=environment, filename=filename
        )
    except Exception:  # an error of the source's own: raised as the source alone raises it
        return Template(source, name, environment=environment, filename=filename)
    steps = template.root.steps
    names = union(*(step.facts.names for step in steps[:-1]))  # the call is the last step
    if names is None or "flash" in names:
        return Template(source, name, environment=environment, filename=filename)
    return template


def updates_many(component: type[LiveComponent]) -> bool:
    """Whether the class defines `update_many` (then it is called instead of `update`)."""
    return component.update_many.__func__ is not LiveComponent.update_many.__func__  # type: ignore[attr-defined]


@lru_cache(maxsize=256)
def _template_from_source(source: str) -> Template:
    return Template(source, name="<render>")


def fixed_template(view: Rendered) -> Template | None:
    """The view's template when it is the same on every render (`render` not overridden), so
    that a caller rendering many times can take it once; None when `render` chooses."""
    cls = type(view)
    return cls.compiled_template() if cls.render is Rendered.render else None


def template_of(view: Rendered, assigns: Assigns) -> Template:
    """What `view.render` returned, as a compiled Template (source strings compiled once)."""
    result = view.render(assigns)
    return _template_from_source(result) if isinstance(result, str) else result


async def start_view(
    view: LiveView,
    socket: LiveViewSocket,
    session: dict[str, Any],
    params: dict[str, Any],
    url: str,
    hooks: Sequence[OnMount] = (),
) -> None:
    """How every LiveView starts, in the dead render and when it joins: the `on_mount` hooks
    (`hooks`, then the view's own), then `mount`, then `handle_params` with the same params;
    a hook that asks for a navigation halts it there."""
    if view.temporary_assigns:
        socket.set_temporary(view.temporary_assigns)
    all_hooks = (*hooks, *view.on_mount) if view.on_mount else hooks
    if all_hooks and not await run_hooks(all_hooks, socket, session, params):
        return
    if telemetry.hooks.mount:
        metadata = view_metadata(view, socket, params=params, session=session, uri=url)
        await telemetry.span("liveview.mount", metadata, view.mount(socket, session, params))
    else:
        await view.mount(socket, session, params)
    if telemetry.hooks.handle_params:
        metadata = view_metadata(view, socket, params=params, uri=url)
        call = view.handle_params(url, params, socket)
        await telemetry.span("liveview.handle_params", metadata, call)
    else:
        await view.handle_params(url, params, socket)


def view_metadata(view: LiveView, socket: LiveViewSocket, **more: Any) -> dict[str, Any]:
    """What every telemetry event of a LiveView's callback carries, and `more`."""
    return {
        "view": type(view),
        "socket_id": socket.id,
        "connected": socket.connected,
        "socket": socket,
        **more,
    }
