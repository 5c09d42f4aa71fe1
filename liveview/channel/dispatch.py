"""Running ready mailboxes without a task per LiveView.

One publish to N subscribers makes N LiveViews ready at once. A task per LiveView would cost, per
delivery, a future, a loop callback and a task step, and per idle LiveView a task, a coroutine
and the future it waits on — objects the garbage collector walks over again and again. Instead,
a `Dispatcher` (one per event loop) runs the ready mailboxes one after another in a single task.

Each mailbox is drained *as* the task that runs it, in the mailbox's own `contextvars` context,
as if it had a task of its own for as long as the drain lasts: `asyncio.current_task()` does not
change while one handler runs, so timeouts and cancel scopes work across its awaits (keeping
that task to cancel it later is what a handler must not do: it moves on to other mailboxes).
When a drain suspends (awaits I/O, a slow socket), the dispatcher task stays with that mailbox
until it is empty, and a new dispatcher task takes over the other ready mailboxes; so a slow
handler holds up only its own LiveView, as with a task each. A drain that never suspends — the
usual `handle_info` that assigns, renders and writes a frame — costs no task switch at all.

A timeline. Mailboxes A, B and C are ready; task T1 runs the dispatcher:

    T1: drain A ... A's handler awaits a slow socket (first suspension: `_hand_off`)
    T2: started by the hand-off; drain B, drain C, nothing ready: T2 ends
    T1: (the socket is writable) ... A is empty: T1 sees it is no longer the dispatcher's
        task and ends
    D arrives: no task runs the dispatcher, so `schedule` starts T3 for it

The rules that timeline keeps, each pinned by a test in `tests/unit/test_channel_dispatch.py`:
a handler's context variables stay with its LiveView; a handler keeps its task across its
awaits (timeouts work); a waiting handler holds up only its own LiveView; closing a socket
cancels a waiting handler; one dispatcher per loop, with no task while nothing is ready; a long
run lets the loop in every `DRAINS_PER_YIELD` mailboxes.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import logging
from collections.abc import Coroutine, Generator
from typing import Any, Protocol
from weakref import WeakKeyDictionary

logger = logging.getLogger("liveview")

DRAINS_PER_YIELD = 256
"""Mailboxes drained between two visits to the event loop (a publish to 10,000 LiveViews does
not hold up every socket read until the last diff is written)."""


class Drainable(Protocol):
    """What the dispatcher runs: a mailbox with messages waiting (`mailbox.Mailbox`)."""

    context: contextvars.Context
    """The context its handlers run in (a copy of the one it was created in)."""

    def drain(self, task: asyncio.Task[None]) -> Coroutine[Any, Any, None]:
        """Handle every waiting message and return once none is left, running as ``task``;
        never raises but ``CancelledError`` (when that task is cancelled)."""


class _RunAsTask:
    """Await a coroutine in a given context; tell the dispatcher the first time it suspends.

    This is what ``await coro`` does (every value the coroutine yields goes up to the task,
    everything the task sends or throws goes down to the coroutine), plus the context switch
    that a task of its own would make, and the hand-off at the first suspension.
    """

    __slots__ = ("_context", "_coroutine", "_dispatcher", "_task")

    def __init__(
        self,
        coroutine: Coroutine[Any, Any, None],
        context: contextvars.Context,
        dispatcher: Dispatcher,
        task: asyncio.Task[None],
    ) -> None:
        self._coroutine = coroutine
        self._context = context
        self._dispatcher = dispatcher
        self._task = task

    def __await__(self) -> Generator[Any, Any, None]:
        coroutine, run = self._coroutine, self._context.run
        try:
            value = run(coroutine.send, None)
        except StopIteration:
            return
        self._dispatcher._hand_off(self._task)
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                coroutine.close()
                raise
            except BaseException as exc:  # thrown in by the task: cancellation, mostly
                try:
                    value = run(coroutine.throw, exc)
                except StopIteration:
                    return
            else:
                try:
                    value = run(coroutine.send, sent)
                except StopIteration:
                    return


class Dispatcher:
    """The ready mailboxes of one event loop, and the task draining them."""

    __slots__ = ("_loop", "_ready", "_task")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._ready: collections.deque[Drainable] = collections.deque()
        self._task: asyncio.Task[None] | None = None

    def schedule(self, mailbox: Drainable) -> None:
        """Drain `mailbox` soon (once per call: the caller tracks whether it is scheduled)."""
        self._ready.append(mailbox)
        if self._task is None or self._task.done():  # done: cancelled before it ever ran
            self._task = self._start()

    def _start(self) -> asyncio.Task[None]:
        # `Task` itself, not `loop.create_task`: a task factory could start it eagerly (3.12's
        # eager_task_factory), before `_task` names it.
        return asyncio.Task(self._run(), loop=self._loop, name="liveview dispatcher")

    async def _run(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        ready = self._ready
        drained = 0
        try:
            while ready:
                drained += 1
                if drained % DRAINS_PER_YIELD == 0:
                    await asyncio.sleep(0)  # let the loop read sockets and run timers meanwhile
                    if not ready:
                        break
                mailbox = ready.popleft()
                try:
                    await _RunAsTask(mailbox.drain(task), mailbox.context, self, task)
                except Exception:  # pragma: no cover - drain handles its errors itself
                    logger.exception("LiveView mailbox failed")
                if self._task is not task:
                    return  # the drain suspended: another task runs the rest
        finally:
            if self._task is task:
                self._task = None

    def _hand_off(self, task: asyncio.Task[None]) -> None:
        """A drain suspended in `task`: leave `task` to it, start another for the rest."""
        if self._task is task:
            self._task = None
            if self._ready:
                self._task = self._start()


_dispatchers: WeakKeyDictionary[asyncio.AbstractEventLoop, Dispatcher] = WeakKeyDictionary()


def dispatcher() -> Dispatcher:
    """The dispatcher of the running event loop."""
    loop = asyncio.get_running_loop()
    found = _dispatchers.get(loop)
    if found is None:
        found = _dispatchers[loop] = Dispatcher(loop)
    return found
