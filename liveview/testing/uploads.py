"""Uploading files in tests as the client does: select (a form change), preflight, the `lvu:`
channel with its binary chunks, progress — all in-process, through the real protocol."""

from __future__ import annotations

import contextlib
import itertools
import math
import mimetypes
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from liveview.channel.frames import encode_binary
from liveview.channel.protocol import EVENT, JOIN
from liveview.testing.exceptions import ReplyError
from liveview.testing.html import Element, parse

if TYPE_CHECKING:
    from liveview.testing.view import LiveViewTest

File = tuple[str, bytes] | tuple[str, bytes, str]
"""`(name, data)` or `(name, data, content type)` (guessed from the name when not given)."""

_refs = itertools.count()  # the client's file refs: page-wide, never reused


async def upload(
    view: LiveViewTest, name: str, files: Sequence[File], *, chunk_size: int | None = None
) -> str:
    """Select `files` in the upload input `name`, then upload them as the client does (the
    form's `phx-change` first, if it has one). An external upload's entries are reported done
    at once (the test stands in for the JS uploader). Returns the view's HTML."""
    upload_ref, change = _input(view, name)
    entries: list[dict[str, Any]] = []
    for file in files:
        client_name, data = file[0], file[1]
        kind = file[2] if len(file) > 2 else mimetypes.guess_type(client_name)[0] or ""
        entries.append(
            {
                "ref": str(next(_refs)),
                "name": client_name,
                "size": len(data),
                "type": kind,
                "last_modified": int(time.time() * 1000),
                "relative_path": "",
            }
        )
    if change is not None:
        selected = [{"path": name, **entry} for entry in entries]
        await view.push(
            EVENT,
            {
                "type": "form",
                "event": change,
                "value": "",
                "meta": {"_target": name},
                "uploads": {upload_ref: selected},
            },
        )
    reply = await view.push("allow_upload", {"ref": upload_ref, "entries": entries})
    if "error" in reply:
        return view.html
    chunk = chunk_size or reply["config"]["chunk_size"]
    for entry, file in zip(entries, files, strict=True):
        meta = reply["entries"].get(entry["ref"])
        if meta is None:
            continue
        if isinstance(meta, dict):  # external: the JS uploader's job
            await _progress(view, upload_ref, entry["ref"], 100)
        else:
            await _send_file(view, upload_ref, entry["ref"], meta, file[1], chunk)
    return view.html


async def _send_file(
    view: LiveViewTest, upload_ref: str, ref: str, token: str, data: bytes, chunk: int
) -> None:
    socket = view.socket
    topic = f"lvu:{ref}"
    join_ref = socket.next_ref()
    await socket.send_frame([join_ref, join_ref, topic, JOIN, {"token": token}])
    joined = await socket.receive_reply(join_ref, view._on_push)
    if joined[4]["status"] != "ok":
        await _progress(view, upload_ref, ref, {"error": joined[4]["response"].get("reason")})
        return
    sent, reported = 0, 0
    for offset in range(0, len(data), chunk):
        piece = data[offset : offset + chunk]
        chunk_ref = socket.next_ref()
        await socket.send_bytes(encode_binary(join_ref, chunk_ref, topic, "chunk", piece))
        answer = await socket.receive_reply(chunk_ref, view._on_push)
        if answer[4]["status"] != "ok":
            await _progress(view, upload_ref, ref, {"error": answer[4]["response"].get("reason")})
            return
        sent += len(piece)
        percent = math.floor(sent / len(data) * 100)
        if percent > reported:
            reported = percent
            await _progress(view, upload_ref, ref, percent)
    if not data:
        await _progress(view, upload_ref, ref, 100)


async def _progress(view: LiveViewTest, upload_ref: str, ref: str, value: Any) -> None:
    with contextlib.suppress(ReplyError):  # the client logs it and carries on
        await view.push(
            "progress", {"event": None, "ref": upload_ref, "entry_ref": ref, "progress": value}
        )


def _input(view: LiveViewTest, name: str) -> tuple[str, str | None]:
    """The upload ref of the file input `name`, and its form's `phx-change` event."""
    root = parse(view.html)
    for element in root.iter():
        attrs = element.attrs
        if element.tag == "input" and attrs.get("name") == name and "data-phx-upload-ref" in attrs:
            return attrs["data-phx-upload-ref"], _change_of(element)
    raise LookupError(
        f"no upload input named {name!r} on the page: render live_file_input(uploads.{name})"
    )


def _change_of(element: Element) -> str | None:
    parent = element.parent
    while parent is not None and parent.tag != "form":
        parent = parent.parent
    return parent.attrs.get("phx-change") if parent is not None else None
