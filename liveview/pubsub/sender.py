"""The publishing half of a broker backend: one connection, one writer task, batches on a deadline.

`publish` (through `BrokerPubSub`) calls `_submit`, which checks the publishing connection (or
connects it again) and queues the message in the outbox; after the local delivery, `_flush`
starts the writer task unless it is running. The writer sends the outbox in batches until it is
empty, so the messages of concurrent publishers share writes and round trips:

- a batch must be done by `publish_timeout` after its oldest message was queued. When it is not,
  or the connection fails, the connection is dropped and every queued message fails with it;
- a message the broker refuses over a working connection (an error reply) fails alone, or with
  its batch where the broker answers a batch at once (see `_is_refusal`);
- callers that find no working connection share one attempt to connect, bounded by
  `connect_timeout`; one caller's cancellation does not cancel it for the others;
- `close` lets the writer send what is queued while it makes progress (see `_flush_sender`),
  then stops it and fails what is still queued.

A backend supplies the protocol through the hooks below: open, check and close a connection,
pack a message, send a batch; the order, the deadline and what failure means are decided here.
The listening connection is of the same kind and is kept here too (`_listener`), opened and
closed through the same hooks; what is said on it is the backend's.
"""

from __future__ import annotations

import abc
import asyncio
import collections
from collections.abc import Awaitable
from contextlib import AbstractAsyncContextManager
from typing import ClassVar, Generic, TypeAlias, TypeVar, Unpack

from liveview.pubsub.broker import BrokerOptions, BrokerPubSub
from liveview.pubsub.futures import fail, succeed

C = TypeVar("C")
"""A connection to the broker."""

D = TypeVar("D")
"""One message as the broker takes it (a PUBLISH command; a channel and a payload)."""

Outgoing: TypeAlias = tuple[D, "asyncio.Future[None]", float]
"""A queued message: its packed form, its acknowledgement, and the loop time it was queued."""

MAX_BATCH = 512
"""Most messages sent in one batch (one write of commands, one statement)."""

FLUSH_STALL = 0.25
"""Seconds closing waits for the writer to take anything more from the outbox (`close`)."""


class BatchingBrokerPubSub(BrokerPubSub, Generic[C, D]):
    """A `BrokerPubSub` publishing through one connection, in batches (see the module docstring)."""

    check_before_batch: ClassVar[bool] = True
    """Whether the writer checks the connection (`_publisher_alive`) before each batch, and not
    only `_submit` before queueing."""

    distinct_batches: ClassVar[bool] = False
    """Whether a batch must not hold two equal packed messages (PostgreSQL delivers identical
    notifications of one transaction once): the batch then ends before the second."""

    def __init__(self, *, address: str, prefix: str, **options: Unpack[BrokerOptions]) -> None:
        super().__init__(address=address, prefix=prefix, **options)
        self._sender: C | None = None
        self._sender_connecting: asyncio.Task[C] | None = None
        self._sending = False  # a batch is in flight on the sender
        self._outbox: collections.deque[Outgoing[D]] = collections.deque()
        self._writer: asyncio.Task[None] | None = None
        self._listener: C | None = None

    # -- what a backend provides ---------------------------------------------------------------

    @abc.abstractmethod
    async def _open_publisher(self) -> C:
        """Open a new publishing connection; raise (having closed what it opened) if it fails."""

    @abc.abstractmethod
    async def _close_connection(self, connection: C) -> None:
        """Close a connection, which may be broken; never raise."""

    @abc.abstractmethod
    async def _publisher_alive(self, connection: C) -> bool:
        """Whether an idle publishing connection still works; cheap, e.g. a read that returns
        at once and finds the server's close."""

    @abc.abstractmethod
    def _pack(self, topic: str, payload: bytes) -> D:
        """One message as `_send_batch` sends it."""

    @abc.abstractmethod
    async def _send_batch(self, connection: C, batch: list[Outgoing[D]]) -> None:
        """Send a batch, in order, and wait for the broker to take it; raise if it did not.

        It may settle acknowledgements as the broker answers each message (failing a refused
        one alone, with `fail`); those it leaves pending succeed when it returns.
        """

    @abc.abstractmethod
    async def _open_listening(self) -> C:
        """Open a new listening connection, the backend's listening state afresh; raise (having
        closed what it opened) if it fails."""

    @abc.abstractmethod
    def _listener_closed(self) -> None:
        """The listening connection is being closed: fail what waits on it."""

    def _is_refusal(self, error: Exception) -> bool:
        """Whether `_send_batch` failed with the broker's refusal of the batch, over a connection
        that still works: then only that batch fails, and the connection is kept."""
        return False

    def _deadline(self, connection: C, deadline: float) -> AbstractAsyncContextManager[object]:
        """Bound `_send_batch` by `deadline` (loop time): by default a timeout that cancels it."""
        return asyncio.timeout_at(deadline)

    def _stop_writer(self, writer: asyncio.Task[None]) -> None:
        """Make the writer task end, at close: by default it is cancelled."""
        writer.cancel()

    # -- BrokerPubSub's publishing hooks -------------------------------------------------------

    async def _open_sender(self) -> None:
        await self._sender_connection()

    async def _close_sender(self) -> None:
        connecting, self._sender_connecting = self._sender_connecting, None
        if connecting is not None:
            connecting.cancel()
        writer, self._writer = self._writer, None
        if writer is not None:
            self._stop_writer(writer)
            await asyncio.gather(writer, return_exceptions=True)
        self._fail_queued(ConnectionError("closed"))
        sender, self._sender = self._sender, None
        self._sending = False
        if sender is not None:
            await self._close_connection(sender)

    async def _flush_sender(self) -> None:
        """Let the writer send the outbox while it makes progress: a broker that takes nothing
        for `FLUSH_STALL` seconds (or the whole flush past `publish_timeout`) is given up, so
        that closing stays prompt when the broker hangs."""
        self._flush()  # queued by a publisher that has not started the writer yet
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.publish_timeout
        while (writer := self._writer) is not None and loop.time() < deadline:
            left = len(self._outbox)
            timeout = min(FLUSH_STALL, deadline - loop.time())
            done, _ = await asyncio.wait([writer], timeout=timeout)
            if not done and len(self._outbox) >= left and self._sending:
                return  # nothing taken meanwhile: the batch in flight is stuck

    async def _submit(self, topic: str, payload: bytes) -> Awaitable[None]:
        await self._sender_connection()  # fails before local delivery if the broker is known gone
        loop = asyncio.get_running_loop()
        acknowledged = loop.create_future()
        self._outbox.append((self._pack(topic, payload), acknowledged, loop.time()))
        return acknowledged

    def _flush(self) -> None:
        if self._writer is None and self._outbox:
            self._writer = asyncio.create_task(
                self._write(), name=f"liveview.pubsub {type(self).__name__} writer"
            )

    # -- BrokerPubSub's listening hooks -------------------------------------------------------

    async def _open_listener(self) -> None:
        self._listener = await self._open_listening()

    async def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        self._listener_closed()
        if listener is not None:
            await self._close_connection(listener)

    def _connected_listener(self) -> C:
        """The listening connection; ConnectionError when there is none."""
        if self._listener is None:
            raise ConnectionError("not connected")
        return self._listener

    # -- the publishing connection -------------------------------------------------------------

    async def _sender_connection(self, *, check: bool = True) -> C:
        """The publishing connection, connected (again) if needed; callers share one attempt.

        With `check`, an idle connection is checked first (`_publisher_alive`).
        """
        sender = self._sender
        if sender is not None:
            if not check or await self._publisher_alive(sender):
                return sender
            self._sender = None
            await self._close_connection(sender)
        if self._sender_connecting is None:
            self._sender_connecting = asyncio.create_task(self._connect_sender())
        connecting = self._sender_connecting
        await asyncio.wait([connecting])  # our own cancellation must not cancel the shared attempt
        if connecting.cancelled():
            raise ConnectionError("closed")
        return connecting.result()

    async def _connect_sender(self) -> C:
        try:
            async with asyncio.timeout(self.connect_timeout):
                connection = await self._open_publisher()
        finally:
            self._sender_connecting = None
        self._sender = connection
        return connection

    # -- the writer ----------------------------------------------------------------------------

    async def _write(self) -> None:
        """Send the outbox in batches until it is empty (see the module docstring)."""
        outbox, loop = self._outbox, asyncio.get_running_loop()
        try:
            while outbox:
                batch = self._take_batch()
                if not batch:
                    continue
                deadline = batch[0][2] + self.publish_timeout
                try:
                    await self._send_by(deadline, batch)
                except asyncio.CancelledError:  # closing: settle what this batch waits for
                    fail([acknowledged for _, acknowledged, _ in batch], ConnectionError("closed"))
                    raise
                except Exception as error:
                    failure: Exception = error
                    if loop.time() >= deadline:
                        failure = TimeoutError(f"no answer within {self.publish_timeout}s")
                    await self._give_up(batch, failure)
                    continue
                for _, acknowledged, _ in batch:
                    succeed(acknowledged)
        finally:
            self._writer = None

    def _take_batch(self) -> list[Outgoing[D]]:
        """The next messages to send together, in order; those whose publisher gave up (their
        acknowledgement is settled) are dropped unsent. See also `distinct_batches`."""
        outbox = self._outbox
        batch: list[Outgoing[D]] = []
        seen: set[D] = set()
        while outbox and len(batch) < MAX_BATCH:
            item = outbox[0]
            if item[1].done():
                outbox.popleft()
                continue
            if self.distinct_batches:
                if item[0] in seen:
                    break
                seen.add(item[0])
            batch.append(outbox.popleft())
        return batch

    async def _send_by(self, deadline: float, batch: list[Outgoing[D]]) -> None:
        async with asyncio.timeout_at(deadline):
            sender = await self._sender_connection(check=self.check_before_batch)
        self._sending = True
        try:
            async with self._deadline(sender, deadline):
                await self._send_batch(sender, batch)
        finally:
            self._sending = False

    async def _give_up(self, batch: list[Outgoing[D]], failure: Exception) -> None:
        """Fail a batch that was not sent; unless the broker refused it, drop the connection and
        fail every queued message too."""
        if self._is_refusal(failure):
            fail([acknowledged for _, acknowledged, _ in batch], failure)
            return
        broken, self._sender = self._sender, None
        if broken is not None:
            await self._close_connection(broken)
        fail([acknowledged for _, acknowledged, _ in batch], failure)
        self._fail_queued(failure)

    def _fail_queued(self, error: BaseException) -> None:
        fail([acknowledged for _, acknowledged, _ in self._outbox], error)
        self._outbox.clear()
