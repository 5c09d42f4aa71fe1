"""A template as the client sees it: each diff goes through JSON, is merged the way the official
client merges (``liveview.testing.merge_diff``) and must render like a fresh full render."""

from __future__ import annotations

from typing import Any

import orjson

from liveview.template import RenderState, Template
from liveview.testing import merge_diff
from liveview.testing.tree import to_html


class ClientView:
    """One template rendered by one state, and the tree the client holds after each diff."""

    def __init__(self, source: str, **assigns: Any) -> None:
        self.template = Template(source)
        self.state = RenderState()
        self.assigns = assigns
        self.tree = self.state.render(self.template, assigns)

    def set(self, **changes: Any) -> dict[str, Any]:
        """Assign ``changes`` (named as changed), check the merged tree, return the wire diff."""
        self.assigns = {**self.assigns, **changes}
        diff = self.state.render(self.template, self.assigns, set(changes))
        wire: dict[str, Any] = orjson.loads(orjson.dumps(diff))
        self.tree = merge_diff(self.tree, wire)
        fresh = RenderState().render(self.template, self.assigns)
        assert to_html(self.tree) == to_html(fresh) == self.template.render_html(self.assigns)
        return wire
