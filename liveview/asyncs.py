"""Async work of a LiveView: `assign_async`, `start_async`, `cancel_async` and `AsyncResult`.

A page that needs slow data renders at once with a loading state and fills in when the data
comes, as Phoenix LiveView's async operations do:

- `socket.assign_async("org", load_org)` assigns `org` an `AsyncResult` that is loading, and
  runs `load_org` in a task; it returns `{"org": ...}` and `org` becomes that result (`ok`),
  or the exception it raised (`failed`);
- `socket.start_async("fetch", fn)` runs `fn` in a task and hands its outcome (an
  `AsyncResult`) to `handle_async("fetch", result, socket)` of the LiveView or live component
  that started it;
- `socket.cancel_async(name)` stops a task; its `AsyncResult` fails with `AsyncCancelled`.

Tasks run only in the connected mount, never in the dead render (`assign_async` leaves the
loading state there). A task's outcome comes back through the LiveView's mailbox as an
`AsyncDone`, so it is handled between events and infos, one at a time, like them. Every task of
a LiveView is cancelled when the LiveView ends (a leave, a navigation away, the websocket
closed, a crash) and a live component's when it leaves the page: nothing outlives its view.

`fn` is called with the arguments given after it (`assign_async("org", load_org, slug)`, as
`asyncio.to_thread` takes them). An `async def` function is awaited in the task. Any other
callable runs in a worker thread (`asyncio.to_thread`, as Starlette runs sync endpoints), so
blocking code does not hold the event loop; if what it returns is awaitable (`lambda:
load(slug)`), that is awaited in the task (the hop through a thread doubles what a task
costs: pass the arguments instead; `bench/results/2026-12-06-asyncs.md`). Python cannot stop
a thread: cancelling a task whose function runs in one drops its result, but the function runs
to its end.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Final, Literal, Protocol

logger = logging.getLogger("liveview")

AsyncFunction = Callable[..., Any]
"""What `assign_async` and `start_async` run: an `async def` function, a callable returning an
awaitable, or a plain function (run in a thread)."""

Kind = Literal["assign", "start"]
ASSIGN: Final = "assign"
START: Final = "start"


@dataclass(frozen=True, slots=True)
class AsyncResult:
    """The state of async work, as Phoenix's `AsyncResult`: what `assign_async` assigns and
    what `handle_async` gets.

    - `loading`: truthy while the work runs (the keys of the `assign_async` loading it);
    - `ok`: True once a result came, and stays True while a reload runs (`result` keeps the
      previous value until the new one comes, unless `assign_async(..., reset=True)`);
    - `failed`: why the last run failed (the exception the function raised, an
      `AsyncCancelled`, a `TypeError` for a result of the wrong shape), else None;
    - `result`: the value.

    In a template: `{% if org.ok %}{{ org.result.name }}{% elif org.loading %}Loading…
    {% elif org.failed %}Failed{% endif %}`, or the `async_result` macro of
    `liveview/async.html`.
    """

    ok: bool = False
    loading: Any = None
    failed: Any = None
    result: Any = None

    @classmethod
    def pending(cls, loading: Any = True) -> AsyncResult:
        """A result that is loading and has no value yet (Phoenix's `AsyncResult.loading()`)."""
        return cls(loading=loading)

    @classmethod
    def of(cls, value: Any) -> AsyncResult:
        """A result holding `value` (Phoenix's `AsyncResult.ok(value)`)."""
        return cls(ok=True, result=value)

    def reload(self, loading: Any = True) -> AsyncResult:
        """This result loading again: a failure is forgotten, a value kept until the next."""
        return replace(self, loading=loading, failed=None)

    def resolve(self, value: Any) -> AsyncResult:
        """This result done with `value`."""
        return AsyncResult(ok=True, loading=None, failed=None, result=value)

    def fail(self, reason: Any) -> AsyncResult:
        """This result failed with `reason`; a previous value stays in `result` (and `ok`)."""
        return replace(self, loading=None, failed=reason)


class AsyncCancelled(Exception):
    """Why a task failed when `cancel_async` stopped it: its `reason` (None by default)."""

    def __init__(self, reason: Any = None) -> None:
        super().__init__("cancelled" if reason is None else f"cancelled: {reason}")
        self.reason = reason


class InfoSink(Protocol):
    """Where outcomes go: the LiveView's mailbox."""

    def deliver(self, info: Any) -> None: ...


Key = tuple[int | None, str, Hashable]
"""A task's place: its owner (None: the LiveView; else a live component's cid), its kind, and
its name (`start_async`) or keys (`assign_async`, a tuple)."""


class AsyncDone:
    """A task's outcome on its way through the mailbox to its owner; `token` tells whether
    it is still wanted when it arrives (the task may have been replaced or cancelled)."""

    __slots__ = ("key", "outcome", "token")

    def __init__(self, key: Key, token: object, outcome: AsyncResult) -> None:
        self.key = key
        self.token = token
        self.outcome = outcome

    @property
    def owner(self) -> int | None:
        return self.key[0]

    @property
    def kind(self) -> str:
        return self.key[1]

    @property
    def name(self) -> Any:
        return self.key[2]

    def __repr__(self) -> str:
        return f"AsyncDone({self.key!r}, {self.outcome!r})"


def keys_of(keys: str | Iterable[str]) -> tuple[str, ...]:
    """`assign_async`'s keys as a tuple of names, or a clear error."""
    found = (keys,) if isinstance(keys, str) else tuple(keys)
    if not found or not all(isinstance(key, str) and key for key in found):
        raise TypeError(f"assign_async takes an assign name or names, got {keys!r}")
    return found


def check_function(fn: Any, what: str) -> None:
    if not callable(fn):
        raise TypeError(f"{what} takes a function (and its arguments), got {fn!r}")


async def run(fn: AsyncFunction, args: tuple[Any, ...] = ()) -> Any:
    """Call `fn(*args)` the way the module docstring says, and return what it gives."""
    if inspect.iscoroutinefunction(fn):
        return await fn(*args)
    value = await asyncio.to_thread(fn, *args)
    if inspect.isawaitable(value):  # `lambda: load(slug)`: made in the thread, run here
        return await value
    return value


def assigned(keys: tuple[str, ...], value: Any) -> dict[str, Any]:
    """What an `assign_async` function returned, checked: a dict with exactly its keys."""
    if not isinstance(value, dict):
        raise TypeError(
            f"assign_async({_named(keys)}) expected its function to return a dict with the "
            f"keys {list(keys)}, got {_short(value)}"
        )
    if set(value) != set(keys):
        missing = [key for key in keys if key not in value]
        extra = [key for key in value if key not in keys]
        said = "; ".join(
            part
            for part in (
                f"missing {missing}" if missing else "",
                f"not asked for {extra}" if extra else "",
            )
            if part
        )
        raise TypeError(
            f"assign_async({_named(keys)}) expected its function to return a dict with exactly "
            f"the keys {list(keys)}: {said}"
        )
    return value


def _named(keys: tuple[str, ...]) -> str:
    return repr(keys[0]) if len(keys) == 1 else repr(list(keys))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


class AsyncTasks:
    """The running tasks of one LiveView and its live components: for each, the task and
    the token its outcome must carry to be taken."""

    __slots__ = ("_running", "_sink")

    def __init__(self, sink: InfoSink) -> None:
        self._sink = sink
        self._running: dict[Key, tuple[asyncio.Task[None], object]] = {}

    def __len__(self) -> int:
        return len(self._running)

    def __contains__(self, key: object) -> bool:
        return key in self._running

    def start(self, key: Key, fn: AsyncFunction, args: tuple[Any, ...] = ()) -> None:
        """Run `fn(*args)` as the task `key`; one already running under `key` is cancelled (its
        result would be ignored: the later one wins, as Phoenix)."""
        old = self._running.pop(key, None)
        if old is not None:
            old[0].cancel()
        token = object()
        task = asyncio.get_running_loop().create_task(
            self._run(key, token, fn, args), name=f"liveview {key[1]}_async {key[2]!r}"
        )
        self._running[key] = (task, token)

    async def _run(self, key: Key, token: object, fn: AsyncFunction, args: tuple[Any, ...]) -> None:
        try:
            value = await run(fn, args)
            if key[1] == ASSIGN:
                value = assigned(key[2], value)  # type: ignore[arg-type]
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # cancelled by us: nobody waits for this outcome
            outcome = AsyncResult().fail(asyncio.CancelledError("the function was cancelled"))
        except Exception as error:  # the function's failure is its outcome, not a crash
            logger.info("%s_async %r failed: %r", key[1], key[2], error, exc_info=error)
            outcome = AsyncResult().fail(error)
        else:
            outcome = AsyncResult.of(value)
        running = self._running.get(key)
        if running is not None and running[1] is token:
            self._sink.deliver(AsyncDone(key, token, outcome))

    def cancel(self, key: Key, reason: Any, *, deliver: bool) -> bool:
        """Stop the task `key` (False if there is none). If `deliver`, its owner gets
        `AsyncCancelled(reason)` through the mailbox (an outcome of the task already waiting
        there is then ignored); else the task is forgotten at once."""
        running = self._running.get(key)
        if running is None:
            return False
        task = running[0]
        task.cancel()
        if deliver:
            token = object()
            self._running[key] = (task, token)
            self._sink.deliver(AsyncDone(key, token, AsyncResult().fail(AsyncCancelled(reason))))
        else:
            del self._running[key]
        return True

    def find(self, owner: int | None, name: Any) -> Key | None:
        """The task `cancel_async(name)` means: `start_async`'s `name`, else the
        `assign_async` loading the assign `name` (or those keys, given as a tuple)."""
        for key in ((owner, START, name), (owner, ASSIGN, name)):
            if key in self._running:
                return key
        if isinstance(name, str):
            for key in self._running:
                if key[0] == owner and key[1] == ASSIGN and name in key[2]:  # type: ignore[operator]
                    return key
        return None

    def take(self, done: AsyncDone) -> bool:
        """Whether `done` is still wanted (it carries its key's current token): if so the task
        is forgotten, and its owner handles the outcome."""
        running = self._running.get(done.key)
        if running is not None and running[1] is done.token:
            del self._running[done.key]
            return True
        return False

    def end(self, owner: int) -> None:
        """Cancel the tasks of the live component `owner` (it left the page); their outcomes
        are not delivered."""
        self._cancel([key for key in self._running if key[0] == owner])

    def end_components(self) -> None:
        """Cancel every live component's tasks (the page's components start over)."""
        self._cancel([key for key in self._running if key[0] is not None])

    def end_all(self) -> None:
        """Cancel every task (the LiveView ends)."""
        self._cancel(list(self._running))

    def _cancel(self, keys: list[Key]) -> None:
        for key in keys:
            self._running.pop(key)[0].cancel()


def settle(assigns: Any, keys: tuple[str, ...], outcome: AsyncResult) -> dict[str, AsyncResult]:
    """The assigns an `assign_async` outcome makes from the current ones (`assigns`): each key
    resolved with its value, or failed with the reason."""
    updates = {}
    for key in keys:
        current = assigns.get(key)
        if not isinstance(current, AsyncResult):
            current = AsyncResult.pending(keys)
        if outcome.ok:
            updates[key] = current.resolve(outcome.result[key])
        else:
            updates[key] = current.fail(outcome.failed)
    return updates


def loading(
    assigns: Any, keys: tuple[str, ...], reset: bool | Iterable[str]
) -> dict[str, AsyncResult]:
    """The assigns `assign_async` sets at once: loading, keeping a previous value (`ok`)
    unless `reset` is True or names the key."""
    reset_keys = set(keys) if reset is True else set() if reset is False else set(reset)
    updates = {}
    for key in keys:
        current = assigns.get(key)
        if key not in reset_keys and isinstance(current, AsyncResult) and current.ok:
            updates[key] = current.reload(keys)
        else:
            updates[key] = AsyncResult.pending(keys)
    return updates
