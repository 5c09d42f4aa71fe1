"""`on_mount` hooks: what runs before every `mount` of a group of LiveViews (sign-in checks).

A hook has `mount`'s arguments and runs just before it, in the dead render and again in the
connected mount (a live navigation included: the HTTP stack is not run then, the hooks are)::

    async def require_user(socket, session, params):
        user = await users.get(session.get("user_id"))
        if user is None:
            socket.put_flash("error", "Please sign in.")
            socket.redirect("/sign-in")      # halts: no later hook, no mount
        else:
            socket.assign(current_user=user)

It continues by returning (None); it halts by asking for a navigation (`socket.redirect`,
`socket.push_navigate`, `socket.push_patch`), as Phoenix's `{:halt, socket}` after a redirect.
A plain function works as well as a coroutine function. An exception fails that LiveView only,
as one in `mount` does. The app's hooks (`LiveViewApp(on_mount=)`) run first, then the live
session's (`LiveSession(on_mount=)`), then the LiveView's own (its `on_mount` class attribute).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from liveview.socket import LiveViewSocket

OnMount = Callable[["LiveViewSocket", dict[str, Any], dict[str, Any]], Awaitable[None] | None]
"""An `on_mount` hook: `hook(socket, session, params)`, `mount`'s arguments."""


def checked_hooks(hooks: Sequence[OnMount] | None, owner: str) -> tuple[OnMount, ...]:
    """`hooks` as a tuple, each checked callable now rather than at the first request."""
    if hooks is None:
        return ()
    if callable(hooks) or isinstance(hooks, (str, bytes)):
        raise TypeError(f"{owner}: on_mount takes a list of hooks, not {hooks!r}")
    found = tuple(hooks)
    for hook in found:
        if not callable(hook):
            raise TypeError(f"{owner}: an on_mount hook must be callable, not {hook!r}")
    return found


async def run_hooks(
    hooks: Sequence[OnMount],
    socket: LiveViewSocket,
    session: dict[str, Any],
    params: dict[str, Any],
) -> bool:
    """Run `hooks` in order; False as soon as one halts (asked for a navigation)."""
    for hook in hooks:
        result = hook(socket, session, params)
        if inspect.isawaitable(result):
            await result
        if socket.navigating:
            return False
    return True
