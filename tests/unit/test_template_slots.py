"""The worked example in ``liveview/template/slots.py``'s docstring is what the engine does.

Every value shown there is read back from the docstring and compared with a real render, so
the example cannot go stale.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from liveview.template import RenderState, Template, slots
from liveview.template.slots import Block, ExprSlot, ForSlot

SOURCE = "<ul>{% for x in xs %}<li>{{ x }}</li>{% endfor %}</ul>"


def _examples() -> list[str]:
    """The literal blocks (the indented text after each ``::``) of the module docstring."""
    doc = slots.__doc__
    assert doc is not None
    assert f"``{SOURCE}``" in doc
    return [textwrap.dedent(block) for block in re.findall(r"::\n\n((?:    .*\n|\n)+)", doc)]


def _shown(block: str, names: dict[str, Any]) -> Any:
    return eval(block, {"__builtins__": {}}, names)


def _described(block: Block) -> dict[str, Any]:
    """A compiled block in the docstring's notation."""
    steps: list[Any] = []
    for step in block.steps:
        deps = None if step.deps is None else set(step.deps)
        if isinstance(step, ForSlot):
            steps.append(("ForSlot", step.key, step.target, deps, _described(step.body)))
        else:
            assert isinstance(step, ExprSlot)
            steps.append(("ExprSlot", step.key, deps))
    return {"statics": block.statics, "steps": steps}


def test_the_docstring_shows_every_step_of_the_example() -> None:
    compiled, tree, first_print, diff, second_print = _examples()
    template = Template(SOURCE)
    root = template.root
    loop = root.steps[0]
    assert isinstance(loop, ForSlot)
    names = {"root": root, "loop": loop, "body": loop.body}

    notation = {
        "Block": lambda statics, steps: {"statics": statics, "steps": steps},
        "ForSlot": lambda key, target, deps, body: ("ForSlot", key, target, deps, body),
        "ExprSlot": lambda key, deps: ("ExprSlot", key, deps),
    }
    assert _described(root) == _shown(compiled, notation)

    state = RenderState()
    assert state.render(template, {"xs": ["a"]}) == _shown(tree, {})
    before = state._prints
    assert before == _shown(first_print, names)

    assert state.render(template, {"xs": ["a", "b"]}, {"xs"}) == _shown(diff, {})
    after = state._prints
    assert after == _shown(second_print, names)
    assert before is not None and after is not None
    assert after[1][1][0] is before[1][1][0]  # the unchanged entry's print is shared
