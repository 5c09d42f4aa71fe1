"""A template as the client sees it: each diff goes through JSON, is merged by the client model
(``liveview.testing.tree``, strict: it raises where the official client would break) and must
render like a fresh full render."""

from __future__ import annotations

from typing import Any

import jinja2

from liveview.template import RenderState, Template
from liveview.testing.tree import merge_diff, to_html


class ClientView:
    """One template rendered by one state, and the tree the client holds after each diff."""

    def __init__(
        self, source: str, *, environment: jinja2.Environment | None = None, **assigns: Any
    ) -> None:
        self.template = Template(source, environment=environment)
        self.state = RenderState()
        self.assigns = assigns
        self.first = self.state.render(self.template, assigns)
        self.tree = merge_diff(None, self.first)
        assert to_html(self.tree) == self.template.render_html(assigns)

    def set(self, **changes: Any) -> dict[str, Any]:
        """Assign ``changes`` (named as changed), merge the diff into the client's tree, check
        that tree against a full render; returns the diff as the engine made it."""
        self.assigns = {**self.assigns, **changes}
        diff = self.state.render(self.template, self.assigns, set(changes))
        self.tree = merge_diff(self.tree, diff)
        fresh = RenderState().render(self.template, self.assigns)
        assert to_html(self.tree) == to_html(fresh) == self.template.render_html(self.assigns)
        return diff
