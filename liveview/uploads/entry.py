"""One file the client selected for an upload: what it said about the file, and how far it got.

What the client says (`client_name`, `client_size`, `client_type`) is kept for display and
checked against the upload's limits, never trusted: the size is enforced again byte by byte
while the file streams in, and the name is never used as a path.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:
    from liveview.uploads.writer import TempFile

MAX_NAME_LENGTH: Final = 255
"""Characters of a client's file name kept (the rest is cut)."""


class UploadLink(Protocol):
    """The transport of an entry being uploaded (the `lvu:` channel): closed when the entry is
    consumed, cancelled or its LiveView ends."""

    def close(self) -> None: ...


def clean_name(name: str) -> str:
    """A client's file name for display: control characters removed, at most 255 characters.
    (Path separators and `..` are kept as text: the name never becomes a path.)"""
    kept = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return kept[:MAX_NAME_LENGTH]


@dataclass(eq=False)
class UploadEntry:
    """A file of an upload, as a template and `consume_uploaded_entries` see it."""

    ref: str
    """The client's ref for the file (a page-wide counter: "0", "1", ...)."""
    upload_ref: str
    """The ref of its upload config (the input's id)."""
    client_name: str
    client_size: int
    client_type: str
    client_last_modified: int | None = None
    client_relative_path: str = ""
    client_meta: Any = None
    """What the page's `file.meta()` returned, if it has one."""
    progress: int = 0
    """0 to 100, as the client reports it."""
    preflighted: bool = False
    """Approved for upload (`allow_upload` answered with a token or uploader metadata)."""
    done: bool = False
    """Uploaded whole: progress 100 and, for a channel upload, every declared byte received."""
    cancelled: bool = False
    errors: list[str] = field(default_factory=list)
    """Why the entry is refused: "too_large", "not_accepted", "timeout", ..."""
    meta: dict[str, Any] | None = None
    """For an external upload: what the `external` callback returned for it."""
    file: TempFile | None = field(default=None, repr=False)
    """For a channel upload: its temporary file, once the client joined."""
    link: UploadLink | None = field(default=None, repr=False)
    received: int = 0
    """Bytes received over the channel so far."""

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def complete(self) -> bool:
        """Every declared byte arrived (channel uploads)."""
        return self.received == self.client_size

    @property
    def path(self) -> str | None:
        """The temporary file of a channel upload (gone once consumed or cancelled)."""
        return None if self.file is None else self.file.path

    def add_error(self, reason: str) -> None:
        if reason not in self.errors:
            self.errors.append(reason)

    def release(self) -> None:
        """Close its channel and delete its temporary file (consumed, cancelled, or its
        LiveView ended)."""
        link, self.link = self.link, None
        if link is not None:
            link.close()
        file, self.file = self.file, None
        if file is not None:
            file.remove()

    @classmethod
    def from_client(cls, upload_ref: str, raw: object) -> UploadEntry | None:
        """An entry from the client's description (a form change's `uploads`, a preflight's
        `entries`); None when it is not one (the wrong shape: hostile, or not our client)."""
        if not isinstance(raw, dict):
            return None
        ref, name, size = raw.get("ref"), raw.get("name"), raw.get("size")
        kind = raw.get("type")
        if not isinstance(ref, str) or not ref or len(ref) > 64 or not isinstance(name, str):
            return None
        if type(size) is not int or size < 0 or not isinstance(kind, str):
            return None
        modified = raw.get("last_modified")
        relative = raw.get("relative_path")
        return cls(
            ref=ref,
            upload_ref=upload_ref,
            client_name=clean_name(name),
            client_size=size,
            client_type=clean_name(kind)[:100],
            client_last_modified=modified if type(modified) is int else None,
            client_relative_path=clean_name(relative) if isinstance(relative, str) else "",
            client_meta=raw.get("meta"),
        )
