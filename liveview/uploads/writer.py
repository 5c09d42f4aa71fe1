"""Where a channel upload's bytes go: a temporary file, written chunk by chunk as they arrive.

The file's name is random (`mkstemp`); nothing the client sends — its file name least of all —
is ever part of a path. The directory is `$LIVEVIEW_UPLOAD_DIR`, else the system's temporary
directory. Writes are plain `os.write` calls on the event loop: a chunk (64 KB by default) lands
in the page cache in microseconds, cheaper than a hop to a thread and back per chunk.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Final

UPLOAD_DIR_ENV: Final = "LIVEVIEW_UPLOAD_DIR"
TEMP_PREFIX: Final = "liveview-upload-"
"""Every temporary upload file's name starts with this (tests look for leftovers by it)."""


def upload_dir() -> str:
    """The directory temporary upload files are made in."""
    return os.environ.get(UPLOAD_DIR_ENV) or tempfile.gettempdir()


class TempFile:
    """One upload's temporary file: appended to, then closed, then removed (by its owner)."""

    __slots__ = ("_fd", "path", "size")

    def __init__(self, directory: str | None = None) -> None:
        self._fd: int | None
        self._fd, self.path = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory or upload_dir())
        self.size = 0

    @property
    def closed(self) -> bool:
        return self._fd is None

    def write(self, data: bytes | memoryview) -> None:
        """Append `data` (all of it); OSError if the file is closed or the disk refuses."""
        fd = self._fd
        if fd is None:
            raise OSError("upload file is closed")
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
            self.size += written

    def close(self) -> None:
        """Done writing (the file stays until `remove`)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def remove(self) -> None:
        """Close and delete the file; safe to call again."""
        self.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
