"""A name a template renders that nobody assigned: never silent.

`{{ cuont }}` for `count` renders as nothing in Jinja, and the page just lacks the number. Here
rendering an unassigned name (a name: `{{ user.nmae }}`, a missing attribute, stays Jinja's
empty) is noted while the render runs (`rendered`), and after it (`check`) is an error in a
strict render (`LiveViewApp(debug=True)`), naming the template, the line and the assigns there
are, as Phoenix raises on a missing assign; otherwise a warning, once per template and name.
Tests are not rendering: `{% if user %}` with no `user` stays false, quietly.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from jinja2 import Undefined
from jinja2.utils import missing

logger = logging.getLogger("liveview")

pending: list[str] = []
"""Names rendered empty by the render running (renders are synchronous: one at a time)."""

_warned: set[tuple[str, str]] = set()
_WARNED_LIMIT = 10_000


class UnassignedName(Exception):
    """A template rendered a name that has no assign, global or template variable."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def explained(self, template: Any, assigns: Iterable[str]) -> UnassignedName:
        """The same error, saying where and what exists instead (for the traceback)."""
        names = ", ".join(sorted(str(name) for name in assigns)) or "none"
        line = _line_of(getattr(template, "source", ""), self.name)
        where = f"template {getattr(template, 'name', None) or 'string'!r}"
        if getattr(template, "filename", None):
            where = f"template file {template.filename}"
        if line:
            where += f" line {line}"
        error = UnassignedName(self.name)
        error.args = (
            f"{where} renders {{{{ {self.name} }}}}, but nothing is named {self.name!r} "
            f"(assigns: {names}); assign it, or test it first with {{% if {self.name} %}}",
        )
        return error


def rendered(value: Undefined) -> str:
    """The text of an undefined value in a slot: "", the name noted if it is a name."""
    name = value._undefined_name
    if value._undefined_obj is missing and isinstance(name, str):
        pending.append(name)
    return ""


def check(template: Any, assigns: Iterable[str], strict: bool) -> None:
    """After a render that noted names (`pending`): raise `UnassignedName` if `strict`, else
    warn once per template and name."""
    if strict:
        name = pending[0]
        pending.clear()
        raise UnassignedName(name).explained(template, assigns)
    report(template)


def report(template: Any) -> None:
    """Warn, once per template and name, of the names rendered empty (`pending`)."""
    label = getattr(template, "filename", None) or getattr(template, "name", None) or "string"
    for name in pending:
        key = (str(label), name)
        if key in _warned:
            continue
        if len(_warned) >= _WARNED_LIMIT:
            _warned.clear()
        _warned.add(key)
        line = _line_of(getattr(template, "source", ""), name)
        logger.warning(
            "template %s%s renders {{ %s }}, which nothing assigns: it renders as nothing",
            label,
            f" line {line}" if line else "",
            name,
        )
    pending.clear()


def _line_of(source: str, name: str) -> int:
    """The line of the first `{{ ... name ... }}` in `source` (0: not found)."""
    found = re.search(r"\{\{[^}]*?\b" + re.escape(name) + r"\b", source)
    return source.count("\n", 0, found.start()) + 1 if found else 0
