"""A single-reader mailbox: messages handled one at a time, in arrival order, by their owner.

This is the process half of a LiveView (Phoenix gives each LiveView a BEAM process; we give it a
mailbox), and it knows nothing of LiveViews. A subclass says how to handle one message and what
to do when it fails or ends; the mailbox keeps the rest:

- `put` queues a message and asks the loop's dispatcher (`dispatch`) to drain the mailbox, once:
  an idle mailbox has no task, and costs a list and a few fields;
- the mailbox is bounded: past `size` waiting messages the owner may `shed` some it can do
  without, else it is failed rather than let grow;
- `stop` ends it from the outside (the websocket closed), cancelling a handler that waits;
- a handler that raises fails only its own mailbox: `failed` decides the outcome, the other
  mailboxes on the loop carry on;
- `ended` runs once, whatever ended it.

Its life is one `MailboxState`; each handled message says what happens next with an `Outcome`.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
from collections.abc import Awaitable, Callable
from typing import Any, Final

from liveview.channel.dispatch import dispatcher


class Outcome(enum.Enum):
    """What happens after a message was handled."""

    CONTINUE = "continue"
    """Handle the next message."""
    END = "end"
    """The owner is done (a leave, a navigation away, the websocket gone): end normally."""
    CRASH = "crash"
    """The owner failed: end without its normal shutdown."""


class MailboxState(enum.Enum):
    IDLE = "idle"
    """Nothing waiting; the dispatcher does not know this mailbox."""
    READY = "ready"
    """Messages waiting: scheduled with the dispatcher, or being drained."""
    OVERFLOWED = "overflowed"
    """More messages came than it holds: the next drain (or the running handler) fails it."""
    ENDING = "ending"
    """`stop` or an outcome is ending it: new messages are dropped."""
    ENDED = "ended"


# The members as module globals: on the path every delivery takes, `MailboxState.READY` (a
# lookup through the enum class) costs several times a global's lookup.
_IDLE, _READY, _OVERFLOWED = MailboxState.IDLE, MailboxState.READY, MailboxState.OVERFLOWED
_ENDING, _ENDED = MailboxState.ENDING, MailboxState.ENDED
_CONTINUE = Outcome.CONTINUE


NOTHING: Final = object()
"""What `take_next` returns when no message is taken."""


class MailboxOverflow(Exception):
    """More messages waited than the mailbox holds."""


class Mailbox:
    """Messages for one owner, drained by the loop's dispatcher one at a time."""

    def __init__(self, first: Any, *, size: int) -> None:
        # A list, not a deque: mailboxes are short, and a list is much smaller when empty.
        self._inbox: list[Any] = [first]
        self._size = size
        self._state = _READY
        self._owner: asyncio.Task[Any] | None = None  # the task in `drain`, while it runs
        # No task of its own: the loop's dispatcher drains the mailbox when mail arrives, in a
        # copy of the context the mailbox was made in (as a task of its own would).
        self.context = contextvars.copy_context()
        self._dispatcher = dispatcher()
        self._dispatcher.schedule(self)

    # what a subclass says ------------------------------------------------------------------

    def handle(self, message: Any) -> Awaitable[Outcome]:
        """Handle one message (an `async def`, or a method returning the awaitable that does)."""
        raise NotImplementedError

    async def failed(self, error: BaseException) -> Outcome:
        """`handle` raised `error` (or the mailbox overflowed: `MailboxOverflow`); returns
        `CRASH` or `END`. Runs before `ended`."""
        return Outcome.CRASH

    async def ended(self, outcome: Outcome) -> None:
        """The mailbox has ended (`END` or `CRASH`); runs once."""

    def shed(self, waiting: list[Any]) -> bool:
        """The mailbox is full: remove from `waiting` (in place) messages the owner can do
        without and return True, or return False to be failed (`MailboxOverflow`)."""
        return False

    # the mailbox ---------------------------------------------------------------------------

    @property
    def state(self) -> MailboxState:
        return self._state

    def put(self, message: Any) -> None:
        state = self._state
        if state is _IDLE:
            self._inbox.append(message)
            self._state = _READY
            self._dispatcher.schedule(self)
        elif state is _READY:
            inbox = self._inbox
            if len(inbox) < self._size or (self.shed(inbox) and len(inbox) < self._size):
                inbox.append(message)
            else:
                self._overflow()
        # OVERFLOWED, ENDING, ENDED: dropped

    def waiting(self) -> int:
        """How many messages wait."""
        return len(self._inbox)

    def take_next(self, test: Callable[[Any], bool]) -> Any:
        """Take the next waiting message if `test` holds for it, else `NOTHING` (an owner handling
        a run of like messages together)."""
        inbox = self._inbox
        if inbox and test(inbox[0]):
            return inbox.pop(0)
        return NOTHING

    def make_room(self) -> bool:
        """Ask the owner to `shed` what waits now (its own bound, beyond the message count);
        True if it did."""
        return self._state is _READY and self.shed(self._inbox)

    def overflow(self) -> None:
        """Fail the mailbox as full now (an owner's own bound, beyond the message count)."""
        if self._state is _READY or self._state is _IDLE:
            was_idle = self._state is _IDLE
            self._overflow()
            if was_idle:
                self._dispatcher.schedule(self)

    def _overflow(self) -> None:
        self._state = _OVERFLOWED
        self._inbox.clear()
        owner = self._owner
        if owner is not None and owner is not asyncio.current_task():
            owner.cancel(msg="mailbox overflow")  # it waits in a handler: stop it there
        # else: it is scheduled (READY) and its drain fails it at once

    async def stop(self) -> None:
        """End from the outside (the websocket closed, a duplicate join): what waits is
        dropped, a handler that waits is cancelled, `ended` runs with `END`."""
        if self._state in (_ENDING, _ENDED):
            return
        self._state = _ENDING
        owner = self._owner
        if owner is not None and owner is not asyncio.current_task():
            owner.cancel()
            await asyncio.gather(owner, return_exceptions=True)
        await self._end(Outcome.END)

    async def drain(self, task: asyncio.Task[Any]) -> None:
        """Handle the waiting messages in arrival order, running as `task` (the dispatcher
        calls this). Each message is handled to the end before the next one is read."""
        inbox = self._inbox
        self._owner = task
        outcome = _CONTINUE
        try:
            while inbox and self._state is _READY:
                outcome = await self.handle(inbox.pop(0))
                if outcome is not _CONTINUE:
                    break
            if outcome is _CONTINUE and self._state is _OVERFLOWED:
                raise MailboxOverflow
        except asyncio.CancelledError:
            if self._state is not _OVERFLOWED:
                raise  # `stop`: it ends the mailbox
            outcome = await self.failed(MailboxOverflow())
        except Exception as error:  # the owner's code failed: this mailbox only
            outcome = await self.failed(error)
        finally:
            self._owner = None
        if outcome is not _CONTINUE:
            await self._end(outcome)
        elif self._state is _READY:
            self._state = _IDLE

    async def _end(self, outcome: Outcome) -> None:
        if self._state is _ENDED:
            return
        self._state = _ENDED
        self._inbox.clear()
        await self.ended(outcome)
