"""What one LiveView's render of a changed list costs when nothing can be shared (issue 19).

Every LiveView's rows carry its own text, so no render is shared: this is the floor of the
per-view path, the template work alone (no mailbox, no socket). For each of N render states,
ROUNDS rounds of: build the ten rows of the "list" shape in Python (as `handle_info` would, with
the view's number in each text), `RenderState.render` the bench page's diff, encode it as JSON.
Prints µs per view and round for the whole, and for the render and the JSON apart; `--profile`
adds the functions where the time goes (cProfile, by own time).

    .venv/bin/python bench/render_cost.py [N=200] [ROUNDS=50] [--profile]
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.apps.ours import BUILT_ROWS, page
from liveview.template import RenderState, Template

TEMPLATE = Template(page(BUILT_ROWS))


def rows(view: int, count: int) -> list[dict[str, str]]:
    """The list shape's rows for `count`, with the view's own number in each text."""
    return [
        {"cls": "even" if (count + i) % 2 == 0 else "odd", "text": f"Item {i + 1}: {view}.{count}"}
        for i in range(10)
    ]


def run(n: int, rounds: int) -> dict[str, float]:
    states = [RenderState() for _ in range(n)]
    for view, state in enumerate(states):
        state.render(TEMPLATE, {"count": 0, "rows": rows(view, 0)})
    changed = {"count", "rows"}
    build = render = encode = 0.0
    clock = time.process_time
    for count in range(1, rounds + 1):
        for view, state in enumerate(states):
            began = clock()
            assigns: dict[str, Any] = {"count": count, "rows": rows(view, count)}
            built = clock()
            diff = state.render(TEMPLATE, assigns, changed)
            rendered = clock()
            orjson.dumps(diff)
            encoded = clock()
            build += built - began
            render += rendered - built
            encode += encoded - rendered
    per = 1e6 / (n * rounds)
    return {"build": build * per, "render": render * per, "json": encode * per}


def main() -> None:
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    n, rounds = (int(a) for a in (args + ["200", "50"][len(args) :])[:2])
    if "--profile" in sys.argv:
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        run(n, rounds)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
        return
    best: dict[str, float] | None = None
    for _ in range(5):
        figures = run(n, rounds)
        if best is None or sum(figures.values()) < sum(best.values()):
            best = figures
    assert best is not None
    total = sum(best.values())
    print(
        f"N={n} rounds={rounds}: {total:.2f} µs per view and round (best of 5): rows built "
        f"{best['build']:.2f}, render + diff {best['render']:.2f}, JSON {best['json']:.2f}"
    )


if __name__ == "__main__":
    main()
