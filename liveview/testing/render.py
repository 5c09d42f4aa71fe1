"""Phoenix.LiveViewTest's `render_hook` and `render_upload`, for a view or an element.

Each returns the view's HTML after the server's reply, as Phoenix's `render_*` do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from liveview.testing.elements import ElementTest
from liveview.testing.uploads import File
from liveview.testing.view import LiveViewTest


async def render_hook(target: LiveViewTest | ElementTest, event: str, value: Any = None) -> str:
    """A hook's `pushEvent(event, value)`: from a view, to the LiveView; from an element,
    which must carry `phx-hook`, to its `phx-target` (`pushEventTo`) if it has one."""
    if isinstance(target, ElementTest):
        return await target.hook(event, value)
    await target.hook_event(event, value)
    return target.html


async def render_upload(
    view: LiveViewTest, name: str, files: Sequence[File], *, chunk_size: int | None = None
) -> str:
    """Select `files` in the upload input `name` and upload them (`view.upload`): Phoenix's
    `file_input` and `render_upload` in one step."""
    return await view.upload(name, files, chunk_size=chunk_size)
