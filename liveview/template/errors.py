"""The one error a template raises at compile time.

A subclass of Jinja's own ``TemplateSyntaxError``, so callers catching either see it, and it
carries the template name, file name and line number the same way (``str(err)`` shows them).
"""

from __future__ import annotations

import jinja2


class TemplateSyntaxError(jinja2.TemplateSyntaxError):
    """A template that cannot be compiled (bad syntax, or a construct this engine rejects)."""

    @classmethod
    def from_jinja(
        cls,
        error: jinja2.TemplateSyntaxError,
        source: str | None = None,
        name: str | None = None,
        filename: str | None = None,
    ) -> TemplateSyntaxError:
        """Jinja's error as ours, keeping its message and location (filled in if missing)."""
        if isinstance(error, cls):
            return error
        converted = cls(
            error.message or str(error),
            error.lineno,
            error.name or name,
            error.filename or filename,
        )
        converted.source = error.source if error.source is not None else source
        return converted
