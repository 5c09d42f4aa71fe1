"""One joined LiveView: its mailbox, how it is drained, and its replies and pushes.

Everything for one LiveView — the join, client events, pub/sub deliveries, timers, patches —
goes through one bounded mailbox and is handled one message at a time, in arrival order
(Phoenix's process semantics), by the loop's dispatcher (`dispatch`): an idle LiveView has no
task. Each message's reply or push is sent before the next message is read, so diffs reach the
client in the order they were computed.

An exception in user code fails this LiveView only: it is logged with its traceback, the client
gets `phx_error` (it then rejoins, which mounts a fresh LiveView), and the websocket and the
other LiveViews on it carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

from liveview.channel import frames
from liveview.channel.config import LIVEVIEW_VERSION, ChannelConfig, RouteMatch
from liveview.channel.dispatch import dispatcher
from liveview.channel.frames import Frame
from liveview.channel.params import form_payload
from liveview.session import InvalidToken
from liveview.socket import LiveViewSocket, Navigation
from liveview.template import RenderState
from liveview.template.sharing import SharedRender
from liveview.view import LiveView, UnknownEvent, template_of

logger = logging.getLogger("liveview")

Send = Callable[[str], Awaitable[None]]


class _JoinRefused(Exception):
    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__(response)
        self.response = response


class _MountCrashed(Exception):
    """User code raised during the join; the client got `join crashed`."""


class _Overflowed(Exception):
    """More messages waited than the mailbox holds: the LiveView fails (client rejoins)."""


class _Info(NamedTuple):
    """An info that is itself a `Frame`, wrapped so the mailbox cannot take it for one."""

    info: Frame


def _url_params(url: str) -> tuple[str, dict[str, Any]]:
    parts = urlsplit(url)
    return parts.path or "/", dict(parse_qsl(parts.query, keep_blank_values=True))


class LiveChannel:
    """The server side of one `lv:<id>` topic on one websocket."""

    def __init__(
        self,
        *,
        topic: str,
        join: Frame,
        config: ChannelConfig,
        send: Send,
        root_path: str,
        on_end: Callable[[LiveChannel], None],
    ) -> None:
        self.topic = topic
        self.join_ref = join.join_ref
        self.view_id = topic[3:]
        self._config = config
        self._send = send
        self._root_path = root_path.rstrip("/")
        self._on_end = on_end
        # A list, not a deque (an empty deque is 760 bytes): mailboxes are short.
        self._inbox: list[Any] = [join]
        self.view: LiveView | None = None
        self.socket: LiveViewSocket | None = None
        self._state = RenderState()
        self._route: RouteMatch | None = None
        self._url = ""
        self._diff_prefix = frames.push_prefix(self.join_ref, topic, "diff")
        # No task of its own: the loop's dispatcher drains the mailbox when mail arrives.
        self.context = contextvars.copy_context()
        self._dispatcher = dispatcher()
        self._joined = False
        self._scheduled = True
        self._owner: asyncio.Task[Any] | None = None  # the task in `drain`, while it runs
        self._overflowed = False
        self._ending = False
        self._dispatcher.schedule(self)

    # the mailbox ---------------------------------------------------------------------------

    def deliver(self, info: Any) -> None:
        """Queue an info (pub/sub message, timer, send_info) for `handle_info`."""
        self._put(_Info(info) if type(info) is Frame else info)

    def push_frame(self, frame: Frame) -> None:
        """Queue a client message for this LiveView."""
        self._put(frame)

    def _put(self, item: Any) -> None:
        if self._ending or self._overflowed:
            return
        if len(self._inbox) >= self._config.mailbox_size:
            logger.error("LiveView %s: mailbox overflow; failing it", self.topic)
            self._overflowed = True
            self._inbox.clear()
            owner = self._owner
            if owner is not None and owner is not asyncio.current_task():
                owner.cancel(msg="mailbox overflow")  # it waits in a handler: stop it there
            elif not self._scheduled:
                self._scheduled = True
                self._dispatcher.schedule(self)
            return
        self._inbox.append(item)
        if not self._scheduled:
            self._scheduled = True
            self._dispatcher.schedule(self)

    async def stop(self) -> None:
        """End this LiveView (socket closed, duplicate join): shutdown runs, subscriptions end."""
        if self._ending:
            return
        owner = self._owner
        if owner is not None and owner is not asyncio.current_task():
            self._ending = True  # what the cancelled drain does not handle is dropped
            owner.cancel()
            await asyncio.gather(owner, return_exceptions=True)
        await self._end(crashed=False)

    # draining the mailbox ------------------------------------------------------------------

    async def drain(self, task: asyncio.Task[Any]) -> None:
        """Handle the waiting messages in arrival order; the dispatcher calls this when mail
        arrives. Each message's reply or push is sent before the next message is read."""
        inbox = self._inbox
        self._owner = task
        crashed: bool | None = None  # None: the LiveView goes on; else it ends
        try:
            while crashed is None and (inbox or self._overflowed) and not self._ending:
                if self._overflowed:
                    raise _Overflowed
                item = inbox.pop(0)
                if not self._joined:
                    self._joined = True
                    if not await self._join(item):
                        crashed = False
                elif type(item) is Frame:
                    if await self._on_frame(item):
                        crashed = False
                elif await self._on_info(item.info if type(item) is _Info else item):
                    crashed = False
        except asyncio.CancelledError:
            if not self._overflowed:
                raise  # stop(): it ends the LiveView
            crashed = True
            await self._send_error()
        except _Overflowed:
            crashed = True
            await self._send_error()
        except ConnectionError:
            crashed = False  # the websocket went away mid-send: end quietly, as on a close
        except _MountCrashed:
            crashed = True
        except Exception:
            crashed = True
            logger.exception("LiveView %s crashed", self.topic)
            await self._send_error()
        finally:
            self._owner = None
        if crashed is not None:
            await self._end(crashed)
        self._scheduled = False

    async def _end(self, crashed: bool) -> None:
        """Runs once: take the LiveView off its connection, run shutdown (unless it crashed),
        end its subscriptions and timers."""
        if self._ended:
            return
        self._ended = self._ending = True
        self._inbox.clear()
        self._on_end(self)
        socket, view = self.socket, self.view
        if socket is None or view is None:
            return
        try:
            if not crashed:
                await view.shutdown(socket)
        except Exception:
            logger.exception("LiveView %s: shutdown failed", self.topic)
        finally:
            await socket._close()

    _ended = False

    async def _send_error(self) -> None:
        with contextlib.suppress(Exception):  # the websocket may be gone: nothing to tell
            await self._send(
                frames.encode(self.join_ref, self.join_ref, self.topic, "phx_error", {})
            )

    async def _reply(self, ref: str | None, status: str, response: Any) -> None:
        await self._send(frames.reply(self.join_ref, ref, self.topic, status, response))

    async def _push(self, event: str, payload: Any) -> None:
        await self._send(frames.encode(self.join_ref, None, self.topic, event, payload))

    # join ----------------------------------------------------------------------------------

    async def _join(self, join: Frame) -> bool:
        try:
            reply = await self._mount(join.payload)
        except _JoinRefused as refused:
            await self._reply(join.ref, "error", refused.response)
            return False
        except Exception:
            # Phoenix's answer to a join whose process died: the client shows the error and
            # retries the join with backoff.
            logger.exception("LiveView %s crashed while joining", self.topic)
            await self._reply(join.ref, "error", {"reason": "join crashed"})
            raise _MountCrashed from None
        await self._reply(join.ref, "ok", reply)
        return True

    async def _mount(self, payload: dict[str, Any]) -> dict[str, Any]:
        signer = self._config.signer
        try:
            token = signer.verify_session(payload.get("session"))
            if token.view_id != self.view_id:
                raise InvalidToken("session token belongs to another view")
            flash = signer.verify_static(payload.get("static"), self.view_id)
        except InvalidToken as exc:
            logger.info("LiveView %s: join refused as stale: %s", self.topic, exc)
            raise _JoinRefused({"reason": "stale"}) from None

        navigation = payload.get("redirect")
        url = navigation if isinstance(navigation, str) else payload.get("url")
        if not isinstance(url, str):
            raise _JoinRefused({"reason": "stale"})
        if token.route.startswith("embed:"):
            embedded = self._config.embedded.get(token.route[6:])
            if embedded is None:
                raise _JoinRefused({"reason": "unauthorized"})
            match: RouteMatch | None = RouteMatch(token.route, embedded, {})
        else:
            match = self._resolve(url)
        if match is None or (navigation is None and match.route != token.route):
            raise _JoinRefused({"reason": "unauthorized"})

        self._route = match
        self._url = url
        view = match.view()
        socket = LiveViewSocket(
            view_id=self.view_id, pubsub=self._config.pubsub, connected=True, mailbox=self
        )
        self.view, self.socket = view, socket
        if flash:
            socket.assign(flash=flash)
        params = self._params(url, match)
        await view.mount(socket, dict(token.session), params)
        await view.handle_params(url, params, socket)

        reply: dict[str, Any] = {}
        nav = socket._navigation
        if nav is not None:
            socket._navigation = None
            if nav.kind == "redirect":
                raise _JoinRefused({"redirect": {"to": nav.to}, "events": socket._events})
            if nav.kind == "navigate":
                raise _JoinRefused(
                    {"live_redirect": self._nav_payload(nav), "events": socket._events}
                )
            await self._patch_params(nav.to)
            reply["live_patch"] = self._nav_payload(nav)

        reply["rendered"], _ = self._render(full=True)
        reply["liveview_version"] = LIVEVIEW_VERSION
        return reply

    def _resolve(self, url: str) -> RouteMatch | None:
        path = unquote(urlsplit(url).path) or "/"  # routes match decoded paths, as over HTTP
        if self._root_path and path.startswith(self._root_path):
            path = path[len(self._root_path) :] or "/"
        return self._config.resolve(path)

    @staticmethod
    def _params(url: str, match: RouteMatch) -> dict[str, Any]:
        if match.route.startswith("embed:"):
            return {}
        _, query = _url_params(url)
        return {**query, **match.path_params}

    @staticmethod
    def _nav_payload(nav: Navigation) -> dict[str, Any]:
        return {"to": nav.to, "kind": "replace" if nav.replace else "push"}

    # rendering -----------------------------------------------------------------------------

    def _render(self, *, full: bool = False) -> tuple[dict[str, Any], SharedRender | None]:
        """The diff (full tree if `full`) to send, and the shared render it is, if it is one
        unchanged (then it is read-only, and its JSON is encoded once for every recipient)."""
        view, socket = self.view, self.socket
        assert view is not None and socket is not None
        changed = socket._take_changes()
        if full:
            self._state.reset()
        diff: dict[str, Any]
        shared: SharedRender | None = None
        if full or changed:
            template = template_of(view, socket.assigns)
            # the plain dict: templates read it on every slot evaluation
            if view.share_renders:
                shared = self._state.render_shared(
                    template, socket._data, None if full else changed
                )
                diff = shared.diff
            else:
                diff = self._state.render(template, socket._data, None if full else changed)
        else:
            diff = {}
        if socket._title_changed or socket._events:
            diff, shared = dict(diff), None
            if socket._title_changed:
                socket._title_changed = False
                diff["t"] = socket._title or ""
            if socket._events:
                diff["e"], socket._events = socket._events, []
        return diff, shared

    # client messages -----------------------------------------------------------------------

    async def _on_frame(self, frame: Frame) -> bool:
        """Handle one client message; True when the LiveView should end."""
        event = frame.event
        if event == "event":
            return await self._on_event(frame)
        if event == "phx_leave":
            await self._reply(frame.ref, "ok", {})
            await self._push("phx_close", {})
            return True
        if event == "live_patch":
            return await self._on_live_patch(frame)
        if event == "cids_will_destroy":
            await self._reply(frame.ref, "ok", {})
            return False
        if event == "cids_destroyed":
            cids = frame.payload.get("cids")
            await self._reply(frame.ref, "ok", {"cids": cids if isinstance(cids, list) else []})
            return False
        await self._reply(frame.ref, "error", {"reason": f"unknown message {event!r}"})
        return False

    async def _on_event(self, frame: Frame) -> bool:
        view, socket = self.view, self.socket
        assert view is not None and socket is not None
        payload = frame.payload
        name = payload.get("event")
        if not isinstance(name, str):
            await self._reply(frame.ref, "error", {"reason": "event name missing"})
            return False
        if "cid" in payload and payload["cid"] is not None:
            # No LiveComponents yet: an event for a component that does not exist gets ok {}.
            await self._reply(frame.ref, "ok", {})
            return False
        value = payload.get("value")
        if payload.get("type") == "form":
            args = form_payload(value, payload.get("meta"))
        elif isinstance(value, dict):
            args = value
        else:
            args = {"value": value}

        result: Any = None
        if name == "lv:clear-flash":
            key = args.get("key")
            socket.clear_flash(key if isinstance(key, str) else None)
        elif name.startswith("lv:"):
            await self._reply(frame.ref, "error", {"reason": f"unknown event {name!r}"})
            return False
        else:
            try:
                result = await view.handle_event(name, args, socket)
            except UnknownEvent as exc:
                logger.warning("LiveView %s: %s", self.topic, exc)
                await self._reply(frame.ref, "error", {"reason": str(exc)})
                return False
        return await self._respond(frame.ref, result)

    async def _on_live_patch(self, frame: Frame) -> bool:
        url = frame.payload.get("url")
        if not isinstance(url, str):
            await self._reply(frame.ref, "error", {"reason": "url missing"})
            return False
        match = self._resolve(url)
        if match is None or self._route is None or match.view is not self._route.view:
            await self._reply(frame.ref, "ok", {"link_redirect": True})
            return False
        await self._patch_params(url, match)
        return await self._respond(frame.ref, None)

    async def _patch_params(self, url: str, match: RouteMatch | None = None) -> None:
        view, socket = self.view, self.socket
        assert view is not None and socket is not None
        match = match or self._resolve(url)
        if match is None:
            return
        self._route, self._url = match, url
        await view.handle_params(url, self._params(url, match), socket)

    async def _respond(self, ref: str | None, hook_reply: Any) -> bool:
        """Reply to a client message with the render it caused (and any navigation)."""
        socket = self.socket
        assert socket is not None
        nav = await self._take_navigation()
        if nav is not None and nav.kind != "patch":
            await self._reply(ref, "ok", {self._nav_key(nav): self._nav_reply(nav)})
            await self._push("phx_close", {})
            return True
        diff, _ = self._render()
        if isinstance(hook_reply, dict):
            diff = {**diff, "r": hook_reply}
        await self._reply(ref, "ok", {"diff": diff} if diff else {})
        return False

    async def _take_navigation(self) -> Navigation | None:
        """Pop the pending navigation; a patch is applied here (params, then `live_patch` push)."""
        socket = self.socket
        assert socket is not None
        while (nav := socket._navigation) is not None:
            socket._navigation = None
            if nav.kind != "patch":
                if socket._events:  # events go out before the view leaves
                    await self._push("diff", {"e": socket._events})
                    socket._events = []
                return nav
            await self._patch_params(nav.to)
            await self._push("live_patch", self._nav_payload(nav))
        return None

    @staticmethod
    def _nav_key(nav: Navigation) -> str:
        return "redirect" if nav.kind == "redirect" else "live_redirect"

    def _nav_reply(self, nav: Navigation) -> dict[str, Any]:
        return {"to": nav.to} if nav.kind == "redirect" else self._nav_payload(nav)

    # infos ---------------------------------------------------------------------------------

    async def _on_info(self, info: Any) -> bool:
        view, socket = self.view, self.socket
        assert view is not None and socket is not None
        await view.handle_info(info, socket)
        nav = None if socket._navigation is None else await self._take_navigation()
        if nav is not None and nav.kind != "patch":
            await self._push(self._nav_key(nav), self._nav_reply(nav))
            await self._push("phx_close", {})
            return True
        diff, shared = self._render()
        if shared is not None and diff:
            await self._send(self._diff_prefix + shared.json + "]")
        elif diff:
            await self._push("diff", diff)
        return False
