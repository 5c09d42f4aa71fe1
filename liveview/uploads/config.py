"""An allowed upload (`socket.allow_upload`): its limits, and the entries the client selected.

The checks here run on what the client declares (size, name, type); the channel enforces the
size again on the bytes themselves. A type is accepted by extension (`.png`) or by MIME type
(`image/png`, `image/*`); a file accepted by its extension must not declare a type of another
kind than its extension's (a `.png` sent as `text/html` is refused).
"""

from __future__ import annotations

import mimetypes
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from liveview.uploads.entry import UploadEntry

if TYPE_CHECKING:
    from liveview.socket import LiveViewSocket

TOO_LARGE: Final = "too_large"
TOO_MANY_FILES: Final = "too_many_files"
NOT_ACCEPTED: Final = "not_accepted"
TIMEOUT: Final = "timeout"
"""No chunk came within `chunk_timeout`."""
CLIENT_FAILURE: Final = "external_client_failure"
"""The client reported a failure (its uploader, or reading the file)."""

MESSAGES: Final = {
    TOO_LARGE: "File is too large",
    TOO_MANY_FILES: "Too many files",
    NOT_ACCEPTED: "File type not accepted",
    TIMEOUT: "Upload stalled",
    CLIENT_FAILURE: "Upload failed",
}
"""A sentence for each error, for templates (`upload_error_message(reason)`)."""

DEFAULT_MAX_ENTRIES: Final = 1
DEFAULT_MAX_FILE_SIZE: Final = 8_000_000
DEFAULT_CHUNK_SIZE: Final = 64_000
DEFAULT_CHUNK_TIMEOUT: Final = 10_000
"""Milliseconds, as Phoenix (and the wire) count them."""

ProgressCallback = Callable[[str, UploadEntry, "LiveViewSocket"], Awaitable[None] | None]
"""`progress(name, entry, socket)`: after each progress update of an entry."""
ExternalCallback = Callable[
    [UploadEntry, "LiveViewSocket"], Awaitable[dict[str, Any]] | dict[str, Any]
]
"""`external(entry, socket) -> {"uploader": "Name", ...}`: the metadata the client's uploader
`Name` gets for the entry (a presigned URL, say)."""


def new_ref() -> str:
    """A config's ref: the file input's id and the key of its entries on the wire."""
    return "phx-" + secrets.token_urlsafe(8)


@dataclass(eq=False)
class UploadConfig:
    """One named upload of a LiveView: `uploads.<name>` in templates."""

    name: str
    accept: tuple[str, ...] | Literal["any"]
    max_entries: int = DEFAULT_MAX_ENTRIES
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    chunk_size: int = DEFAULT_CHUNK_SIZE
    chunk_timeout: int = DEFAULT_CHUNK_TIMEOUT
    auto_upload: bool = False
    progress: ProgressCallback | None = None
    external: ExternalCallback | None = None
    ref: str = field(default_factory=new_ref)
    entries: list[UploadEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Errors of the upload as a whole ("too_many_files")."""

    def __post_init__(self) -> None:
        if self.accept != "any":
            if isinstance(self.accept, str) or not self.accept:
                raise ValueError(
                    f"allow_upload({self.name!r}): accept must be 'any' or a list of "
                    "extensions ('.png') and MIME types ('image/*')"
                )
            for item in self.accept:
                if not (item.startswith(".") or "/" in item):
                    raise ValueError(
                        f"allow_upload({self.name!r}): {item!r} is neither an extension "
                        "('.png') nor a MIME type ('image/png', 'image/*')"
                    )
            self.accept = tuple(item.lower() for item in self.accept)
        for option in ("max_entries", "max_file_size", "chunk_size", "chunk_timeout"):
            value = getattr(self, option)
            if type(value) is not int or value < 1:
                raise ValueError(f"allow_upload({self.name!r}): {option} must be a positive int")

    # what templates read ---------------------------------------------------------------------

    @property
    def accept_attribute(self) -> str | None:
        """The input's `accept` (None: any file)."""
        return None if self.accept == "any" else ",".join(self.accept)

    def entry(self, ref: str) -> UploadEntry | None:
        return next((entry for entry in self.entries if entry.ref == ref), None)

    @property
    def error_refs(self) -> list[str]:
        """Refs with errors: the entries', and the config's own for "too_many_files"."""
        refs = [entry.ref for entry in self.entries if entry.errors]
        if self.errors:
            refs.append(self.ref)
        return refs

    # checks ----------------------------------------------------------------------------------

    def accepts(self, name: str, client_type: str) -> bool:
        """Whether a file called `name` of declared type `client_type` is accepted."""
        if self.accept == "any":
            return True
        client_type = client_type.lower()
        dot = name.rfind(".")
        extension = name[dot:].lower() if dot > 0 else ""
        for item in self.accept:
            if item.startswith("."):
                if extension == item and _type_agrees(extension, client_type):
                    return True
            elif item.endswith("/*"):
                if client_type.startswith(item[:-1]):
                    return True
            elif client_type == item:
                return True
        return False

    def check(self) -> None:
        """Recompute every entry's declared-size and type errors, and the config's own."""
        for entry in self.entries:
            for reason in (TOO_LARGE, NOT_ACCEPTED):
                if reason in entry.errors:
                    entry.errors.remove(reason)
            if entry.client_size > self.max_file_size:
                entry.add_error(TOO_LARGE)
            if not self.accepts(entry.client_name, entry.client_type):
                entry.add_error(NOT_ACCEPTED)
        self.errors = [TOO_MANY_FILES] if len(self.entries) > self.max_entries else []


def _type_agrees(extension: str, client_type: str) -> bool:
    """A declared type that is empty, or of the same kind (`image/...`) as the extension's."""
    if not client_type:
        return True
    expected, _ = mimetypes.guess_type("x" + extension, strict=False)
    if expected is None:
        return True
    return expected.split("/")[0] == client_type.split("/")[0]


def upload_error_message(reason: str) -> str:
    """A sentence for an upload error reason (the reason itself when it has none)."""
    return MESSAGES.get(reason, reason)
