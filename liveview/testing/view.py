"""`LiveViewTest`: one LiveView joined over a `TestWebSocket`, and the HTML a browser shows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from liveview.channel.protocol import DIFF, ERROR, EVENT, JOIN, LEAVE
from liveview.testing.crashes import CrashLog
from liveview.testing.exceptions import LiveViewCrashed, ReplyError
from liveview.testing.forms import FormTest
from liveview.testing.tree import component_of, extract, merge_diff, to_html
from liveview.testing.uploads import File
from liveview.testing.uploads import upload as upload_files
from liveview.testing.websocket import DEFAULT_TIMEOUT, TestWebSocket


class LiveViewTest:
    """One LiveView joined over a TestWebSocket; `html` is what a browser would show in it.

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
    ) -> None:
        self.socket = socket
        self.topic = topic
        self.join_ref = ""
        self.url = url
        self.join_payload = join_payload
        self.tree: dict[str, Any] | None = None
        self.join_reply: dict[str, Any] | None = None  # the last join's response, as sent
        self.title: str | None = None
        self.events: list[list[Any]] = []
        self.pushes: list[list[Any]] = []
        self._crashes = crashes

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
            raise ReplyError(response)
        self.join_reply = response
        self.apply(response["rendered"])
        return pushed

    async def rejoin(self) -> list[list[Any]]:
        """What the client does after a crash or reconnect: join the same topic anew."""
        self.join_payload["params"]["_mounts"] = 1
        return await self.join()

    @property
    def html(self) -> str:
        return to_html(self.tree) if self.tree is not None else ""

    def apply(self, diff: dict[str, Any]) -> Any:
        """Merge a diff as the client does; returns the hook reply (`r`), if any."""
        rest, top = extract(diff)
        self.events.extend(top.events)
        if top.title is not None:
            self.title = top.title
        self.tree = merge_diff(self.tree, rest)
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

    def _crashed(self, response: dict[str, Any]) -> LiveViewCrashed:
        error = self._crashes.take(self.topic) if self._crashes is not None else None
        return LiveViewCrashed(self.topic, response, error)

    # Events. `phx_target` is what the element's `phx-target` would say: a live component's
    # cid (`{{ myself }}`), or `"#id"` of an element, whose live component (the closest one
    # around it, as the client finds it) gets the event; None: the LiveView.

    async def click(
        self,
        event: str,
        value: Mapping[str, Any] | None = None,
        *,
        phx_target: int | str | None = None,
    ) -> str:
        payload = {"type": "click", "event": event, "value": dict(value or {})}
        await self.push(EVENT, self._targeted(payload, phx_target))
        return self.html

    async def hook_event(
        self, event: str, value: Any = None, *, phx_target: int | str | None = None
    ) -> Any:
        """A hook's pushEvent (`pushEventTo` with `phx_target`); returns the handler's reply."""
        payload = {"type": "hook", "event": event, "value": value or {}}
        response = await self.push(EVENT, self._targeted(payload, phx_target))
        return response.get("reply")

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

    def form(self, selector: str = "form") -> FormTest:
        """A form of the page (`#id`, or `form`: the first), to fill in and send as the client
        does: `await view.form("#signup").change({"signup": {"email": "x"}})`, `.submit()`,
        `.errors` (see `FormTest`)."""
        return FormTest(self, selector)

    async def send_form(
        self,
        event: str,
        form: Mapping[str, Any] | str,
        meta: dict[str, Any],
        phx_target: int | str | None = None,
    ) -> None:
        """A form event: `form` URL-encoded as the client sends it, or a dict to encode."""
        value = form if isinstance(form, str) else urlencode(_flatten(form))
        payload = {"type": "form", "event": event, "value": value, "meta": meta}
        await self.push(EVENT, self._targeted(payload, phx_target))

    def cid_of(self, element_id: str) -> int | None:
        """The cid of the live component around the element with this id (None: the page's
        own markup); `LookupError` if there is no such element."""
        return component_of(self.tree or {}, element_id.removeprefix("#"))

    def _targeted(self, payload: dict[str, Any], phx_target: int | str | None) -> dict[str, Any]:
        if phx_target is None:
            return payload
        cid = phx_target if isinstance(phx_target, int) else self.cid_of(phx_target)
        return payload if cid is None else {**payload, "cid": cid}

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
