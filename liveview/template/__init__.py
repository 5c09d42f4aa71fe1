"""Jinja2 templates compiled into statics + dynamic slots, rendered as Phoenix LiveView diffs.

``Template`` compiles source once; ``RenderState`` (one per LiveView) turns renders into the
full tree, then minimal diffs, of the LiveView 1.2 wire format. Nothing here knows about
sockets or channels (the client's side, rendering a tree to HTML, is ``liveview.testing.tree``).
"""

from .errors import TemplateSyntaxError
from .sharing import SharedRender
from .state import RenderState
from .template import Template

__all__ = ["RenderState", "SharedRender", "Template", "TemplateSyntaxError"]
