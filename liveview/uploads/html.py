"""The markup the client's upload hooks read: `live_file_input` and `live_img_preview`.

The file input carries the upload's state in `data-phx-*` attributes the client's
`Phoenix.LiveFileUpload` hook compares on every patch: the refs of all entries, of those approved
(preflighted), of those done, and of those with errors, each comma-joined in entry order (the
client holds a submit while preflighted and done refs differ, and refuses it while error refs
are not empty). The preview is an `<img>` the `Phoenix.LiveImgPreview` hook fills with an object
URL of the file in the browser: nothing is sent for it.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from liveview.uploads.config import UploadConfig
from liveview.uploads.entry import UploadEntry


def live_file_input(upload: UploadConfig, **attrs: Any) -> Markup:
    """`<input type="file">` for `upload`; extra attributes as keywords (`class_="x"`,
    `required=True`; underscores become dashes, a trailing one is dropped)."""
    if not isinstance(upload, UploadConfig):
        raise TypeError(
            "live_file_input takes an upload, as in live_file_input(uploads.photos); "
            f"got {type(upload).__name__}"
        )
    entries = upload.entries
    parts: list[tuple[str, str | None]] = [
        ("id", upload.ref),
        ("type", "file"),
        ("name", upload.name),
    ]
    if upload.accept_attribute is not None:
        parts.append(("accept", upload.accept_attribute))
    parts += [
        ("data-phx-hook", "Phoenix.LiveFileUpload"),
        ("data-phx-upload-ref", upload.ref),
        ("data-phx-active-refs", ",".join(e.ref for e in entries)),
        ("data-phx-done-refs", ",".join(e.ref for e in entries if e.done)),
        ("data-phx-preflighted-refs", ",".join(e.ref for e in entries if e.preflighted)),
        ("data-phx-error-refs", ",".join(upload.error_refs)),
    ]
    if upload.auto_upload:
        parts.append(("data-phx-auto-upload", None))
    if upload.max_entries > 1:
        parts.append(("multiple", None))
    return Markup(f"<input{_attributes(parts, attrs)}>")


def live_img_preview(entry: UploadEntry, **attrs: Any) -> Markup:
    """`<img>` showing the selected file `entry` in the browser before it is uploaded."""
    if not isinstance(entry, UploadEntry):
        raise TypeError(f"live_img_preview takes an upload entry, got {type(entry).__name__}")
    parts: list[tuple[str, str | None]] = [
        ("id", f"phx-preview-{entry.ref}"),
        ("data-phx-upload-ref", entry.upload_ref),
        ("data-phx-entry-ref", entry.ref),
        ("data-phx-hook", "Phoenix.LiveImgPreview"),
        ("data-phx-update", "ignore"),
    ]
    return Markup(f"<img{_attributes(parts, attrs)}>")


def _attributes(parts: list[tuple[str, str | None]], extra: dict[str, Any]) -> str:
    own = {name for name, _ in parts}
    for key, value in extra.items():
        name = key.rstrip("_").replace("_", "-")
        if name in own:
            raise ValueError(f"{name!r} is the helper's own attribute: the client reads it")
        if value is not False and value is not None:
            parts.append((name, None if value is True else str(value)))
    return "".join(
        f" {escape(name)}" if value is None else f' {escape(name)}="{escape(value)}"'
        for name, value in parts
    )
