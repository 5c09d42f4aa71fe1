"""Bytes per diff when one row of a 50-row list changes, the row written inline, as a macro, as
an imported macro or as an ``{% include %}``: what compiling macros and includes into nested
nodes saves (issue 14, "Function components").

    .venv/bin/python bench/function_components.py            # this checkout
    .venv/bin/python bench/function_components.py --rows 50 --repeat 2000

For each shape: the JSON bytes of the join tree and of the diff (as the channel encodes them,
orjson) after one row's ``title`` changes, and the CPU time of that diff render (µs of process
time, best of 5 means over ``--repeat`` states: ``RenderState.render`` with
``changed={"rows"}``, in process, no sockets; process time, as other jobs share the machine).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import jinja2
import orjson

from liveview.template import RenderState, Template

ROW = (
    '<tr id="row-{{ row.id }}" class="{{ "done" if row.done }}"><td>{{ row.title }}</td>'
    "<td>{{ row.owner }}</td><td>{{ row.points }}</td></tr>"
)
MACRO = "{% macro card(row) %}" + ROW + "{% endmacro %}"
SHAPES = {
    "inline": "<table>{% for row in rows %}" + ROW + "{% endfor %}</table>",
    "macro": MACRO + "<table>{% for row in rows %}{{ card(row) }}{% endfor %}</table>",
    "imported macro": '{% from "macros.html" import card %}'
    "<table>{% for row in rows %}{{ card(row) }}{% endfor %}</table>",
    "include": '<table>{% for row in rows %}{% include "row.html" %}{% endfor %}</table>',
}
ENVIRONMENT = jinja2.Environment(
    autoescape=True, loader=jinja2.DictLoader({"macros.html": MACRO, "row.html": ROW})
)


def rows(count: int, changed: int | None = None) -> list[dict[str, Any]]:
    return [
        {
            "id": index,
            "title": f"Task number {index}" + (" (edited)" if index == changed else ""),
            "owner": f"user{index % 7}",
            "points": index % 5,
            "done": index % 3 == 0,
        }
        for index in range(count)
    ]


def measure(source: str, count: int, repeat: int) -> tuple[int, int, float]:
    """(join bytes, diff bytes, µs per diff render) for one shape."""
    template = Template(source, environment=ENVIRONMENT)
    before, after = {"rows": rows(count)}, {"rows": rows(count, changed=count // 2)}
    state = RenderState()
    join = orjson.dumps(state.render(template, before))
    diff = orjson.dumps(state.render(template, after, {"rows"}))
    assert template.render_html(after) == ENVIRONMENT.from_string(source).render(after)
    best = float("inf")
    for _ in range(5):
        states = [RenderState() for _ in range(repeat)]
        for each in states:
            each.render(template, before)
        start = time.process_time()
        for each in states:
            each.render(template, after, {"rows"})
        best = min(best, (time.process_time() - start) / repeat)
    return len(join), len(diff), best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=1000)
    args = parser.parse_args()
    print(f"{args.rows} rows, one row's title changed")
    print("| row written as | join bytes | diff bytes | µs CPU per diff render | / inline |")
    print("|---|---:|---:|---:|---:|")
    inline = 0.0
    for name, source in SHAPES.items():
        join, diff, micros = measure(source, args.rows, args.repeat)
        inline = inline or micros
        print(f"| {name} | {join:,} | {diff:,} | {micros:.1f} | {micros / inline:.2f} |")


if __name__ == "__main__":
    main()
