"""What JS commands cost a render: a list of rows, each with a button whose ``phx-click`` is a
chain built in the template (``JS.push(...).hide(...)``), against the same markup with the JSON
written by hand (a plain string slot), and against a chain built once in Python and reused.

    .venv/bin/python bench/js_commands.py [rows] [rounds]

Prints microseconds per row for the full render and for a diff where every row changed, and
the cost of building one chain, and of building and rendering it (escaped JSON). CPU-bound,
in process: no sockets. The machine is shared; compare the columns of one run, not runs of
different days.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from liveview import JS
from liveview.template import RenderState, Template

ROW_JS = """{% for row in rows %}<li id="r{{ row.id }}">{{ row.name }}
<button phx-click="{{ JS.push('pick', value={'id': row.id}).hide(to='#r' ~ row.id) }}">x</button>
</li>{% endfor %}"""
ROW_JSON = """{% for row in rows %}<li id="r{{ row.id }}">{{ row.name }}
<button phx-click="{{ '[[\\"push\\",{\\"event\\":\\"pick\\",\\"value\\":{\\"id\\":' ~ row.id ~ '}}],[\\"hide\\",{\\"to\\":\\"#r' ~ row.id ~ '\\"}]]' }}">x</button>
</li>{% endfor %}"""  # noqa: E501
ROW_PREBUILT = """{% for row in rows %}<li id="r{{ row.id }}">{{ row.name }}
<button phx-click="{{ row.js }}">x</button>
</li>{% endfor %}"""


def best(run: Callable[[], Any], rounds: int) -> float:
    """The fastest of ``rounds`` runs, in seconds (the least disturbed by other processes)."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def rows_of(n: int, name: str) -> list[dict[str, Any]]:
    return [
        {"id": i, "name": f"{name} {i}", "js": JS.push("pick", value={"id": i}).hide(to=f"#r{i}")}
        for i in range(n)
    ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    print(f"{n} rows, best of {rounds}; microseconds per row")
    print("| template | full render | diff, every row changed |")
    print("|---|---|---|")
    for label, source in (
        ("JS chain built in the template", ROW_JS),
        ("JSON written by hand (string)", ROW_JSON),
        ("JS built once in Python, an assign", ROW_PREBUILT),
    ):
        template = Template(source)
        first, second = rows_of(n, "a"), rows_of(n, "b")
        full = best(lambda t=template, r=first: RenderState().render(t, {"rows": r}), rounds)
        state = RenderState()
        state.render(template, {"rows": first})
        flip = [first, second]

        def diff(t: Template = template, s: RenderState = state, f: list[Any] = flip) -> None:
            f.reverse()
            s.render(t, {"rows": f[0]}, changed=["rows"])

        changed = best(diff, rounds)
        print(f"| {label} | {full / n * 1e6:.2f} | {changed / n * 1e6:.2f} |")

    def build() -> None:
        for i in range(n):
            JS.push("pick", value={"id": i}).hide(to="#r1")

    def build_and_render() -> None:
        for i in range(n):
            JS.push("pick", value={"id": i}).hide(to="#r1").__html__()

    print(f"\nbuild a two-command chain: {best(build, rounds) / n * 1e6:.2f} us")
    rendered = best(build_and_render, rounds) / n * 1e6
    print(f"build it and render it (JSON, HTML-escaped): {rendered:.2f} us")


if __name__ == "__main__":
    main()
