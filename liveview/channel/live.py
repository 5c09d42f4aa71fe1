"""One joined LiveView: the LiveView protocol on top of its mailbox.

Everything for one LiveView — the join, client events, pub/sub deliveries, timers, patches —
goes through its `Mailbox` and is handled one message at a time, in arrival order (Phoenix's
process semantics). This module says what each message means:

- the first message is the join: verify the tokens, resolve the route, `mount` and
  `handle_params`, reply with the full render;
- a client `event` runs `handle_event` (the live component's, when it names a `cid`), a
  `live_patch` runs `handle_params`, an info runs `handle_info` (a `send_update`, the
  component's `update`);
- the LiveView's live components (`liveview.components`) render after it, into the `"c"` of the
  same diff; the client's `cids_will_destroy` / `cids_destroyed` end them;
- after every callback the socket's `Effects` go through one funnel (`_finish`): patches are
  followed (capped, as Phoenix caps them), a navigation away ends the LiveView, otherwise the
  diff goes out as the reply to the client's message or as a push.

An exception in user code fails this LiveView only: it is logged with its traceback, the client
gets `phx_error` (it then rejoins, which mounts a fresh LiveView), and the websocket and the
other LiveViews on it carry on.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Generator
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

import orjson

from liveview import crashes, telemetry
from liveview.asyncs import ASSIGN, AsyncDone
from liveview.channel import frames
from liveview.channel.config import ChannelConfig, RouteMatch
from liveview.channel.frames import Frame
from liveview.channel.mailbox import NOTHING, Mailbox, MailboxOverflow, Outcome
from liveview.channel.params import FormTooLarge, form_payload
from liveview.channel.protocol import (
    CIDS_DESTROYED,
    CIDS_WILL_DESTROY,
    CLEAR_FLASH,
    CLOSE,
    DIFF,
    ERROR,
    EVENT,
    FAILED,
    LEAVE,
    LIVE_PATCH,
    LIVE_REDIRECT,
    LIVEVIEW_VERSION,
    OK,
    REDIRECT,
    RELOAD,
    RESERVED_EVENT_PREFIX,
    STALE,
    UNAUTHORIZED,
    view_id_of,
)
from liveview.channel.upload import (
    ALLOW_UPLOAD,
    PROGRESS,
    UploadFailed,
    preflight,
    progress,
    put_form_entries,
)
from liveview.components import Components, UnknownComponent
from liveview.js import json_default
from liveview.pubsub import PubSubGap
from liveview.pubsub.hub import Sized, with_size
from liveview.routing import navigable
from liveview.session import InvalidToken, SessionToken
from liveview.socket import ComponentUpdate, Effects, LiveViewSocket, Navigation
from liveview.telemetry import hooks as _telemetry
from liveview.template import RenderState, SharedRender, Template
from liveview.template.components import ComponentSink
from liveview.template.wire import COMPONENTS, EVENTS, REPLY, TITLE
from liveview.view import (
    LiveView,
    MessagesDropped,
    UnknownEvent,
    fixed_template,
    start_view,
    template_of,
    view_metadata,
)

logger = logging.getLogger("liveview")

Send = Callable[[str], Awaitable[None]]

_CONTINUE = Outcome.CONTINUE  # a global: cheaper than the enum lookup, once per delivery

MAX_PATCH_REDIRECTS = 20
"""Patches in a row a LiveView may ask for (each runs `handle_params`, which may patch again)
before it is failed, as Phoenix does: a `handle_params` that always patches is a bug, and
following it forever would hold the event loop."""


MAX_COMPONENT_FOLLOW_UPS = 20
"""Page renders in a row that live components' `mount`/`update` may cause (by changing the
page: a flash, say) before the LiveView is failed: past that it is a render loop."""


class TooManyPatchRedirects(RuntimeError):
    """`handle_params` asked for a patch `MAX_PATCH_REDIRECTS` times in a row."""


class ComponentRenderLoop(RuntimeError):
    """Live components changed the page on every render, `MAX_COMPONENT_FOLLOW_UPS` times."""


class _JoinRefused(Exception):
    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__(response)
        self.response = response


class _Nothing:
    """An awaitable that is done at once: the send of a diff that has no change."""

    def __await__(self) -> Generator[None, None, None]:
        yield from ()


_NOTHING = _Nothing()


class _Info(NamedTuple):
    """An info that is itself a `Frame` (or a `Sized`), wrapped so the mailbox cannot take it
    for one."""

    info: Any


class LiveChannel(Mailbox):
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
        self.view_id = view_id_of(topic)
        self._config = config
        self._send = send
        self._root_path = root_path.rstrip("/")
        self._on_end = on_end
        self.view: LiveView | None = None
        self.socket: LiveViewSocket | None = None
        self._render_state = RenderState()
        self._route: RouteMatch | None = None
        self._template: Template | None = None  # the view's, when `render` does not choose
        self._diff_prefix = frames.push_prefix(self.join_ref, topic, DIFF)
        self._frame_bytes = 0  # of the client messages waiting
        self._info_bytes = 0  # of the pub/sub messages waiting
        self._info_limit = config.mailbox_info_bytes
        self._components: Components | None = None  # made when a render first calls one
        self._url = ""  # the page's URL, as the last mount or patch saw it
        self._live_socket_id: str | None = None  # registered for logouts while joined
        super().__init__(join, size=config.mailbox_size)  # last: this schedules the join

    # what arrives --------------------------------------------------------------------------

    def deliver(self, info: Any) -> None:
        """Queue an info (a timer's, `send_info`'s) for `handle_info`."""
        self.put(_Info(info) if type(info) is Frame or type(info) is Sized else info)

    @with_size
    def deliver_sized(self, published: Sized) -> None:
        """Queue a pub/sub message for `handle_info`; past `mailbox_info_bytes` of them
        waiting, what waits is shed for a notice, as past the message count."""
        self._info_bytes += published.size
        if self._info_bytes > self._info_limit:
            self.make_room()  # `shed` takes off what it drops
        self.put(published)

    def push_frame(self, frame: Frame) -> None:
        """Queue a client message for this LiveView; past `mailbox_frame_bytes` of them
        waiting, the LiveView fails (the client's own flood: nothing of it is dropped)."""
        self._frame_bytes += frame.size
        if self._frame_bytes > self._config.mailbox_frame_bytes:
            self.overflow()
        else:
            self.put(frame)

    def handle(self, message: Any) -> Awaitable[Outcome]:
        if self.view is None:  # the first message is the join
            return self._join(message)
        if type(message) is Sized:
            self._info_bytes -= message.size
            return self._on_info(message.message)
        if type(message) is Frame:
            self._frame_bytes -= message.size
            return self._on_frame(message)
        return self._on_info(message.info if type(message) is _Info else message)

    async def failed(self, error: BaseException) -> Outcome:
        if isinstance(error, ConnectionError):
            return Outcome.END  # the websocket went away mid-send: end quietly, as on a close
        if isinstance(error, MailboxOverflow):
            logger.error("LiveView %s: mailbox overflow; failing it", self.topic)
        else:
            logger.error("LiveView %s crashed", self.topic, exc_info=error)
        with contextlib.suppress(Exception):  # the websocket may be gone: nothing to tell
            if self.view is not None:  # joined: the page says so (crashes.py), then rejoins
                crash = crashes.report(error, type(self.view).__name__, debug=self._config.debug)
                await self._push(DIFF, {EVENTS: [[crashes.EVENT, crash.to_json()]]})
            await self._send(frames.encode(self.join_ref, self.join_ref, self.topic, ERROR, {}))
        return Outcome.CRASH

    async def ended(self, outcome: Outcome) -> None:
        """Take the LiveView off its connection, run `shutdown` (unless it crashed), end its
        subscriptions and timers."""
        self._on_end(self)
        live_sockets = self._config.live_sockets
        if self._live_socket_id is not None and live_sockets is not None:
            live_sockets.unregister(self._live_socket_id, self.logged_out)
        socket, view = self.socket, self.view
        if socket is None or view is None:
            return
        try:
            if outcome is Outcome.END:
                await view.shutdown(socket)
        except Exception:
            logger.exception("LiveView %s: shutdown failed", self.topic)
        finally:
            await socket.end()

    # what goes out -------------------------------------------------------------------------

    def logged_out(self) -> None:
        """This LiveView's user logged out (`LiveViewApp.disconnect`): the page is to load
        again over HTTP (after what is waiting in the mailbox)."""
        self.deliver(_LOGGED_OUT)

    def _flash_token(self) -> str | None:
        """The flash, signed, for the next page of a navigation away (None if there is none)."""
        socket = self.socket
        if socket is None or not socket.flash:
            return None
        return self._config.signer.sign_flash(socket.flash)

    async def _reply(self, ref: str | None, status: str, response: Any) -> None:
        await self._send(frames.reply(self.join_ref, ref, self.topic, status, response))

    async def _push(self, event: str, payload: Any) -> None:
        await self._send(frames.encode(self.join_ref, None, self.topic, event, payload))

    # join ----------------------------------------------------------------------------------

    async def _join(self, join: Frame) -> Outcome:
        try:
            reply, later = await self._mount(join.payload)
        except _JoinRefused as refused:
            await self._reply(join.ref, FAILED, refused.response)
            return Outcome.END
        except Exception as error:
            # Phoenix's answer to a join whose process died: the client shows the error and
            # loads the page again, waiting longer each time. In debug it loads the page with
            # the report in a cookie instead, and the dead render shows the error page.
            logger.exception("LiveView %s crashed while joining", self.topic)
            await self._reply(join.ref, FAILED, self._join_crashed(error))
            return Outcome.CRASH
        await self._reply(join.ref, OK, reply)
        if later is not None:  # live components changed the page while it mounted
            return await self._finish(later)
        return _CONTINUE

    def _join_crashed(self, error: Exception) -> dict[str, Any]:
        if not self._config.debug:
            return {"reason": "join crashed"}
        view = self._route.view.__name__ if self._route is not None else self.topic
        crash = crashes.report(error, view, debug=True, joining=True)
        token = self._config.signer.sign_reload(crash.to_json())
        return {"reason": RELOAD, "status": 500, "token": token}

    async def _mount(self, payload: dict[str, Any]) -> tuple[dict[str, Any], Effects | None]:
        signer = self._config.signer
        try:
            token = signer.verify_session(payload.get("session"))
            if token.view_id != self.view_id:
                raise InvalidToken("session token belongs to another view")
            flash = signer.verify_static(payload.get("static"), self.view_id)
        except InvalidToken as exc:
            logger.info("LiveView %s: join refused as stale: %s", self.topic, exc)
            raise _JoinRefused({"reason": STALE}) from None
        live_socket_id, live_sockets = token.live_socket_id, self._config.live_sockets
        if live_socket_id is not None and live_sockets is not None:
            await live_sockets.watch()
        if (
            live_socket_id is not None
            and live_sockets is not None
            and live_sockets.revoked(live_socket_id, token.issued_at)
        ):
            # Signed before its user logged out: the page loads over HTTP, signed out.
            logger.info("LiveView %s: token of %s from before a logout", self.topic, live_socket_id)
            raise _JoinRefused({"reason": UNAUTHORIZED})
        connect_params = payload.get("params")
        if not isinstance(connect_params, dict):
            connect_params = {}
        # The dead render's flash is for the first mount of its page only (not a rejoin after
        # a crash, nor the next page of a live navigation, which sends the page's tokens
        # again); a flash carried by a live navigation comes with its join instead.
        if payload.get("flash") is not None:
            flash = signer.verify_flash(payload.get("flash"))
        elif payload.get("redirect") is not None or connect_params.get("_mounts", 0) != 0:
            flash = {}

        navigation = payload.get("redirect")  # a live navigation: the new page's URL
        url = navigation if isinstance(navigation, str) else payload.get("url")
        if not isinstance(url, str):
            raise _JoinRefused({"reason": STALE})
        match = self._match(token, url)
        if match is None or (navigation is None and match.route != token.route):
            raise _JoinRefused({"reason": UNAUTHORIZED})
        if navigation is not None and not navigable(
            token.route, token.live_session, match.route, match.live_session
        ):
            # Out of the page's live session: the client loads the page over HTTP instead.
            logger.info("LiveView %s: live navigation to %s refused", self.topic, match.route)
            raise _JoinRefused({"reason": UNAUTHORIZED})

        self._route = match
        self._url = url
        view = match.view()
        socket = LiveViewSocket(
            view_id=self.view_id,
            pubsub=self._config.pubsub,
            connected=True,
            mailbox=self,
            connect_params=connect_params,
        )
        self.view, self.socket = view, socket
        self._template = fixed_template(view)
        if flash:
            socket.assign(flash=flash)
        params = self._params(url, match)
        await start_view(view, socket, dict(token.session), params, url, match.on_mount)

        effects, patch = await self._follow_patches(socket.take_effects(), announce=False)
        nav = effects.navigation
        if nav is not None:  # mount sent the browser elsewhere: the join fails with where to
            key, where = _navigation_message(nav, self._flash_token())
            raise _JoinRefused({key: where, "events": effects.events})
        if live_socket_id is not None and live_sockets is not None:
            self._live_socket_id = live_socket_id
            live_sockets.register(live_socket_id, self.logged_out)
        reply: dict[str, Any] = {}
        if patch is not None:
            reply[LIVE_PATCH] = _navigation_message(patch)[1]
        rendered, _ = self._diff(effects, full=True)
        later = None
        if self._components is not None and self._components.busy:
            rendered, later = await self._with_components(rendered)
        reply["rendered"] = rendered
        reply["liveview_version"] = LIVEVIEW_VERSION
        return reply, later

    def _match(self, token: SessionToken, url: str) -> RouteMatch | None:
        if token.embedded:
            embedded = self._config.embedded.get(token.route)
            if embedded is None:
                return None
            return RouteMatch(token.route, embedded, {}, True, on_mount=self._config.on_mount)
        return self._resolve(url)

    def _resolve(self, url: str) -> RouteMatch | None:
        """The route of `url`; None for a URL of no route, or none at all (`http://[`)."""
        try:
            path = unquote(urlsplit(url).path) or "/"  # routes match decoded paths, as over HTTP
        except ValueError:
            return None
        if self._root_path and path.startswith(self._root_path):
            path = path[len(self._root_path) :] or "/"
        return self._config.resolve(path)

    @staticmethod
    def _params(url: str, match: RouteMatch) -> dict[str, Any]:
        if match.embedded:
            return {}
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        return {**query, **match.path_params}

    # after every callback: one funnel ------------------------------------------------------

    async def _finish(
        self,
        effects: Effects,
        reply_to: Frame | None = None,
        hook_reply: Any = None,
        response: dict[str, Any] | None = None,
    ) -> Outcome:
        """Turn what a callback did into one reply (to the client's `reply_to`) or one push (an
        info): follow its patches, leave on a navigation away, else send its diff. If live
        components changed the page while rendering, what they did follows as pushes."""
        for _ in range(MAX_COMPONENT_FOLLOW_UPS):
            if effects.navigation is not None:
                effects, _ = await self._follow_patches(effects, announce=True)
                nav = effects.navigation
                if nav is not None:
                    if effects.events:  # events go out before the view leaves
                        await self._push(DIFF, {EVENTS: effects.events})
                    key, where = _navigation_message(nav, self._flash_token())
                    if reply_to is not None:
                        await self._reply(reply_to.ref, OK, {key: where})
                    else:
                        await self._push(key, where)
                    await self._push(CLOSE, {})
                    return Outcome.END
            later = await self._send_diff(effects, reply_to, hook_reply, response)
            if later is None:
                return _CONTINUE
            effects, reply_to, hook_reply, response = later, None, None, None
        raise ComponentRenderLoop(
            f"the live components of {type(self.view).__name__} changed the page on each of "
            f"{MAX_COMPONENT_FOLLOW_UPS} renders in a row: check their mount and update"
        )

    def _send_diff(
        self,
        effects: Effects,
        reply_to: Frame | None,
        hook_reply: Any,
        response: dict[str, Any] | None = None,
    ) -> Awaitable[Effects | None]:
        """Send the diff of `effects`: as the reply to `reply_to`, else as a push (nothing when
        there is no change). Not a coroutine: the write is the only thing awaited, once per
        delivery, so it is returned rather than awaited here. What it gives is what live
        components did to the page while they rendered, if anything."""
        diff, shared = self._diff(effects)
        components = self._components
        if components is not None:
            if components.busy:
                return self._send_with_components(diff, reply_to, hook_reply, response)
            components.settle()
        if reply_to is not None:
            if isinstance(hook_reply, dict):
                diff = {**diff, REPLY: hook_reply}
            if response is not None:  # the reply says more than the diff (a preflight)
                return self._reply(reply_to.ref, OK, {**response, DIFF: diff} if diff else response)
            return self._reply(reply_to.ref, OK, {DIFF: diff} if diff else {})
        if not diff:
            return _NOTHING
        if shared is not None:
            return self._send(self._diff_prefix + shared.json + "]")
        return self._push(DIFF, diff)

    async def _send_with_components(
        self,
        diff: dict[str, Any],
        reply_to: Frame | None,
        hook_reply: Any,
        response: dict[str, Any] | None = None,
    ) -> Effects | None:
        """`_send_diff` for a diff that live components add to."""
        diff, later = await self._with_components(diff)
        if reply_to is not None:
            if isinstance(hook_reply, dict):
                diff[REPLY] = hook_reply
            reply = {DIFF: diff} if diff else {}
            await self._reply(reply_to.ref, OK, {**response, **reply} if response else reply)
        elif diff:
            await self._push(DIFF, diff)
        return later

    async def _with_components(self, diff: dict[str, Any]) -> tuple[dict[str, Any], Effects | None]:
        """`diff` (a copy) with the live components' part, and what their callbacks did to the
        page that needs another render (None if nothing): events and a title join `diff`."""
        components, socket = self._components, self.socket
        assert components is not None and socket is not None
        diff = dict(diff)
        rendered = await components.render()
        if rendered:
            diff[COMPONENTS] = rendered
        later = socket.take_effects()
        if later.events:
            diff[EVENTS] = (*diff.get(EVENTS, ()), *later.events)
        if later.title is not None:
            diff[TITLE] = later.title
        if later.changed or later.navigation is not None:
            return diff, Effects(later.changed, (), None, later.navigation)
        return diff, None

    async def _follow_patches(
        self, effects: Effects, *, announce: bool
    ) -> tuple[Effects, Navigation | None]:
        """Apply the patches asked for (`handle_params` again; it may patch again), pushing
        `live_patch` for each if `announce`; returns the effects of them all (ending with no
        navigation or one away from this LiveView) and the last patch."""
        socket = self.socket
        assert socket is not None
        patch = None
        for _ in range(MAX_PATCH_REDIRECTS):
            nav = effects.navigation
            if nav is None or nav.kind != "patch":
                return effects, patch
            patch = nav
            await self._patch_params(nav.to)
            if announce:
                await self._push(LIVE_PATCH, _navigation_message(nav)[1])
            effects = effects.then(socket.take_effects())
        if effects.navigation is None or effects.navigation.kind != "patch":
            return effects, patch
        raise TooManyPatchRedirects(
            f"LiveView {type(self.view).__name__} asked for more than {MAX_PATCH_REDIRECTS} "
            "patches in a row: check its handle_params for a push_patch loop"
        )

    async def _patch_params(self, url: str, match: RouteMatch | None = None) -> None:
        view, socket = self.view, self.socket
        assert view is not None and socket is not None
        match = match or self._resolve(url)
        if match is None:
            return
        self._route = match
        self._url = url
        params = self._params(url, match)
        if _telemetry.handle_params:
            metadata = view_metadata(view, socket, params=params, uri=url)
            await telemetry.span(
                "liveview.handle_params", metadata, view.handle_params(url, params, socket)
            )
        else:
            await view.handle_params(url, params, socket)

    def _diff(
        self, effects: Effects, *, full: bool = False, observed: bool = False
    ) -> tuple[dict[str, Any], SharedRender | None]:
        """The diff (full tree if `full`) of `effects`, and the shared render it is, if it is
        one unchanged (then it is read-only, and its JSON is encoded once for every
        recipient)."""
        if _telemetry.render and not observed:
            return self._observed_diff(effects, full)
        view, socket = self.view, self.socket
        assert view is not None and socket is not None
        changed = effects.changed
        if full:
            self._render_state.reset()
        diff: dict[str, Any]
        shared: SharedRender | None = None
        if full or changed:
            template = self._template or template_of(view, socket.assigns)
            data = socket.render_input
            components = self._components
            sink: ComponentSink = self  # makes the table on the first call
            if components is not None:
                if not self._render_state.holds(template):
                    components.reset()  # a complete tree: the client drops its components
                components.begin()
                sink = components  # the table itself: one call less on each of its rows
            if view.share_renders:
                shared = self._render_state.render_shared(
                    template, data, None if full else changed, sink, strict=self._config.debug
                )
                diff = shared.diff
            else:
                diff = self._render_state.render(
                    template, data, None if full else changed, sink, strict=self._config.debug
                )
            if socket.forgets:
                self._after_render(socket)
        else:
            diff = {}
        if effects.title is not None or effects.events:
            diff, shared = dict(diff), None
            if effects.title is not None:
                diff[TITLE] = effects.title
            if effects.events:
                diff[EVENTS] = effects.events
        return diff, shared

    def _observed_diff(
        self, effects: Effects, full: bool
    ) -> tuple[dict[str, Any], SharedRender | None]:
        """`_diff` as a telemetry span; its stop event measures the diff's bytes as JSON."""
        view, socket = self.view, self.socket
        assert view is not None and socket is not None
        metadata = view_metadata(view, socket, full=full)
        return telemetry.sync_span(
            "liveview.render",
            metadata,
            lambda: self._diff(effects, full=full, observed=True),
            _diff_size,
        )

    def _after_render(self, socket: LiveViewSocket) -> None:
        """Forget the stream rows just rendered and put temporary assigns back."""
        for name in socket.rendered():
            logger.warning(
                "LiveView %s: stream %r changed but the template has no "
                "{%% for dom_id, item in streams.%s %%}; its operations were dropped",
                self.topic,
                name,
                name,
            )

    # the sink of this LiveView's renders for live components (see template.components) ------

    @property
    def calls(self) -> int:
        components = self._components
        return 0 if components is None else components.calls

    def cid_for(self, component: Any, assigns: dict[str, Any]) -> int:
        components = self._components
        if components is None:
            view, socket = self.view, self.socket
            assert view is not None and socket is not None
            components = self._components = Components(
                socket, f"LiveView {type(view).__name__}", strict=self._config.debug
            )
        return components.cid_for(component, assigns)

    def hole_for(self, component: Any, assigns: dict[str, Any]) -> str:
        raise RuntimeError("a joined LiveView renders trees, not HTML")

    # client messages -----------------------------------------------------------------------

    async def _on_frame(self, frame: Frame) -> Outcome:
        event = frame.event
        if event == EVENT:
            return await self._on_event(frame)
        if event == LEAVE:
            await self._reply(frame.ref, OK, {})
            await self._push(CLOSE, {})
            return Outcome.END
        if event == LIVE_PATCH:
            return await self._on_live_patch(frame)
        if event == ALLOW_UPLOAD:
            socket = self.socket
            assert socket is not None
            reply = await preflight(socket, frame.payload, self._config.signer)
            return await self._finish(socket.take_effects(), frame, response=reply)
        if event == PROGRESS:
            assert self.socket is not None
            await progress(self.socket, frame.payload)
            return await self._finish(self.socket.take_effects(), frame)
        if event == CIDS_WILL_DESTROY:
            if self._components is not None:
                self._components.will_destroy(_cids(frame.payload))
            await self._reply(frame.ref, OK, {})
            return _CONTINUE
        if event == CIDS_DESTROYED:
            cids = _cids(frame.payload)
            cids = self._components.destroyed(cids) if self._components is not None else []
            await self._reply(frame.ref, OK, {"cids": cids})
            return _CONTINUE
        await self._reply(frame.ref, FAILED, {"reason": f"unknown message {event!r}"})
        return _CONTINUE

    async def _on_event(self, frame: Frame) -> Outcome:
        view, socket = self.view, self.socket
        assert view is not None and socket is not None
        payload = frame.payload
        name = payload.get("event")
        if not isinstance(name, str):
            await self._reply(frame.ref, FAILED, {"reason": "event name missing"})
            return _CONTINUE
        cid = payload.get("cid")
        if cid is not None and (type(cid) is not int or cid not in (self._components or ())):
            # A component the page does not have (gone, or never was): the client logs the
            # error; the LiveView carries on.
            logger.info("LiveView %s: event %r for no component (cid %r)", self.topic, name, cid)
            await self._reply(frame.ref, FAILED, {"reason": f"no component with cid {cid!r}"})
            return _CONTINUE
        value = payload.get("value")
        if payload.get("type") == "form":
            if payload.get("uploads"):  # files selected: registered before the handler runs
                put_form_entries(socket, payload["uploads"])
            try:
                args = form_payload(value, payload.get("meta"))
            except FormTooLarge as exc:  # a hostile form: refused, the LiveView carries on
                logger.warning("LiveView %s: %s", self.topic, exc.reason)
                await self._reply(frame.ref, FAILED, {"reason": exc.reason})
                return _CONTINUE
        elif isinstance(value, dict):
            args = value
        else:
            args = {"value": value}

        result: Any = None
        if cid is not None:
            return await self._on_component_event(frame, cid, name, args)
        if name == CLEAR_FLASH:
            key = args.get("key")
            socket.clear_flash(key if isinstance(key, str) else None)
        elif name.startswith(RESERVED_EVENT_PREFIX):
            await self._reply(frame.ref, FAILED, {"reason": f"unknown event {name!r}"})
            return _CONTINUE
        else:
            try:
                if _telemetry.handle_event:
                    metadata = view_metadata(view, socket, event=name, params=args)
                    call = view.handle_event(name, args, socket)
                    result = await telemetry.span("liveview.handle_event", metadata, call)
                else:
                    result = await view.handle_event(name, args, socket)
            except UnknownEvent as exc:
                logger.warning("LiveView %s: %s", self.topic, exc)
                await self._reply(frame.ref, FAILED, {"reason": str(exc)})
                return _CONTINUE
        return await self._finish(socket.take_effects(), frame, result)

    async def _on_component_event(
        self, frame: Frame, cid: int, name: str, args: dict[str, Any]
    ) -> Outcome:
        components, socket = self._components, self.socket
        assert components is not None and socket is not None
        if name == CLEAR_FLASH:
            key = args.get("key")
            socket.clear_flash(key if isinstance(key, str) else None)
            return await self._finish(socket.take_effects(), frame)
        if name.startswith(RESERVED_EVENT_PREFIX):
            await self._reply(frame.ref, FAILED, {"reason": f"unknown event {name!r}"})
            return _CONTINUE
        try:
            result = await components.handle_event(cid, name, args)
        except UnknownEvent as exc:
            logger.warning("LiveView %s, component %d: %s", self.topic, cid, exc)
            await self._reply(frame.ref, FAILED, {"reason": str(exc)})
            return _CONTINUE
        except UnknownComponent as exc:
            await self._reply(frame.ref, FAILED, {"reason": str(exc)})
            return _CONTINUE
        return await self._finish(socket.take_effects(), frame, result)

    async def _on_live_patch(self, frame: Frame) -> Outcome:
        socket = self.socket
        assert socket is not None
        url = frame.payload.get("url")
        if not isinstance(url, str):
            await self._reply(frame.ref, FAILED, {"reason": "url missing"})
            return _CONTINUE
        match = self._resolve(url)
        if match is None or self._route is None or match.view is not self._route.view:
            await self._reply(frame.ref, OK, {"link_redirect": True})
            return _CONTINUE
        await self._patch_params(url, match)
        return await self._finish(socket.take_effects(), frame)

    # infos ---------------------------------------------------------------------------------

    async def _on_info(self, info: Any) -> Outcome:
        """`handle_info` for `info` and for the infos waiting right behind it, then one render:
        the state a render after each would end in, in one diff, so a burst of publishes does
        not outrun a LiveView whose handler keeps up. A client message or a navigation ends the
        run (they are answered in order, as ever)."""
        view, socket = self.view, self.socket
        assert view is not None and socket is not None
        if type(info) in _NOTICES:
            await self._handle_notice(info)
        elif _telemetry.handle_info:
            await self._observed_info(info)
        else:
            await view.handle_info(info, socket)
        for _ in range(self.waiting()):
            if socket.navigating:
                break
            more = self.take_next(_is_info)
            if more is NOTHING:
                break
            more = self._info_of(more)
            if type(more) in _NOTICES:
                await self._handle_notice(more)
            elif _telemetry.handle_info:
                await self._observed_info(more)
            else:
                await view.handle_info(more, socket)
        return await self._finish(socket.take_effects())

    def _observed_info(self, info: Any) -> Awaitable[None]:
        """`handle_info` as a telemetry span."""
        view, socket = self.view, self.socket
        assert view is not None and socket is not None
        metadata = view_metadata(view, socket, info=info)
        return telemetry.span("liveview.handle_info", metadata, view.handle_info(info, socket))

    def _handle_notice(self, info: Any) -> Awaitable[Any]:
        """`handle_gap` for a notice that messages were missed; a live component's update for
        a `send_update` (the infos that are not the LiveView's own: `_NOTICES`)."""
        view, socket = self.view, self.socket
        assert view is not None and socket is not None
        if type(info) is PubSubGap:
            return view.handle_gap(info.topic, socket)
        if type(info) is MessagesDropped:
            return view.handle_gap(None, socket)
        if type(info) is AsyncDone:
            return self._on_async(info)
        if info is _LOGGED_OUT:
            socket.clear_flash()  # nothing of the signed-in page goes along
            socket.redirect(self._url)
            return _NOTHING
        if type(info) is UploadFailed:
            info.apply(socket)
            return _NOTHING
        if self._components is None:
            logger.debug("send_update: no live components on this page (%r)", info)
            return _NOTHING
        return self._components.send_update(info.component, info.id, info.assigns)

    async def _on_async(self, done: AsyncDone) -> None:
        """A task's outcome (`liveview.asyncs`): assigned (`assign_async`) or handed to
        `handle_async` (`start_async`) of the LiveView or live component that started it,
        unless the task was replaced or cancelled since, or its component has left."""
        view, socket = self.view, self.socket
        assert view is not None and socket is not None
        if not socket.take_async(done):
            return
        if done.owner is not None:
            if self._components is not None:
                await self._components.handle_async(done)
        elif done.kind == ASSIGN:
            socket.settle_async(done)
        else:
            await view.handle_async(done.name, done.outcome, socket)

    def _info_of(self, message: Any) -> Any:
        """What `handle_info` gets for a waiting info, taken out of the mailbox."""
        if type(message) is Sized:
            self._info_bytes -= message.size
            return message.message
        return message.info if type(message) is _Info else message

    def shed(self, waiting: list[Any]) -> bool:
        """The mailbox is full: the waiting infos make way for one `MessagesDropped` (the
        LiveView reloads what it shows); client messages are never dropped, so a client that
        floods its own LiveView still fails it. Tasks' outcomes are kept too (there are no
        more of them than tasks, and an `assign_async` would stay loading without its own)."""
        kept = [message for message in waiting if type(message) in _KEPT]
        dropped = sum(
            message.count if type(message) is MessagesDropped else 1
            for message in waiting
            if type(message) not in _KEPT
        )
        if not dropped:
            return False
        logger.warning("LiveView %s fell behind: %d infos dropped", self.topic, dropped)
        self._info_bytes -= sum(message.size for message in waiting if type(message) is Sized)
        waiting[:] = kept
        waiting.append(MessagesDropped(dropped))
        return True


class _LoggedOut:
    """The notice `logged_out` puts in the mailbox."""


_LOGGED_OUT = _LoggedOut()

_NOTICES = frozenset(
    {PubSubGap, MessagesDropped, ComponentUpdate, _LoggedOut, AsyncDone, UploadFailed}
)
"""Infos that are not for `handle_info` (see `LiveChannel._handle_notice`)."""


_KEPT = frozenset({Frame, AsyncDone, _LoggedOut, UploadFailed})
"""What `LiveChannel.shed` never drops: client messages, tasks' outcomes, a logout, an upload's
failure (one at most per entry)."""


def _cids(payload: dict[str, Any]) -> list[int]:
    """The cids of a `cids_will_destroy` / `cids_destroyed` (anything else in there ignored)."""
    cids = payload.get("cids")
    return [cid for cid in cids if type(cid) is int] if isinstance(cids, list) else []


def _diff_size(rendered: tuple[dict[str, Any], SharedRender | None]) -> dict[str, Any]:
    """The render stop event's measurement of a diff: its bytes as JSON (0: no change). Live
    components' part is not in it (they render after)."""
    diff, shared = rendered
    if not diff:
        return {"diff_bytes": 0}
    if shared is None:
        return {"diff_bytes": len(orjson.dumps(diff, default=json_default))}
    text = shared.json  # made once for every LiveView that sends it; `isascii` is O(1)
    return {"diff_bytes": len(text) if text.isascii() else len(text.encode())}


def _is_info(message: Any) -> bool:
    return type(message) is not Frame


def _navigation_message(nav: Navigation, flash: str | None = None) -> tuple[str, dict[str, Any]]:
    """How the client is told of a navigation: the key (a reply's) or event (a push's), and
    its payload; `flash` (a signed token) goes along with a navigation away, for the next page
    (the client hands it to the next join, or sets it as a cookie before a page load)."""
    if nav.kind == "redirect":
        message = {"to": nav.to}
    else:
        kind = "replace" if nav.replace else "push"
        message = {"to": nav.to, "kind": kind}
        if nav.kind == "patch":
            return LIVE_PATCH, message
    if flash is not None:
        message["flash"] = flash
    return (REDIRECT if nav.kind == "redirect" else LIVE_REDIRECT), message
