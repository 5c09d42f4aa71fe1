"""What a page with live components must look like, from Jinja alone.

Jinja (not this project's engine) renders the page, and each ``live_component(...)`` call
renders that component's template inline, from a model of the component's assigns kept here:
the mount defaults, then the attributes of its calls, then its own ``count`` / ``note`` (events
and ``send_update``). Those two are never call attributes, so a component's assigns do not
depend on when the server re-evaluates its call: only on the page's state and its own history.

Jinja renders with this project's one documented difference (``liveview.template.escape``):
``None`` and ``False`` print as nothing (a ``finalize``, as ``tests/unit/test_template_merge.py``
does). That holds in the engine's own slots, not inside the statements it hands to Jinja whole
(``filter``, ``with``), which the component cases therefore leave out.

The client writes three attributes into a component's root start tag, right after the tag
name: ``data-phx-id="c<cid>-<view id>" data-phx-component="<cid>" data-phx-view="<view id>"``.
The expected HTML has them exactly there (the root tag starts after the template's known
``lead``), so nothing of the client's output is normalized away. Cids are the server's choice:
a render reports the components in document order, and the caller tells it their cids.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import jinja2
from markupsafe import Markup

from tests.conformance.component_strategies import ComponentCase

Key = tuple[str, str]
"""A component's identity on the page: its class name and its id."""

VIEW_ID: Final = "phx-conformance"
"""The view id the harness gives the client (``harness.mjs``)."""

DEFAULTS: Final[Mapping[str, Any]] = {
    "a": "",
    "b": "",
    "n": 0,
    "f": False,
    "g": None,
    "xs": [],
    "ys": [],
    "words": [],
    "pairs": [],
    "cfg": {"title": "", "on": False},
    "count": 0,
    "note": "",
}
"""A component's assigns at mount (every page assign name, and its own two)."""

_MARK = re.compile("\x00\ue000(\\d+)\ue001\x00")


def root_attributes(cid: int) -> str:
    """What the client writes into a component's root start tag."""
    return f' data-phx-id="c{cid}-{VIEW_ID}" data-phx-component="{cid}" data-phx-view="{VIEW_ID}"'


@jinja2.pass_eval_context
def _finalize(eval_ctx: Any, value: Any) -> Any:
    """``None`` and ``False`` print as nothing. (Taking the context keeps Jinja from folding
    constant outputs at compile time, where it would escape ``{{ none }}`` to ``"None"`` first.)"""
    return "" if value is None or value is False else value


class GeneratorError(AssertionError):
    """The case is not a valid page (two components with one id): a bug of the generator."""


@dataclass(frozen=True)
class Rendering:
    """One render of the page: the components on it in document order, and its HTML with a
    mark where each component's root attributes go."""

    order: tuple[Key, ...]
    marked: str

    def html(self, cids: Mapping[Key, int]) -> str:
        """The HTML the client must show: each root with the attributes of its cid."""
        return _MARK.sub(
            lambda match: root_attributes(cids[self.order[int(match[1])]]), self.marked
        )

    def plain(self) -> str:
        """The HTML without the client's attributes (the dead render; the client model)."""
        return _MARK.sub("", self.marked)


class PageModel:
    """The page's assigns and each live component's, and Jinja's rendering of them."""

    def __init__(self, case: ComponentCase) -> None:
        environment = jinja2.Environment(autoescape=True, finalize=_finalize)
        self._page = environment.from_string(case.page)
        self._templates = {
            spec.name: environment.from_string(spec.source) for spec in case.components
        }
        self._specs = {spec.name: spec for spec in case.components}
        self._names = {spec.name: spec.name for spec in case.components}
        self.page_assigns: Mapping[str, Any] = case.steps[0]
        self.assigns: dict[Key, dict[str, Any]] = {}  # components the server has (not deleted)

    def render(self, cids: Mapping[Key, int]) -> Rendering:
        """Render the page; components new to the model mount (their ``myself`` is their cid
        in ``cids``, or 0 while it is not known yet)."""
        order: list[Key] = []

        def live_component(name: str, /, **attributes: Any) -> Markup:
            key: Key = (name, attributes["id"])
            if key in order:
                raise GeneratorError(f"two {name} components with id={key[1]!r} in one render")
            index = len(order)
            order.append(key)
            assigns = self.assigns.get(key)
            if assigns is None:
                assigns = self.assigns[key] = copy.deepcopy(dict(DEFAULTS))
            assigns.update(attributes)
            assigns["myself"] = cids.get(key, 0)
            spec = self._specs[name]
            html = self._templates[name].render(**assigns, **calls)
            start = spec.lead + "<" + spec.tag
            if not html.startswith(start):
                raise GeneratorError(f"{name} renders {html[:40]!r}, not its root tag first")
            return Markup(f"{start}\x00\ue000{index}\ue001\x00{html[len(start) :]}")

        calls = {"live_component": live_component, **self._names}
        marked = self._page.render(**self.page_assigns, **calls)
        return Rendering(tuple(order), marked)

    # what happens to components ---------------------------------------------------------------

    def event(self, key: Key, event: str, text: str) -> None:
        """The component's own event: ``inc`` or ``note``."""
        assigns = self.assigns[key]
        if event == "inc":
            assigns["count"] += 1
        else:
            assigns["note"] = text

    def send_update(self, key: Key, text: str) -> None:
        """``send_update(note=text)``: nothing if the server no longer has the component."""
        assigns = self.assigns.get(key)
        if assigns is not None:
            assigns["note"] = text

    def delete(self, key: Key) -> None:
        """The server deleted it (``cids_destroyed``): a later call mounts it afresh."""
        del self.assigns[key]

    def snapshot(self) -> dict[Key, dict[str, Any]]:
        """Each component's assigns now (shallow copies: values are replaced, never mutated)."""
        return {key: dict(assigns) for key, assigns in self.assigns.items()}
