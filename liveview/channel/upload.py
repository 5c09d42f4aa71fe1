"""Uploads on the wire: the preflight (`allow_upload`), `progress`, and the `lvu:` channel.

The LiveView's channel answers `allow_upload` and `progress` (both on its `lv:` topic, in its
mailbox, with the other client messages). Each approved entry then gets a channel of its own,
`lvu:<entry ref>`, joined with a signed token that names the view, the upload and the entry;
the client pushes the file over it as binary `chunk` frames, one at a time, each answered before
the next is read.

`UploadChannel` handles those frames on the connection's reader, not in the LiveView's mailbox:
a chunk is appended to the entry's temporary file and answered at once, whatever the LiveView
is busy with. The limits are the server's own: past `max_file_size` (or the size the client
declared) nothing more is written, the chunk is refused and the entry fails as too large; a
chunk that does not come within `chunk_timeout` fails it too. A failure reaches the LiveView as
an `UploadFailed` notice in its mailbox, so the page re-renders with the error.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final, Protocol

from liveview.channel import frames
from liveview.channel.frames import BinaryFrame, Frame
from liveview.channel.protocol import CLOSE, FAILED, LEAVE, OK
from liveview.session import InvalidToken, TokenSigner
from liveview.uploads import TIMEOUT, TOO_LARGE, TOO_MANY_FILES, TempFile, UploadConfig, UploadEntry

if TYPE_CHECKING:
    from liveview.socket import LiveViewSocket

logger = logging.getLogger("liveview")

UPLOAD_TOPIC_PREFIX: Final = "lvu:"
ALLOW_UPLOAD: Final = "allow_upload"
PROGRESS: Final = "progress"
CHUNK: Final = "chunk"

# why a join or a chunk is refused (the reasons the client knows)
INVALID_TOKEN: Final = "invalid_token"
ALREADY_REGISTERED: Final = "already_registered"
DISALLOWED: Final = "disallowed"
WRITER_ERROR: Final = "writer_error"
SIZE_LIMIT: Final = "file_size_limit_exceeded"
ALREADY_COMPLETE: Final = "already_complete"

Send = Callable[[str], Awaitable[None]]


class UploadFailed:
    """A notice for the LiveView's mailbox: an entry failed while its bytes streamed in."""

    __slots__ = ("config", "entry", "reason")

    def __init__(self, config: UploadConfig, entry: UploadEntry, reason: str) -> None:
        self.config = config
        self.entry = entry
        self.reason = reason

    def apply(self, socket: LiveViewSocket) -> None:
        uploads = socket.uploads
        if uploads.by_ref(self.config.ref) is self.config and self.entry in self.config.entries:
            uploads.fail(self.config, self.entry, self.reason)
            socket.touch_uploads()


class ViewLink(Protocol):
    """What the upload channel needs of the LiveView's channel: its socket and its mailbox."""

    @property
    def socket(self) -> LiveViewSocket | None: ...

    def deliver(self, info: Any) -> None: ...


# the preflight and progress (on the LiveView's topic) ------------------------------------------


def put_form_entries(socket: LiveViewSocket, uploads: object) -> None:
    """A form change names the files selected per upload ref: register them (unknown refs
    and malformed entries are ignored)."""
    if not isinstance(uploads, dict):
        return
    for ref, raw in uploads.items():
        config = socket.uploads.by_ref(ref)
        if config is not None:
            socket.uploads.put_entries(config, raw)
            socket.touch_uploads()


async def preflight(
    socket: LiveViewSocket, payload: dict[str, Any], signer: TokenSigner
) -> dict[str, Any]:
    """The reply to `allow_upload`: a token (or the `external` metadata) for each entry that
    may upload, the errors of the others; `{"ref", "error": [[ref, reason], ...]}` if none may."""
    uploads = socket.uploads
    ref = payload.get("ref")
    config = uploads.by_ref(ref)
    if config is None:
        return {"ref": ref if isinstance(ref, str) else "", "error": [[str(ref), DISALLOWED]]}
    named = uploads.put_entries(config, payload.get("entries"))
    socket.touch_uploads()
    allowed = config.entries[: config.max_entries]
    approved: list[UploadEntry] = []
    errors: dict[str, list[str]] = {}
    for entry in named:
        if entry.errors:
            errors[entry.ref] = list(entry.errors)
        elif entry not in allowed:
            errors[entry.ref] = [TOO_MANY_FILES]
        else:
            approved.append(entry)
    if not approved:
        failed = [[ref, reasons[0]] for ref, reasons in errors.items()]
        return {"ref": config.ref, "error": failed or [[config.ref, DISALLOWED]]}
    entries: dict[str, Any] = {}
    for entry in approved:
        entry.preflighted = True
        if config.external is None:
            entries[entry.ref] = signer.sign_upload(socket.id, config.ref, entry.ref)
        else:
            entries[entry.ref] = entry.meta = await _external_meta(config, entry, socket)
    return {
        "ref": config.ref,
        "config": {
            "max_file_size": config.max_file_size,
            "max_entries": config.max_entries,
            "chunk_size": config.chunk_size,
            "chunk_timeout": config.chunk_timeout,
        },
        "entries": entries,
        "errors": errors,
    }


async def _external_meta(
    config: UploadConfig, entry: UploadEntry, socket: LiveViewSocket
) -> dict[str, Any]:
    assert config.external is not None
    meta = config.external(entry, socket)
    if inspect.isawaitable(meta):
        meta = await meta
    if not isinstance(meta, dict) or not isinstance(meta.get("uploader"), str):
        raise TypeError(
            f"the external callback of upload {config.name!r} must return a dict with an "
            f"'uploader' name (the client's uploaders key), not {meta!r}"
        )
    return meta


async def progress(socket: LiveViewSocket, payload: dict[str, Any]) -> None:
    """A `progress` message: the entry's progress (100: done) or the client's failure, then
    the upload's `progress` callback. A channel upload is done only once every declared byte
    arrived, whatever the client says; unknown refs are ignored."""
    uploads = socket.uploads
    config = uploads.by_ref(payload.get("ref"))
    entry_ref = payload.get("entry_ref")
    entry = config.entry(entry_ref) if config is not None and isinstance(entry_ref, str) else None
    if config is None or entry is None:
        return
    value = payload.get("progress")
    if isinstance(value, dict):
        if not entry.errors:
            uploads.client_failed(config, entry, value.get("error"))
    elif type(value) is int and 0 <= value <= 100 and entry.preflighted and not entry.errors:
        if value == 100 and config.external is None and (entry.file is None or not entry.complete):
            value = 99  # the client says done; the bytes say otherwise
        entry.progress = max(entry.progress, value)
        entry.done = entry.progress == 100
    else:
        return
    socket.touch_uploads()
    if config.progress is not None:
        result = config.progress(config.name, entry, socket)
        if inspect.isawaitable(result):
            await result


# the lvu: channel ------------------------------------------------------------------------------

_closing: set[asyncio.Task[None]] = set()  # phx_close sends under way (kept from the GC)


class UploadChannel:
    """The server side of one `lvu:<entry ref>` topic: the bytes of one entry."""

    def __init__(
        self,
        *,
        join: Frame,
        send: Send,
        signer: TokenSigner,
        find_view: Callable[[str], ViewLink | None],
        on_end: Callable[[UploadChannel], None],
    ) -> None:
        self.topic = join.topic
        self.join_ref = join.join_ref
        self._join = join
        self._send = send
        self._signer = signer
        self._find_view = find_view
        self._on_end = on_end
        self._view: ViewLink | None = None
        self._config: UploadConfig | None = None
        self._entry: UploadEntry | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._failed = False
        self._ended = False

    async def join(self) -> bool:
        """Verify the token and open the entry's temporary file; reply. True if joined."""
        reason = self._register()
        if reason is not None:
            logger.info("upload %s: join refused: %s", self.topic, reason)
            await self._reply(self._join.ref, FAILED, {"reason": reason})
            return False
        await self._reply(self._join.ref, OK, {})
        return True

    def _register(self) -> str | None:
        try:
            view_id, upload_ref, entry_ref = self._signer.verify_upload(
                self._join.payload.get("token")
            )
        except InvalidToken:
            return INVALID_TOKEN
        view = self._find_view(view_id)
        if self.topic != UPLOAD_TOPIC_PREFIX + entry_ref or view is None or view.socket is None:
            return INVALID_TOKEN  # another entry's token, or a view not on this websocket
        config = view.socket.uploads.by_ref(upload_ref)
        entry = config.entry(entry_ref) if config is not None else None
        if config is None or entry is None or config.external is not None:
            return DISALLOWED  # cancelled, consumed, or never allowed here
        if not entry.preflighted or entry.errors:
            return DISALLOWED
        if entry.link is not None or entry.file is not None:
            return ALREADY_REGISTERED
        try:
            entry.file = TempFile()
        except OSError:
            logger.exception("upload %s: no temporary file", self.topic)
            return WRITER_ERROR
        entry.link = self
        self._view, self._config, self._entry = view, config, entry
        if entry.complete:  # a 0-byte file: nothing will come
            entry.file.close()
        else:
            self._arm()
        return None

    async def chunk(self, frame: BinaryFrame) -> None:
        """Append one chunk and answer it (or refuse it, and say why)."""
        entry, config = self._entry, self._config
        if frame.event != CHUNK:
            await self._reply(frame.ref, FAILED, {"reason": f"unknown event {frame.event!r}"})
            return
        if entry is None or config is None or self._failed or entry.file is None:
            await self._reply(frame.ref, FAILED, {"reason": DISALLOWED})
            return
        data = frame.payload
        size = len(data)
        if entry.complete:
            if size:  # what came is kept; this is refused
                await self._reply(frame.ref, FAILED, {"reason": ALREADY_COMPLETE})
            else:
                await self._reply(frame.ref, OK, {})
            return
        limit = min(config.max_file_size, entry.client_size)
        if entry.received + size > limit:
            # Stopped at the limit: nothing past it is written.
            await self._reply(frame.ref, FAILED, {"reason": SIZE_LIMIT, "limit": limit})
            self._fail(TOO_LARGE)
            return
        try:
            entry.file.write(data)
        except OSError:
            logger.exception("upload %s: write failed", self.topic)
            await self._reply(frame.ref, FAILED, {"reason": WRITER_ERROR})
            self._fail(WRITER_ERROR)
            return
        entry.received += size
        if entry.complete:
            entry.file.close()
            self._disarm()
        else:
            self._arm()
        await self._reply(frame.ref, OK, {})

    async def on_text(self, frame: Frame) -> None:
        """A JSON message on the topic: a leave ends the channel (the entry keeps its bytes
        until consumed or cancelled); anything else is refused."""
        if frame.event == LEAVE:
            self._end()
            if self._entry is not None and self._entry.link is self:
                self._entry.link = None
            await self._reply(frame.ref, OK, {})
            return
        await self._reply(frame.ref, FAILED, {"reason": f"unknown event {frame.event!r}"})

    def close(self) -> None:
        """The entry was consumed or cancelled, or its LiveView ended: tell the client the
        channel is closed (it stops sending chunks)."""
        if self._ended:
            return
        self._end()
        task = asyncio.get_running_loop().create_task(self._send_close())
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    @property
    def ended(self) -> bool:
        return self._ended

    def stop(self) -> None:
        """The websocket closed."""
        self._end()

    # --------------------------------------------------------------------------------------

    def _end(self) -> None:
        self._ended = True
        self._disarm()
        self._on_end(self)

    def _fail(self, reason: str) -> None:
        """The entry failed: its file goes now, the LiveView records why (its mailbox)."""
        self._failed = True
        self._disarm()
        entry, config, view = self._entry, self._config, self._view
        if entry is None or config is None or view is None:
            return
        if entry.file is not None:
            entry.file.remove()
        view.deliver(UploadFailed(config, entry, reason))

    def _arm(self) -> None:
        config = self._config
        assert config is not None
        self._disarm()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(config.chunk_timeout / 1000, self._timed_out)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _timed_out(self) -> None:
        self._timer = None
        if not self._ended and not self._failed:
            logger.info("upload %s: no chunk within chunk_timeout", self.topic)
            self._fail(TIMEOUT)

    async def _reply(self, ref: str | None, status: str, response: dict[str, Any]) -> None:
        await self._send(frames.reply(self.join_ref, ref, self.topic, status, response))

    async def _send_close(self) -> None:
        with contextlib.suppress(ConnectionError):
            await self._send(frames.encode(self.join_ref, self.join_ref, self.topic, CLOSE, {}))
