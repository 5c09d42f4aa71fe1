"""``Template``: Jinja source compiled once into statics and dynamic slots."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import jinja2

from . import undefined
from .compiler import compile_template
from .components import ComponentSink
from .deps import union
from .environment import check_environment, default_environment, environment_for_file
from .scope import Scope
from .sharing import SharedRenders
from .slots import Block


class Template:
    """A compiled template. Immutable and shareable between any number of LiveViews.

    ``environment`` (optional) supplies filters, globals, tests and a loader; it must have
    autoescape enabled. The default one has no loader; ``from_file`` uses one rooted at the
    file's directory so ``{% include %}`` finds its siblings.
    """

    __slots__ = ("environment", "filename", "name", "root", "shared", "source")

    def __init__(
        self,
        source: str,
        name: str | None = None,
        *,
        environment: jinja2.Environment | None = None,
        filename: str | None = None,
    ) -> None:
        self.source = source
        self.name = name
        self.filename = filename
        self.environment = check_environment(environment or default_environment())
        self.root: Block = compile_template(self.environment, source, name, filename)
        # The assign names the template can read (None: any), which a shared render matches on.
        self.shared = SharedRenders(
            self.root, union(*(step.facts.names for step in self.root.steps))
        )

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike[str],
        *,
        environment: jinja2.Environment | None = None,
        encoding: str = "utf-8",
    ) -> Template:
        """Compile the template stored at ``path`` (errors name the file and line)."""
        filename = os.fspath(path)
        with open(filename, encoding=encoding) as file:
            source = file.read()
        return cls(
            source,
            os.path.basename(filename),
            environment=environment or environment_for_file(filename),
            filename=filename,
        )

    def scope(self, assigns: Mapping[str, Any]) -> Scope:
        """A fresh evaluation scope for one render over ``assigns``."""
        return Scope(self.environment, assigns, self.name)

    def render_html(
        self,
        assigns: Mapping[str, Any],
        components: ComponentSink | None = None,
        *,
        strict: bool = False,
    ) -> str:
        """The HTML of a full render: what the client builds from ``RenderState().render``'s tree
        (used for the dead render, so the connected render morphs nothing). Live components
        are placeholders from ``components``, which fills them in. ``strict``: an unassigned
        name rendered is an error (``undefined``), not a warning."""
        parts: list[str] = []
        ctx = self.scope(assigns)
        if components is not None:
            ctx.components = components
        try:
            self.root.html(ctx, parts)
        except BaseException:
            undefined.pending.clear()
            raise
        if undefined.pending:
            undefined.check(self, assigns, strict)
        return "".join(parts)

    def __repr__(self) -> str:
        return f"<Template {self.name or 'string'!s}>"
