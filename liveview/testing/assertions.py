"""Assertions on what a LiveView did besides its HTML: where it sent the browser, and the
events it pushed to it (Phoenix.LiveViewTest's `assert_redirect`, `assert_patch`,
`assert_push_event` and their `refute_*`).

An `assert_*` takes the first matching navigation or event the view has not had asserted yet
(so two pushes of one event are asserted twice), waiting for it — applying what the server
pushes meanwhile — up to `timeout` seconds: what a `handle_info` or an async task does arrives
after the click that started it. A `refute_*` first lets the view handle everything sent to it
before (`LiveViewTest.sync`), then checks that nothing matching has come; it never sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from liveview.channel.protocol import LIVE_PATCH
from liveview.testing.navigation import REDIRECTS, Navigation, same_place
from liveview.testing.view import LiveViewTest
from liveview.testing.websocket import DEFAULT_TIMEOUT

T = TypeVar("T")


async def assert_redirect(
    view: LiveViewTest, to: str | None = None, *, timeout: float = DEFAULT_TIMEOUT
) -> Navigation:
    """The view redirected (`socket.redirect`, a full page load, or `push_navigate`, a live
    one), to `to` if given (a path, with its query if any). Returns the `Navigation`: `.to`,
    `.kind`, `.flash` (the signed token `follow_redirect` carries along)."""
    found = await _take(
        view,
        view.unasserted_navigations,
        lambda n: n.kind in REDIRECTS,
        lambda: f"a redirect{_to(to)}",
        _navigations,
        timeout,
    )
    _check_to(found, to, "redirect")
    return found


async def assert_patch(
    view: LiveViewTest, to: str | None = None, *, timeout: float = DEFAULT_TIMEOUT
) -> str:
    """The view patched its URL (`socket.push_patch`, a patch link, `JS.patch`), to `to` if
    given; returns the path it patched to."""
    found = await _take(
        view,
        view.unasserted_navigations,
        lambda n: n.kind == LIVE_PATCH,
        lambda: f"a patch{_to(to)}",
        _navigations,
        timeout,
    )
    _check_to(found, to, "patch")
    return found.to


async def assert_push_event(
    view: LiveViewTest,
    event: str,
    payload: Any = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> Any:
    """The view pushed `event` (`socket.push_event`), with `payload` if given (equal, not
    contained); returns the payload it pushed."""
    found = await _take(
        view,
        view.unasserted_events,
        lambda e: e[0] == event and (payload is None or e[1] == payload),
        lambda: f"a push_event {event!r}" + (f" with {payload!r}" if payload is not None else ""),
        _events,
        timeout,
    )
    return found[1]


async def refute_redirect(view: LiveViewTest, to: str | None = None) -> None:
    """The view has not redirected (to `to`, if given) by the time it has handled what was
    sent to it."""
    await view.sync()
    _refute(
        view.unasserted_navigations,
        lambda n: n.kind in REDIRECTS and (to is None or same_place(to, n.to)),
        f"no redirect{_to(to)}",
    )


async def refute_patch(view: LiveViewTest, to: str | None = None) -> None:
    """The view has not patched its URL (to `to`, if given)."""
    await view.sync()
    _refute(
        view.unasserted_navigations,
        lambda n: n.kind == LIVE_PATCH and (to is None or same_place(to, n.to)),
        f"no patch{_to(to)}",
    )


async def refute_push_event(view: LiveViewTest, event: str, payload: Any = None) -> None:
    """The view has not pushed `event` (with `payload`, if given)."""
    await view.sync()
    _refute(
        view.unasserted_events,
        lambda e: e[0] == event and (payload is None or e[1] == payload),
        f"no push_event {event!r}" + (f" with {payload!r}" if payload is not None else ""),
    )


# --- the waiting -------------------------------------------------------------------------------


async def _take(
    view: LiveViewTest,
    pending: list[T],
    wanted: Callable[[T], bool],
    what: Callable[[], str],
    seen: Callable[[LiveViewTest], str],
    timeout: float,
) -> T:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for index, item in enumerate(pending):
            if wanted(item):
                del pending[index]
                return item
        remaining = deadline - loop.time()
        if view.closed or remaining <= 0:
            break
        try:
            await view.receive_push(remaining)
        except TimeoutError:
            break
    closed = " (the view is closed)" if view.closed else ""
    raise AssertionError(f"expected {what()} within {timeout:g} s{closed}; {seen(view)}")


def _check_to(found: Navigation, to: str | None, what: str) -> None:
    if to is not None and not same_place(to, found.to):
        raise AssertionError(f"expected a {what} to {to!r}; the view's {what} went to {found.to!r}")


def _refute(pending: list[T], unwanted: Callable[[T], bool], what: str) -> None:
    found = [item for item in pending if unwanted(item)]
    if found:
        raise AssertionError(f"expected {what}, but the view did: {found!r}")


def _navigations(view: LiveViewTest) -> str:
    return f"the view's navigations: {view.navigations!r}"


def _events(view: LiveViewTest) -> str:
    return f"the events it pushed: {view.events!r}"


def _to(to: str | None) -> str:
    return f" to {to!r}" if to is not None else ""
