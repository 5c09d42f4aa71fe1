"""A shared photo wall: uploads with previews, progress and cancel; every open page sees them.

Three ways in, one wall:
- `/photos`: pick or drop up to 3 images (previews while they upload, a progress bar each,
  cancel any), then Upload: the files stream over the LiveView's websocket in chunks, and the
  server stores them and tells every page (pub/sub);
- `/photos/quick`: one image, uploaded as soon as it is picked (`auto_upload`), stored the
  moment it is done (the `progress` callback);
- `/photos/direct`: the browser PUTs the file straight to a storage endpoint (here a route of
  this app, standing in for object storage with presigned URLs): `external=` gives each entry
  the URL, and the `LocalStorage` uploader in `UPLOADERS_JS` sends it.

The photos live in a folder (`$LIVEVIEW_PHOTOS_DIR`, else a temporary one) and a list in this
process; a real app keeps them in its storage and database.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from liveview import LiveView, LiveViewSocket
from liveview.gallery.example import Example
from liveview.uploads import UploadEntry

TOPIC = "photos"
ACCEPT = [".png", ".jpg", ".jpeg", ".gif", ".webp"]
MAX_SIZE = 2_000_000
PHOTO_DIR = Path(
    os.environ.get("LIVEVIEW_PHOTOS_DIR") or Path(tempfile.gettempdir(), "liveview-photos")
)
STORAGE_DIR = PHOTO_DIR / "storage"  # what the direct uploads PUT lands in
PHOTOS: list[dict[str, str]] = []  # newest first: what pages opened later show
_signer = URLSafeSerializer(secrets.token_urlsafe(16), salt="photos.storage")


def store(path: str | Path, entry: UploadEntry) -> dict[str, str]:
    """Move an uploaded file into the photo folder under a name of ours (the client's name
    is only shown, never used as a path)."""
    photo_id = secrets.token_hex(8)
    suffix = Path(entry.client_name).suffix.lower()
    name = photo_id + (suffix if suffix in ACCEPT else "")
    PHOTO_DIR.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), PHOTO_DIR / name)
    return {"id": photo_id, "name": entry.client_name, "url": f"/photos/files/{name}"}


async def share(socket: LiveViewSocket, photos: list[dict[str, str]]) -> None:
    """Add photos to the wall and tell every page."""
    if photos:
        PHOTOS[:0] = photos
        await socket.pubsub.publish(TOPIC, {"photos": photos})


WALL = """
<div id="wall">
  {% for photo in photos %}
  <img id="photo-{{ photo.id }}" class="thumb" src="{{ photo.url }}" alt="{{ photo.name }}"
       width="96" height="96">
  {% endfor %}
</div>
"""

# Outside the form: while a submit uploads, the client disables the form's own buttons, and
# cancel must stay clickable.
ENTRIES = """
<ul id="entries">
  {% for entry in uploads.photos.entries %}
  <li id="entry-{{ entry.ref }}" class="entry">
    {{ live_img_preview(entry, width="48", height="48") }}
    <span class="name">{{ entry.client_name }}</span>
    <progress id="progress-{{ entry.ref }}" value="{{ entry.progress }}" max="100">
      {{ entry.progress }}%</progress>
    {% for error in entry.errors %}
    <span class="upload-error">{{ upload_error_message(error) }}</span>
    {% endfor %}
    <button type="button" id="cancel-{{ entry.ref }}" phx-click="cancel"
            phx-value-ref="{{ entry.ref }}" aria-label="cancel">&times;</button>
  </li>
  {% endfor %}
</ul>
{% for error in uploads.photos.errors %}
<p class="upload-error" id="upload-error">{{ upload_error_message(error) }}</p>
{% endfor %}
"""


class Wall(LiveView):
    """What the three pages share: the wall, kept current over pub/sub, and cancel."""

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await socket.subscribe(TOPIC)
        socket.assign(photos=list(PHOTOS))

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "cancel":
            socket.cancel_upload("photos", str(payload.get("ref")))

    async def handle_info(self, info: Any, socket: LiveViewSocket) -> None:
        if isinstance(info, dict) and "photos" in info:
            socket.assign(photos=[*info["photos"], *socket.assigns.photos])


class Photos(Wall):
    template = (
        """
    <h1>Photos</h1>
    <form id="upload-form" phx-change="validate" phx-submit="save">
      <div id="drop" class="drop" phx-drop-target="{{ uploads.photos.ref }}">
        Drop up to 3 images here, or {{ live_file_input(uploads.photos) }}
      </div>
      <button id="save" type="submit">Upload</button>
    </form>
    """
        + ENTRIES
        + WALL
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await super().mount(socket, session, params)
        socket.allow_upload("photos", accept=ACCEPT, max_entries=3, max_file_size=MAX_SIZE)

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "save":
            await share(socket, await socket.consume_uploaded_entries("photos", store))
        else:  # "validate": the entries are checked already; "cancel"
            await super().handle_event(event, payload, socket)


class QuickPhoto(Wall):
    template = (
        """
    <h1>Quick photo</h1>
    <form id="upload-form" phx-change="validate">
      {{ live_file_input(uploads.photos) }}
    </form>
    """
        + ENTRIES
        + WALL
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await super().mount(socket, session, params)
        socket.allow_upload(
            "photos",
            accept=ACCEPT,
            max_file_size=MAX_SIZE,
            auto_upload=True,
            progress=self.on_progress,
        )

    async def on_progress(self, name: str, entry: UploadEntry, socket: LiveViewSocket) -> None:
        if entry.done:  # stored the moment it is uploaded: no submit
            await share(socket, [await socket.consume_uploaded_entry(entry, store)])


class DirectPhotos(Wall):
    """The browser sends the file to storage itself; the server hands out where to."""

    template = (
        """
    <h1>Direct photos</h1>
    <form id="upload-form" phx-change="validate" phx-submit="save">
      {{ live_file_input(uploads.photos) }}
      <button id="save" type="submit">Upload</button>
    </form>
    """
        + ENTRIES
        + WALL
    )

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        await super().mount(socket, session, params)
        socket.allow_upload(
            "photos", accept=ACCEPT, max_entries=3, max_file_size=MAX_SIZE, external=presign
        )

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "save":
            stored = await socket.consume_uploaded_entries("photos", from_storage)
            await share(socket, [photo for photo in stored if photo is not None])
        else:
            await super().handle_event(event, payload, socket)


def presign(entry: UploadEntry, socket: LiveViewSocket) -> dict[str, Any]:
    """Where the browser may PUT this entry: a signed URL good for this one key and size."""
    key = secrets.token_hex(8)
    token = _signer.dumps([key, entry.client_size])
    return {"uploader": "LocalStorage", "key": key, "url": f"/photos/storage/{token}"}


def from_storage(meta: dict[str, Any], entry: UploadEntry) -> dict[str, str] | None:
    """An external entry is done: take its file from storage (if it really arrived)."""
    path = STORAGE_DIR / meta["key"]
    return store(path, entry) if path.is_file() else None


async def storage_put(request: Request) -> Response:
    """The storage endpoint: a PUT to a signed URL, no larger than the size it was signed for."""
    try:
        key, size = _signer.loads(request.path_params["token"])
    except BadSignature:
        return PlainTextResponse("bad signature", status_code=403)
    STORAGE_DIR.mkdir(parents=True, exist_ok=True)
    received = 0
    with open(STORAGE_DIR / key, "wb") as file:
        async for chunk in request.stream():
            received += len(chunk)
            if received > min(size, MAX_SIZE):
                file.close()
                os.unlink(STORAGE_DIR / key)
                return PlainTextResponse("too large", status_code=413)
            file.write(chunk)
    return PlainTextResponse("stored")


async def photo_file(request: Request) -> Response:
    name = Path(request.path_params["name"]).name  # one file of the folder, nothing else
    path = PHOTO_DIR / name
    if not path.is_file():
        return PlainTextResponse("not found", status_code=404)
    return FileResponse(path)


ROUTES = [
    Route("/photos/storage/{token}", storage_put, methods=["PUT"]),
    Route("/photos/files/{name}", photo_file),
]

UPLOADERS_JS = """
// The client calls an uploader with the entries whose preflight named it ("uploader" in what
// the server's external callback returned; the rest of that dict is entry.meta). It sends each
// file itself and reports back with entry.progress(percent) and entry.error().
window.LiveViewUploaders = Object.assign(window.LiveViewUploaders || {}, {
  LocalStorage(entries, onViewError) {
    entries.forEach((entry) => {
      const xhr = new XMLHttpRequest();
      onViewError(() => xhr.abort());
      xhr.onload = () => (xhr.status < 300 ? entry.progress(100) : entry.error("storage"));
      xhr.onerror = () => entry.error("storage");
      xhr.upload.addEventListener("progress", (event) => {
        const percent = Math.round((event.loaded / event.total) * 100);
        if (event.lengthComputable && percent < 100) entry.progress(percent);
      });
      xhr.open("PUT", entry.meta.url, true);
      xhr.send(entry.file);
    });
  },
});
"""

CSS = """
.drop { border: 2px dashed #9ca3af; border-radius: .5rem; padding: 1rem; margin: .5rem 0; }
.drop.phx-drop-target-active { border-color: #2563eb; background: #eff6ff; }
.entry { display: flex; gap: .5rem; align-items: center; }
.upload-error { color: #b91c1c; }
#wall { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: 1rem; }
.thumb { object-fit: cover; border-radius: .25rem; }
"""


EXAMPLES = [
    Example(
        "/photos",
        Photos,
        title="Photos",
        description="Uploads with previews, progress and cancel; a wall every tab shares.",
        hint="Drop or pick up to 3 images: previews show at once. Upload them, and every open "
        "window's wall shows them.",
        section="Uploads",
        order=10,
        multiplayer=True,
        routes=ROUTES,
        head=f"<style>{CSS}</style><script>{UPLOADERS_JS}</script>",
    ),
    Example(
        "/photos/quick",
        QuickPhoto,
        title="Quick photo",
        description="An upload that starts as soon as a file is picked.",
        hint="Pick an image: it uploads at once and joins the wall, no button.",
        section="Uploads",
        routes=ROUTES,
        head=f"<style>{CSS}</style><script>{UPLOADERS_JS}</script>",
    ),
    Example(
        "/photos/direct",
        DirectPhotos,
        title="Direct photos",
        description="The browser PUTs files to storage itself, not through the websocket.",
        hint="Pick images and upload: the bytes go to a storage URL the server handed out.",
        section="Uploads",
        routes=ROUTES,
        head=f"<style>{CSS}</style><script>{UPLOADERS_JS}</script>",
    ),
]
