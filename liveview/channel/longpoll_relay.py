"""Long-poll requests that land on a worker which does not hold their session.

Without sticky sessions a load balancer sends each of a client's polls and POSTs to any worker,
but a session (its LiveViews, its buffered frames) lives in the one worker that created it. As
Phoenix does, that worker subscribes to the session's own pub/sub topic; a worker that gets a
request for a session it does not hold publishes the request there and answers the client with
what comes back on its own reply topic. Every request is acknowledged at once, so a session that
no longer exists is told apart in `ACK_TIMEOUT` seconds rather than a whole poll window.

On the wire (JSON through the app's pub/sub, any backend):

    to "liveview:longpoll:<session id>":
        {"op": "poll" | "post", "ref": "<request id>", "reply": "<reply topic>",
         "body": "<the POST body>", "ndjson": true}          (body and ndjson for "post")
    to the reply topic:   {"ref": ..., "ack": true}, then {"ref": ..., "status": 200 | 204 | 400
                          | 410 | 413, "messages": [...frames...]}

PostgreSQL's NOTIFY carries under 8000 bytes: with `PostgresPubSub` a request or an answer larger
than that cannot cross workers (the client is told the session is gone and starts again); use
Redis, or sticky sessions, for long-poll clients over several PostgreSQL-connected workers.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Final

from liveview.pubsub import PubSub, PubSubGap

logger = logging.getLogger("liveview")

TOPIC_PREFIX: Final = "liveview:longpoll:"
ACK_TIMEOUT: Final = 2.0
"""Seconds to wait for the holder of a session to acknowledge a request (Phoenix's
`pubsub_timeout_ms`); without an answer, the session is gone."""
ANSWER_MARGIN: Final = 5.0
"""Seconds beyond its own duration (a poll's window) to wait for a request's answer."""

Answer = dict[str, Any]
Handle = Callable[[dict[str, Any]], Awaitable[Answer]]
"""What the holder does with a forwarded request: the answer to send back."""


def session_topic(session_id: str) -> str:
    return TOPIC_PREFIX + session_id


class Relay:
    """One worker's side of the relay: serving the sessions it holds, forwarding the others."""

    def __init__(self, pubsub: PubSub) -> None:
        self._pubsub = pubsub
        self._reply_topic: str | None = None
        self._reply_subscription: str | None = None
        self._reply_lock = asyncio.Lock()
        self._pending: dict[str, tuple[asyncio.Future[None], asyncio.Future[Answer]]] = {}
        self._served: dict[str, str] = {}  # session id -> subscription id
        self._tasks: set[asyncio.Task[None]] = set()

    # the holder's side ------------------------------------------------------------------------

    async def serve(self, session_id: str, handle: Handle) -> None:
        """Answer the requests other workers forward for this session with `handle`."""

        def on_request(message: Any) -> None:
            if isinstance(message, PubSubGap):
                return  # a request lost meanwhile is retried by its client
            if not (
                isinstance(message, dict)
                and isinstance(message.get("ref"), str)
                and isinstance(message.get("reply"), str)
                and message["reply"]
            ):
                logger.warning("ignored a malformed long-poll relay request: %.200r", message)
                return
            # each request in its own task: a held poll must not hold up the POSTs behind it
            task = asyncio.get_running_loop().create_task(self._answer(message, handle))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        self._served[session_id] = await self._pubsub.subscribe(
            session_topic(session_id), on_request
        )

    async def unserve(self, session_id: str) -> None:
        subscription = self._served.pop(session_id, None)
        if subscription is not None:
            await self._pubsub.unsubscribe(session_topic(session_id), subscription)

    async def _answer(self, request: dict[str, Any], handle: Handle) -> None:
        reply, ref = request["reply"], request["ref"]
        try:
            await self._pubsub.publish(reply, {"ref": ref, "ack": True})
            answer = await handle(request)
            await self._pubsub.publish(reply, {**answer, "ref": ref})
        except Exception as exc:  # broker gone, an answer too large for it: the client retries
            logger.warning("a long-poll request relayed from another worker failed: %r", exc)

    # the forwarder's side ---------------------------------------------------------------------

    async def forward(self, session_id: str, request: dict[str, Any], duration: float) -> Answer:
        """Send a request to the worker holding `session_id`; its answer, or status 410 when
        no worker acknowledges it (the session is gone)."""
        reply = await self._reply_topic_subscribed()
        ref = secrets.token_urlsafe(12)
        loop = asyncio.get_running_loop()
        acked: asyncio.Future[None] = loop.create_future()
        answered: asyncio.Future[Answer] = loop.create_future()
        self._pending[ref] = (acked, answered)
        try:
            await self._pubsub.publish(
                session_topic(session_id), {**request, "ref": ref, "reply": reply}
            )
            try:
                await asyncio.wait_for(asyncio.shield(acked), ACK_TIMEOUT)
            except TimeoutError:
                return {"status": 410}
            try:
                return await asyncio.wait_for(asyncio.shield(answered), duration + ANSWER_MARGIN)
            except TimeoutError:
                logger.warning("no answer from the worker holding long-poll session %s", session_id)
                return {"status": 410}
        finally:
            del self._pending[ref]

    async def _reply_topic_subscribed(self) -> str:
        if self._reply_topic is not None:
            return self._reply_topic
        async with self._reply_lock:
            if self._reply_topic is None:
                topic = TOPIC_PREFIX + "reply:" + secrets.token_urlsafe(12)
                self._reply_subscription = await self._pubsub.subscribe(topic, self._on_reply)
                self._reply_topic = topic
        return self._reply_topic

    def _on_reply(self, message: Any) -> None:
        if not isinstance(message, dict) or not isinstance(message.get("ref"), str):
            return  # a gap notice, or garbage: the request waiting on it times out
        pending = self._pending.get(message["ref"])
        if pending is None:
            return  # its request gave up already
        acked, answered = pending
        if not acked.done():
            acked.set_result(None)
        if "ack" not in message and not answered.done():
            answered.set_result(message)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for session_id in list(self._served):
            await self.unserve(session_id)
        if self._reply_topic is not None and self._reply_subscription is not None:
            await self._pubsub.unsubscribe(self._reply_topic, self._reply_subscription)
        self._reply_topic = self._reply_subscription = None
