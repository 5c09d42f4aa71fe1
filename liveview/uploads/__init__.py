"""File uploads (Phoenix LiveView's): what a LiveView and its templates see of them.

`socket.allow_upload(name, accept=..., ...)` makes an `UploadConfig`, shown in templates as
`uploads.<name>` with its `entries` (`UploadEntry`); `live_file_input` and `live_img_preview`
render the markup the client's upload hooks read. The wire side — the preflight, the `lvu:`
channel the chunks come over, progress — is in `liveview.channel.upload`.
"""

from liveview.uploads.config import (
    CLIENT_FAILURE,
    NOT_ACCEPTED,
    TIMEOUT,
    TOO_LARGE,
    TOO_MANY_FILES,
    UploadConfig,
    upload_error_message,
)
from liveview.uploads.entry import UploadEntry
from liveview.uploads.html import live_file_input, live_img_preview
from liveview.uploads.state import UploadInProgress, Uploads
from liveview.uploads.writer import TEMP_PREFIX, UPLOAD_DIR_ENV, TempFile, upload_dir

__all__ = [
    "CLIENT_FAILURE",
    "NOT_ACCEPTED",
    "TEMP_PREFIX",
    "TIMEOUT",
    "TOO_LARGE",
    "TOO_MANY_FILES",
    "UPLOAD_DIR_ENV",
    "TempFile",
    "UploadConfig",
    "UploadEntry",
    "UploadInProgress",
    "Uploads",
    "live_file_input",
    "live_img_preview",
    "upload_dir",
    "upload_error_message",
]
