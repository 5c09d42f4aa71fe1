"""The single-reader mailbox on its own: order, outcomes, failure, overflow, stop, one end."""

from __future__ import annotations

import asyncio
from typing import Any

from liveview.channel.mailbox import Mailbox, MailboxOverflow, MailboxState, Outcome


class Recorder(Mailbox):
    """Handles messages by name: "end", "crash", "raise", "wait" (until released), else logs."""

    def __init__(self, first: Any, size: int = 100) -> None:
        self.handled: list[Any] = []
        self.failures: list[BaseException] = []
        self.ends: list[Outcome] = []
        self.release = asyncio.Event()
        super().__init__(first, size=size)

    async def handle(self, message: Any) -> Outcome:
        self.handled.append(message)
        if message == "end":
            return Outcome.END
        if message == "crash":
            return Outcome.CRASH
        if message == "raise":
            raise ValueError("handler failed")
        if message == "wait":
            await self.release.wait()
        if message == "flood":
            for number in range(10):
                self.put(number)
        return Outcome.CONTINUE

    async def failed(self, error: BaseException) -> Outcome:
        self.failures.append(error)
        return Outcome.CRASH

    async def ended(self, outcome: Outcome) -> None:
        self.ends.append(outcome)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_messages_are_handled_in_order_and_the_mailbox_goes_idle() -> None:
    box = Recorder("a")
    box.put("b")
    box.put("c")
    await settle()
    assert box.handled == ["a", "b", "c"]
    assert box.state is MailboxState.IDLE
    box.put("d")
    assert box.state is MailboxState.READY
    await settle()
    assert box.handled == ["a", "b", "c", "d"] and box.ends == []


async def test_an_outcome_ends_the_mailbox_once_and_later_mail_is_dropped() -> None:
    box = Recorder("a")
    box.put("end")
    box.put("never")
    await settle()
    assert box.handled == ["a", "end"]
    assert box.ends == [Outcome.END] and box.state is MailboxState.ENDED
    box.put("late")
    await box.stop()
    await settle()
    assert box.handled == ["a", "end"] and box.ends == [Outcome.END]


async def test_a_raising_handler_goes_to_failed_then_ends() -> None:
    box = Recorder("raise")
    box.put("never")
    await settle()
    assert [type(error) for error in box.failures] == [ValueError]
    assert box.ends == [Outcome.CRASH]
    assert box.handled == ["raise"]


async def test_overflow_while_idle_fails_the_mailbox_at_its_next_drain() -> None:
    box = Recorder("a", size=3)
    for number in range(4):
        box.put(number)  # scheduled but not drained yet: the fourth is one too many
    assert box.state is MailboxState.OVERFLOWED
    await settle()
    assert box.handled == []
    assert [type(error) for error in box.failures] == [MailboxOverflow]
    assert box.ends == [Outcome.CRASH]


async def test_overflow_from_the_handler_itself_fails_it_after_that_message() -> None:
    box = Recorder("flood", size=5)
    await settle()
    assert box.handled == ["flood"]
    assert [type(error) for error in box.failures] == [MailboxOverflow]


async def test_overflow_while_a_handler_waits_cancels_it() -> None:
    box = Recorder("wait", size=2)
    await settle()
    assert box.handled == ["wait"]
    for number in range(3):
        box.put(number)
    await settle()
    assert [type(error) for error in box.failures] == [MailboxOverflow]
    assert box.ends == [Outcome.CRASH]


async def test_stop_cancels_a_waiting_handler_and_ends_normally() -> None:
    box = Recorder("wait")
    box.put("never")
    await settle()
    await box.stop()
    assert box.ends == [Outcome.END] and box.failures == []
    assert box.handled == ["wait"] and box.state is MailboxState.ENDED
