"""The `LiveView` base class: the lifecycle callbacks a page implements.

A subclass gives a template (inline `template`, a `template_file` beside its module, or a
`render` override) and any of the async callbacks. The framework calls them one at a time per
LiveView instance, in arrival order, so they never need locks.
"""

from __future__ import annotations

import inspect
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from liveview.template import Template

if TYPE_CHECKING:
    from liveview.socket import Assigns, LiveViewSocket


class UnknownEvent(Exception):
    """Raised by the default `handle_event`: the client sent an event this view has no use for.

    The client gets an error reply naming the event; the LiveView keeps running.
    """

    def __init__(self, event: str) -> None:
        super().__init__(f"unknown event {event!r}")
        self.event = event


class MessagesDropped:
    """Handed to `handle_info` when this LiveView fell so far behind its infos (pub/sub
    messages, timers, `send_info`) that its mailbox filled up (`mailbox_size` infos, or
    `mailbox_info_bytes` of pub/sub messages): the `count` waiting then were dropped. Like
    `PubSubGap`, it says: reload what you show from the source of truth.
    (Infos that arrive while others wait are handled together and rendered once, so a LiveView
    whose `handle_info` keeps up never gets this; one stuck awaiting something may.)"""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count

    def __repr__(self) -> str:
        return f"MessagesDropped(count={self.count})"


class LiveView:
    """Base class of a server-side page; `template`, `template_file` or `render` is required."""

    template: ClassVar[str | None] = None
    template_file: ClassVar[str | None] = None
    share_renders: ClassVar[bool] = True
    """Reuse the diff another LiveView computed from the same tree and the same assign values
    (one publish to many subscribers renders once). Set False if the template calls something
    impure of yours (a clock, a counter): see `liveview.template.sharing`."""
    _compiled: ClassVar[Template | None] = None

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

    async def shutdown(self, socket: LiveViewSocket) -> None:
        """The LiveView is ending (leave, navigation away, or the websocket closed)."""

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
        if cls.template is not None:
            return Template(cls.template, name=f"{cls.__module__}.{cls.__qualname__}")
        if cls.template_file is not None:
            module_file = inspect.getfile(cls)
            return Template.from_file(Path(module_file).parent / cls.template_file)
        raise TypeError(
            f"{cls.__qualname__} has no template: "
            "set `template` or `template_file`, or override `render`"
        )


@lru_cache(maxsize=256)
def _template_from_source(source: str) -> Template:
    return Template(source, name="<render>")


def fixed_template(view: LiveView) -> Template | None:
    """The view's template when it is the same on every render (`render` not overridden), so
    that a caller rendering many times can take it once; None when `render` chooses."""
    cls = type(view)
    return cls.compiled_template() if cls.render is LiveView.render else None


def template_of(view: LiveView, assigns: Assigns) -> Template:
    """What `view.render` returned, as a compiled Template (source strings compiled once)."""
    result = view.render(assigns)
    return _template_from_source(result) if isinstance(result, str) else result


async def start_view(
    view: LiveView,
    socket: LiveViewSocket,
    session: dict[str, Any],
    params: dict[str, Any],
    url: str,
) -> None:
    """How every LiveView starts, in the dead render and when it joins: `mount`, then
    `handle_params` with the same params."""
    await view.mount(socket, session, params)
    await view.handle_params(url, params, socket)
