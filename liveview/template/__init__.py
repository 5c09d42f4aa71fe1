"""Jinja2 templates compiled into statics + dynamic slots, rendered as Phoenix LiveView diffs.

``Template`` compiles source once; ``RenderState`` (one per LiveView) turns renders into the
full tree, then minimal diffs, of the LiveView 1.2 wire format; ``to_html`` renders a full tree
the way the client does. Nothing here knows about sockets or channels.
"""

from .errors import TemplateSyntaxError
from .html import to_html
from .state import RenderState
from .template import Template

__all__ = ["RenderState", "Template", "TemplateSyntaxError", "to_html"]
