"""What the gallery knows of an example, declared next to the example's code.

An example module ends with its entries, and the gallery finds them (`collect`)::

    EXAMPLES = [
        Example(
            "/counter",
            Counter,
            title="Counter",
            description="A count per tab: click events and assigns.",
            hint="Click + and -. Each tab keeps its own count.",
        ),
    ]

The gallery serves `view` at `route`, lists the entry on its index under `section`, and frames
the page: its title, the hint ("what to try"), the module's own source beside it, and a way
back. `routes`, `head` and `lifespan` are what some examples need besides their LiveView (an
upload endpoint, a stylesheet or a hook, a background publisher). An entry without a `view` is a
card only: an app of its own that the gallery mounts (`app.py`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

from markupsafe import Markup, escape
from starlette.routing import BaseRoute

from liveview.view import LiveView

SECTIONS = (
    "Basics",
    "Forms",
    "Multi-player",
    "Data and streams",
    "Components and JS",
    "Uploads",
    "Pub/sub backends",
    "Apps",
)
"""The index's sections, in order; an example names one."""

Lifespan = Callable[[Any], AbstractAsyncContextManager[Any]]
"""As `LiveViewApp(lifespan=)`: called with the app, entered while it serves."""


@dataclass(frozen=True)
class Example:
    """One gallery page: where it is served and what its card and its frame say."""

    route: str
    view: type[LiveView] | None
    title: str
    description: str
    """One line on the index card."""
    hint: str = ""
    """What to try on the page ("Open this page in a second window and click +")."""
    section: str = "Basics"
    order: int = 50
    """Its place in its section: lower first, then by title."""
    multiplayer: bool = False
    """Shows a "multi-player" badge: the page is made to be opened in several windows."""
    routes: Sequence[BaseRoute] = ()
    head: str = ""
    """Markup the page needs in <head> (a <style>, a hook's <script>); added to every page."""
    lifespan: Lifespan | None = None
    module: str = ""
    """The module whose source the page shows; the view's module by default."""

    def __post_init__(self) -> None:
        if not isinstance(self.route, str) or not self.route.startswith("/"):
            raise ValueError(f"an example's route must start with '/', not {self.route!r}")
        if not self.title or not self.description:
            raise ValueError(f"example {self.route}: title and description must not be empty")
        if self.section not in SECTIONS:
            raise ValueError(
                f"example {self.route}: section {self.section!r} is not one of {SECTIONS}"
            )
        if self.view is not None and not (
            isinstance(self.view, type) and issubclass(self.view, LiveView)
        ):
            raise TypeError(f"example {self.route}: view must be a LiveView class or None")
        if not self.module:
            if self.view is None:
                raise ValueError(f"example {self.route}: give `module` when there is no view")
            object.__setattr__(self, "module", self.view.__module__)

    @cached_property
    def source(self) -> Markup:
        """The module's own source, escaped for a <pre>; read once, at the first page."""
        module = importlib.import_module(self.module)
        path = Path(module.__file__ or "")
        return escape(path.read_text(encoding="utf-8"))

    @property
    def source_file(self) -> str:
        return self.module.rsplit(".", 1)[-1] + ".py"


SKIPPED = frozenset({"app", "example", "frame", "index", "forms_app", "online"})
"""Modules that hold no example: the gallery itself (importing `app` here would be circular),
the forms app (an app of its own for tests) and a helper."""


def collect(package: ModuleType) -> list[Example]:
    """Every `EXAMPLES` entry of `package`'s modules, by section, each route and view once."""
    found: list[Example] = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name in SKIPPED:
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        entries = getattr(module, "EXAMPLES", ())
        for entry in entries:
            if not isinstance(entry, Example):
                raise TypeError(f"{module.__name__}.EXAMPLES holds {entry!r}, not an Example")
            found.append(entry)
    check_unique(found)
    return sorted(found, key=lambda e: (SECTIONS.index(e.section), e.order, e.title))


def check_unique(examples: Iterable[Example]) -> None:
    """Two entries on one route, or one view class framed twice, is a mistake: say which."""
    routes: dict[str, Example] = {}
    views: dict[type[LiveView], Example] = {}
    for example in examples:
        if example.route in routes:
            raise ValueError(
                f"two gallery examples on {example.route}: "
                f"{routes[example.route].title!r} and {example.title!r}"
            )
        routes[example.route] = example
        if example.view is not None:
            if example.view in views:
                raise ValueError(
                    f"{example.view.__name__} is in the gallery twice "
                    f"({views[example.view].route} and {example.route}): one entry a class"
                )
            views[example.view] = example
