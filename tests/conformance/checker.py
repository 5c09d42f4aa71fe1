"""One conformance case: a template and a sequence of assigns, checked step by step.

At every step the HTML the official client builds from (our join tree + our diffs so far)
must equal ``Template.render_html`` of that step's assigns -- our own full render, which is
also what the dead render sends. The test client's model of the client
(``liveview.testing.tree``: the strict ``merge_diff``, then ``to_html``) must accept every step
and render the same HTML as the client.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
import orjson

from liveview.template import RenderState, Template
from liveview.testing import DiffRejected
from liveview.testing.tree import merge_diff, to_html
from tests.conformance.client import ClientError, ClientHarness, encode


@dataclass(frozen=True)
class Step:
    """One render: the assigns at that point and the names passed as ``changed``."""

    assigns: Mapping[str, Any]
    changed: frozenset[str] | None

    @classmethod
    def of(cls, assigns: Mapping[str, Any], changed: Iterable[str] | None = None) -> Step:
        return cls(assigns, None if changed is None else frozenset(changed))


PARTIALS = {
    # included (compiled in place): reads assigns, a loop variable if there is one, `t` if set
    "row.html": '<li class="{{ "on" if x is defined and x.on }}">{{ a }}'
    "{% if x is defined %}{{ x.name }}{% endif %}{% for w in words %}<i>{{ w }}"
    "{{ loop.index }}</i>{% endfor %}{{ t }}</li>",
    # includes another, and sets a name that stays in it
    "nested.html": "<div>{% include 'row.html' %}{% set t = n * 2 %}{{ t }}{{ b }}</div>",
    # imported: macros see only their arguments (and globals)
    "parts.html": '{% macro card(v, w="-") %}<s title="{{ w }}">{{ v }}</s>'
    "{% if v %}!{% endif %}{% endmacro %}"
    "{% macro pair(v, w) %}<q>{{ card(v) }}|{{ card(w, w=v) }}</q>{% endmacro %}",
}
ENVIRONMENT = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader(PARTIALS))
"""What the generated templates compile against: a loader holding ``PARTIALS``."""


@functools.lru_cache(maxsize=4096)
def compile_template(source: str) -> Template:
    """Templates are immutable and shareable; shrinking re-renders the same sources a lot."""
    return Template(source, environment=ENVIRONMENT)


def describe(source: str, steps: Sequence[Step]) -> str:
    """A reproduction: the template and every step, as Python literals."""
    lines = [f"template = {source!r}", "steps = ["]
    for step in steps:
        changed = None if step.changed is None else sorted(step.changed)
        lines.append(f"    ({dict(step.assigns)!r}, {changed!r}),")
    lines.append("]")
    return "\n".join(lines)


def check_case(harness: ClientHarness, source: str, steps: Sequence[Step]) -> None:
    """Render ``steps`` with one ``RenderState`` and compare the client's HTML at every step
    with our full render. Raises ``AssertionError`` with a reproduction on any difference."""
    assert steps, "a case needs at least the join step"
    template = compile_template(source)
    state = RenderState()
    wire: list[bytes] = []
    expected: list[str] = []
    for step in steps:
        # Encoded right away, as the channel sends each render before the next one is made.
        wire.append(encode(state.render(template, step.assigns, step.changed)))
        expected.append(template.render_html(step.assigns))

    def failure(index: int, what: str, ours: str, theirs: str) -> AssertionError:
        messages = "\n".join(f"  {i}: {m.decode()}" for i, m in enumerate(wire[: index + 1]))
        return AssertionError(
            f"{what} at step {index}\n{describe(source, steps)}\n"
            f"wire messages (join tree, then diffs):\n{messages}\n"
            f"client HTML: {theirs!r}\nfull render: {ours!r}"
        )

    try:
        html = harness.render(wire)
    except ClientError as error:
        raise failure(
            error.step,
            f"the client threw: {error.message}",
            expected[error.step],
            "(none)",
        ) from None
    for index, (ours, theirs) in enumerate(zip(expected, html, strict=True)):
        if ours != theirs:
            raise failure(index, "the client's HTML differs from the full render", ours, theirs)
    tree: dict[str, Any] | None = None
    for index, message in enumerate(wire):
        try:
            tree = merge_diff(tree, orjson.loads(message))
        except DiffRejected as error:
            raise failure(index, f"the model rejected it: {error}", "", html[index]) from None
        if to_html(tree) != html[index]:
            raise failure(index, "the client model renders otherwise", to_html(tree), html[index])
