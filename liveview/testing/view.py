"""`LiveViewTest`: one LiveView joined over a `TestWebSocket`, and the HTML a browser shows."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin

from liveview.channel.protocol import (
    CIDS_WILL_DESTROY,
    CLOSE,
    DIFF,
    ERROR,
    EVENT,
    JOIN,
    LEAVE,
    LIVE_PATCH,
    LIVE_REDIRECT,
)
from liveview.testing.crashes import CrashLog
from liveview.testing.elements import ElementTest
from liveview.testing.exceptions import LiveViewCrashed, Redirected, ReplyError, ViewClosed
from liveview.testing.forms import FormTest
from liveview.testing.html import parse
from liveview.testing.navigation import Navigation, from_push, from_reply
from liveview.testing.selectors import select
from liveview.testing.tree import StreamRows, component_of, extract, merge_diff, to_html
from liveview.testing.uploads import File
from liveview.testing.uploads import upload as upload_files
from liveview.testing.websocket import DEFAULT_TIMEOUT, TestWebSocket

if TYPE_CHECKING:
    from liveview.testing.client import LiveViewTestClient


class LiveViewTest:
    """One LiveView joined over a TestWebSocket; `html` is what a browser would show in it.

    Its elements (`element`, `has_element`) and forms (`form`) send what the official client
    sends for their bindings; `navigations` and `events` keep where it sent the browser and
    what it pushed, for the assertions of `liveview.testing.assertions`.

    If the LiveView crashes while the test waits on it (for a reply, a join, a push), the wait
    ends at once with `LiveViewCrashed`, from the exception the app logged (see `CrashLog`).
    """

    __test__ = False

    def __init__(
        self,
        socket: TestWebSocket,
        topic: str,
        url: str,
        join_payload: dict[str, Any],
        *,
        crashes: CrashLog | None = None,
        client: LiveViewTestClient | None = None,
    ) -> None:
        self.socket = socket
        self.client = client
        """The client that opened this view (`follow_redirect` loads pages with it)."""
        self.topic = topic
        self.join_ref = ""
        self.url = url
        self.join_payload = join_payload
        self.tree: dict[str, Any] | None = None
        self.stream_rows = StreamRows()  # what the DOM holds of each stream (see tree)
        self.join_reply: dict[str, Any] | None = None  # the last join's response, as sent
        self.title: str | None = None
        self.events: list[list[Any]] = []
        """Every `push_event` the view sent, `[name, payload]`, in order."""
        self.pushes: list[list[Any]] = []
        self.navigations: list[Navigation] = []
        """Every redirect and patch the view went through, in order (see `navigation`)."""
        self.closed = False
        """Whether the view has ended: it redirected (the server then closes it), or the server
        closed it (`phx_close`)."""
        self._crashes = crashes
        # what the assertions (`assert_redirect`, `assert_push_event`...) have not taken yet
        self.unasserted_navigations: list[Navigation] = []
        self.unasserted_events: list[list[Any]] = []

    async def join(self) -> list[list[Any]]:
        """Send phx_join (again, on a rejoin) and apply the rendered tree; returns frames that
        arrived before the reply. Raises `LiveViewCrashed` if mount or handle_params raised,
        `ReplyError` on another refusal."""
        self.join_ref = self.socket.next_ref()
        self.tree = None
        await self.socket.send_frame(
            [self.join_ref, self.join_ref, self.topic, JOIN, self.join_payload]
        )
        pushed: list[list[Any]] = []
        reply = await self.socket.receive_reply(self.join_ref, pushed.append)
        response = reply[4]["response"]
        if reply[4]["status"] != "ok":
            if isinstance(response, dict) and response.get("reason") in ("join crashed", "reload"):
                raise self._crashed(response)  # "reload": in debug, the error page follows
            navigation = from_reply(response) if isinstance(response, dict) else None
            if navigation is not None:  # mount sent the browser elsewhere
                self._navigated(navigation)
                raise Redirected(navigation, response)
            raise ReplyError(response)
        self.closed = False
        self.join_reply = response
        self.apply(response["rendered"])
        navigation = from_reply(response)
        if navigation is not None:  # handle_params patched in mount
            self._navigated(navigation)
        return pushed

    async def rejoin(self) -> list[list[Any]]:
        """What the client does after a crash or reconnect: join the same topic anew."""
        self.join_payload["params"]["_mounts"] = 1
        return await self.join()

    @property
    def html(self) -> str:
        return to_html(self.tree, self.stream_rows) if self.tree is not None else ""

    def apply(self, diff: dict[str, Any]) -> Any:
        """Merge a diff as the client does; returns the hook reply (`r`), if any."""
        rest, top = extract(diff)
        self.events.extend(top.events)
        self.unasserted_events.extend(top.events)
        if top.title is not None:
            self.title = top.title
        fresh = self.tree is None or "s" in rest
        self.tree = merge_diff(self.tree, rest)
        if fresh:  # a new tree (the join): rows of the dead render are dropped, as the client
            self.stream_rows = StreamRows()
        self.stream_rows.take(self.tree)
        return top.reply

    async def push(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a message on this view's topic; apply pushes and the reply's diff. Returns the
        reply's response; raises ReplyError on an error reply, LiveViewCrashed on a crash."""
        reply = await self._request(event, payload)
        response: dict[str, Any] = reply[4]["response"]
        if reply[4]["status"] != "ok":
            raise ReplyError(response)
        if DIFF in response:
            response = {**response, "reply": self.apply(response[DIFF])}
        navigation = from_reply(response)
        if navigation is not None:
            self._navigated(navigation)
        return response

    async def _request(self, event: str, payload: dict[str, Any]) -> list[Any]:
        ref = self.socket.next_ref()
        await self.socket.send_frame([self.join_ref, ref, self.topic, event, payload])
        return await self.socket.receive_reply(ref, self._on_push)

    def _on_push(self, frame: list[Any]) -> None:
        self.pushes.append(frame)
        if frame[2] != self.topic:
            return
        if frame[3] == DIFF:
            self.apply(frame[4])
        elif frame[3] == ERROR and frame[0] == self.join_ref:
            raise self._crashed(frame[4])
        elif frame[3] == CLOSE and frame[0] == self.join_ref:
            self.closed = True
        else:
            navigation = from_push(frame[3], frame[4])
            if navigation is not None:
                self._navigated(navigation)

    def _navigated(self, navigation: Navigation) -> None:
        self.navigations.append(navigation)
        self.unasserted_navigations.append(navigation)
        if navigation.kind == LIVE_PATCH:
            self.url = urljoin(self.url, navigation.to)
        else:
            self.closed = True

    def _crashed(self, response: dict[str, Any]) -> LiveViewCrashed:
        error = self._crashes.take(self.topic) if self._crashes is not None else None
        return LiveViewCrashed(self.topic, response, error)

    # Finding elements, as Phoenix.LiveViewTest's `element/3` and `has_element?/3`.

    def element(self, selector: str, text: str | re.Pattern[str] | None = None) -> ElementTest:
        """The one element of the view that `selector` (CSS) matches, and whose text contains
        `text` (or matches it, a compiled pattern) if given: to `click()`, `render()`... It is
        looked up when used, in the HTML the view holds then."""
        return ElementTest(self, selector, text)

    def has_element(self, selector: str, text: str | re.Pattern[str] | None = None) -> bool:
        """Whether the view holds an element that `selector` and `text` match."""
        return self.element(selector, text).exists()

    # Events. `phx_target` is what the element's `phx-target` would say: a live component's
    # cid (`{{ myself }}`, an int or its digits), or a selector of elements, whose live
    # components (the closest one around each, as the client finds it) get the event; None:
    # the LiveView.

    async def click(
        self,
        event: str,
        value: Mapping[str, Any] | None = None,
        *,
        phx_target: int | str | None = None,
    ) -> str:
        """Send a click on `event` by name (see `element(...).click()` for the element's own
        binding, values and target, checked)."""
        await self.send_event("click", event, dict(value or {}), phx_target)
        return self.html

    async def hook_event(
        self, event: str, value: Any = None, *, phx_target: int | str | None = None
    ) -> Any:
        """A hook's pushEvent (`pushEventTo` with `phx_target`); returns the handler's reply."""
        replies = await self.send_event("hook", event, value or {}, phx_target)
        return replies[-1].get("reply") if replies else None

    async def send_event(
        self, kind: str, event: str, value: Any, phx_target: int | str | None = None
    ) -> list[dict[str, Any]]:
        """Send an `event` message of `kind` (click, keyup, blur, hook...) to each target;
        returns the replies' responses."""
        self._check_open()
        payload = {"type": kind, "event": event, "value": value}
        return [await self.push(EVENT, p) for p in self._targeted(payload, phx_target)]

    def _check_open(self) -> None:
        if self.closed:
            last = next((n for n in reversed(self.navigations) if n.kind != LIVE_PATCH), None)
            raise ViewClosed(self.topic, last)

    async def patch(self, path: str) -> str:
        """Follow a patch link to `path` (as `render_patch`): `handle_params` runs with its
        params; a path of another LiveView is a live redirect instead (see `navigations`)."""
        url = urljoin(self.url, path)
        response = await self.push(LIVE_PATCH, {"url": url})
        kind = LIVE_REDIRECT if response.get("link_redirect") else LIVE_PATCH
        self._navigated(Navigation(kind, path))
        return self.html

    async def change(
        self,
        event: str,
        form: Mapping[str, Any] | str,
        *,
        target: str | None = None,
        phx_target: int | str | None = None,
    ) -> str:
        """A form's `phx-change`; `target` names the input that changed (`_target`)."""
        meta = {"_target": target} if target else {}
        await self.send_form(event, form, meta, phx_target)
        return self.html

    async def submit(
        self, event: str, form: Mapping[str, Any] | str, *, phx_target: int | str | None = None
    ) -> str:
        await self.send_form(event, form, {}, phx_target)
        return self.html

    async def upload(
        self,
        name: str,
        files: Sequence[File],
        *,
        chunk_size: int | None = None,
    ) -> str:
        """Select `files` (`(name, bytes)` or `(name, bytes, type)`) in the upload input
        `name` and upload them as the client does (form change, preflight, `lvu:` chunks,
        progress); returns the HTML. Like Phoenix.LiveViewTest's `file_input` and
        `render_upload` together."""
        return await upload_files(self, name, files, chunk_size=chunk_size)

    def form(self, selector: str = "form", data: Mapping[str, Any] | None = None) -> FormTest:
        """A form of the page (a CSS selector; `form`: the first), with `data` filled in, to
        send as the client does: `await view.form("#signup", {"signup": {"email": "x"}})
        .change()`, `.submit()`, `.errors` (see `FormTest`)."""
        return FormTest(self, selector, data)

    async def send_form(
        self,
        event: str,
        form: Mapping[str, Any] | str,
        meta: dict[str, Any],
        phx_target: int | str | None = None,
    ) -> None:
        """A form event: `form` URL-encoded as the client sends it, or a dict to encode."""
        self._check_open()
        value = form if isinstance(form, str) else urlencode(_flatten(form))
        payload = {"type": "form", "event": event, "value": value, "meta": meta}
        for targeted in self._targeted(payload, phx_target):
            await self.push(EVENT, targeted)

    def cid_of(self, element_id: str) -> int | None:
        """The cid of the live component around the element with this id (None: the page's
        own markup); `LookupError` if there is no such element."""
        return component_of(self.tree or {}, element_id.removeprefix("#"))

    def targets_of(self, phx_target: int | str | None) -> list[int | None]:
        """Who gets an event with this `phx-target`: cids, or None for the LiveView, one per
        owner of the elements a selector matches (as the client's `withinTargets`)."""
        if phx_target is None:
            return [None]
        if isinstance(phx_target, int):
            return [phx_target]
        if phx_target.strip().isdigit():
            return [int(phx_target)]
        found = select(parse(self.html), phx_target)
        if not found:
            raise LookupError(f"phx-target {phx_target!r} matches no element of the view")
        owners: list[int | None] = []
        for element in found:
            element_id = element.attrs.get("id")
            if not element_id:
                raise LookupError(
                    f"phx-target {phx_target!r} matches {element.to_html()[:80]!r}, which has "
                    "no id: the test client finds an element's live component by its id"
                )
            owner = self.cid_of(element_id)
            if owner not in owners:
                owners.append(owner)
        return owners

    def _targeted(
        self, payload: dict[str, Any], phx_target: int | str | None
    ) -> list[dict[str, Any]]:
        return [
            payload if cid is None else {**payload, "cid": cid}
            for cid in self.targets_of(phx_target)
        ]

    async def receive_push(self, timeout: float = DEFAULT_TIMEOUT) -> list[Any]:
        """Wait for the next server push on the websocket and apply it."""
        frame = await self.socket.receive_frame(timeout)
        self._on_push(frame)
        return frame

    async def wait_for(
        self, predicate: Callable[[str], bool], timeout: float = DEFAULT_TIMEOUT
    ) -> str:
        """Apply pushes until `predicate(html)` holds; `TimeoutError` saying so, with the HTML,
        if it does not in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate(self.html):
            remaining = deadline - loop.time()
            try:
                if remaining <= 0:
                    raise TimeoutError
                await self.receive_push(remaining)
            except TimeoutError:
                raise TimeoutError(
                    f"condition not met within {timeout:g} s; the LiveView's html is {self.html!r}"
                ) from None
        return self.html

    async def sync(self) -> None:
        """Wait until the LiveView has handled everything sent to it before this call (as
        Phoenix's `render(view)` does): a message that goes through its mailbox and does
        nothing (`cids_will_destroy` of no components), whose reply comes after the diffs,
        pushes and navigations of what came before."""
        if not self.closed:
            await self._request(CIDS_WILL_DESTROY, {"cids": []})

    async def render(self) -> str:
        """The view's HTML once it has handled what was sent to it before (see `sync`)."""
        await self.sync()
        return self.html

    async def leave(self) -> None:
        await self._request(LEAVE, {})


def _flatten(form: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in form.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            pairs.extend(_flatten(value, name))
        elif isinstance(value, list | tuple):
            pairs.extend((f"{name}[]", str(item)) for item in value)
        else:
            pairs.append((name, str(value)))
    return pairs
