"""Flash messages as markup: what every LiveView page shows of its `flash` assign.

A LiveView whose template never mentions `flash` gets ``{{ flash_group(flash) }}`` added at its
end (see ``view.Rendered``), so `socket.put_flash("info", "Saved")` shows without template work;
one that renders `flash` itself is left alone. Each message is dismissed by a click, which the
client sends as `lv:clear-flash` with its kind. The classes are for styling (the default layout
places the group as toasts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from markupsafe import Markup, escape

GLOBAL_NAME: Final = "flash_group"
"""The template global that renders a flash mapping."""

CALL: Final = "{{ flash_group(flash) }}"
"""What a LiveView template that does not render `flash` gets at its end."""


def flash_group(flash: Any) -> Markup:
    """The flash messages, one dismissable paragraph each (nothing when there are none)."""
    if not isinstance(flash, Mapping) or not flash:
        return Markup("")
    parts = []
    for kind, message in flash.items():
        if not message:
            continue
        kind = escape(kind)
        parts.append(
            f'<p id="flash-{kind}" class="lv-flash lv-flash-{kind}" role="alert" '
            f'phx-click="lv:clear-flash" phx-value-key="{kind}">{escape(message)}'
            '<button type="button" class="lv-flash-close" aria-label="close">&times;</button></p>'
        )
    if not parts:
        return Markup("")
    return Markup('<div id="flash-group" class="lv-flash-group">' + "".join(parts) + "</div>")
