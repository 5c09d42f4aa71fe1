"""The variable scope one render evaluates in: a lean Jinja ``Context``.

Generated expression code and Jinja-compiled statements only need a ``Context``; building
Jinja's full one costs about a microsecond (it copies globals), so this subclass reads the
assigns mapping directly and falls back to the environment globals. Loop variables and
``{% set %}`` names live in ``vars``, which loops (and includes) swap for a copy to keep them
local; ``top`` keeps the template's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import jinja2
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.utils import missing

from .components import AMBIGUOUS, component_named, named_components

if TYPE_CHECKING:
    from .components import ComponentSink


class Scope(Context):
    """A ``Context`` over ``assigns`` (read-only) + template locals (``vars``) + globals."""

    components: ComponentSink | None
    """Where ``{{ live_component(...) }}`` slots hand their calls; None: no components here."""

    def __init__(
        self,
        environment: jinja2.Environment,
        assigns: Mapping[str, Any],
        name: str | None,
    ) -> None:
        self.parent = cast(dict[str, Any], assigns)
        self.vars = {}
        # The template's top-level variables: ``vars`` until a loop or an include swaps it for
        # a copy. A macro of the template reads its variables there (``functions``).
        self.top: dict[str, Any] = self.vars
        self.environment = environment
        self.name = name

    def __getattr__(self, attribute: str) -> Any:
        """Create the Context attributes most renders never touch on first use (saves ~0.7 µs
        per render): ``eval_ctx`` (eval-context filters), the rest (opaque Jinja statements)."""
        value: Any
        if attribute == "eval_ctx":
            value = EvalContext(self.environment, self.name)
        elif attribute in ("exported_vars", "globals_keys"):
            value = set()
        elif attribute == "blocks":
            value = {}
        elif attribute == "components":
            value = None  # no live components in this render (see ``components``)
        else:
            raise AttributeError(attribute)
        setattr(self, attribute, value)
        return value

    def resolve_or_missing(self, key: str) -> Any:
        """Template locals shadow assigns, which shadow environment globals, which shadow
        live component classes (by class name)."""
        vars = self.vars
        if key in vars:
            return vars[key]
        value = self.parent.get(key, missing)
        if value is missing:
            value = self.environment.globals.get(key, missing)
            if value is missing:  # last: a live component class, by its name
                value = named_components.get(key, missing)
                if value is AMBIGUOUS:  # several classes of this name: which, for this template
                    return component_named(key, self.name)
        return value

    def get_all(self) -> dict[str, Any]:
        """Everything visible, as one new dict (what ``include`` passes to the included file)."""
        return {**self.environment.globals, **self.parent, **self.vars}

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.resolve_or_missing(name) is not missing
