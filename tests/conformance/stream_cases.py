"""Stream conformance cases: random sequences of stream operations, the LiveView that applies
them, and an oracle of what the browser's stream container holds after each step.

A case is a list of steps; a step is a list of operations, applied in one callback (one diff):

    ["stream", [[id, text], ...], {"at": a, "limit": l, "reset": r}]   # socket.stream
    ["insert", [id, text], {"at": a, "limit": l, "update_only": u}]    # socket.stream_insert
    ["delete", id]                                       # socket.stream_delete_by_dom_id

Every case starts with a `stream(..., reset=True)`, so cases can run one after another on one
page. Ids come from a small range, so inserts update rows, repeat within a step, and delete
rows that are there or not.

The oracle (`expected`) is written from what the client's DOM patch does (`dom_patch.ts` of
LiveView 1.2), not from our server: per step, the rows go (reset, then deletes), and each entry
of the step (an id inserted twice: once, where it was inserted last) is updated where it is, or
added at its `at` (-1 end, 0 start, n index n) and trimmed by its `limit`; with `update_only` it
is only added back if this step's reset or deletes removed it; a row a `limit` trimmed is not
added back in the same step (the client morphs the detached element; found by the Chromium
run, kept here as the client's behaviour). For an id inserted twice in a step the client keeps
the options of its first insert (Phoenix sends inserts newest first; the client's map keeps the
last one it reads).
"""

from __future__ import annotations

import random
from typing import Any

import orjson

from liveview import LiveView, LiveViewSocket

Op = list[Any]
Step = list[Op]
Case = list[Step]
Rows = list[tuple[str, str]]

IDS = 8
"""Ids 0..7: enough rows for `at` and `limit` to matter, few enough to collide."""


def _position(rng: random.Random) -> dict[str, Any]:
    at = rng.choice([-1, -1, 0, 0, 1, 2, 5])
    limit = rng.choice([None, None, None, 3, -3, 1, -1, 5, -5, 0])
    return {"at": at, "limit": limit}


def _row(rng: random.Random, counter: list[int]) -> list[Any]:
    counter[0] += 1
    return [rng.randrange(IDS), f"t{counter[0]}"]


def _op(rng: random.Random, counter: list[int]) -> Op:
    kind = rng.choices(["insert", "delete", "stream", "reset"], [6, 2, 1, 1])[0]
    if kind == "insert":
        options = {**_position(rng), "update_only": rng.random() < 0.2}
        return ["insert", _row(rng, counter), options]
    if kind == "delete":
        return ["delete", rng.randrange(IDS)]
    rows = [_row(rng, counter) for _ in range(rng.randrange(4))]
    return ["stream", rows, {**_position(rng), "reset": kind == "reset"}]


def generate(seed: int, count: int) -> list[Case]:
    """`count` cases from `seed` (the same seed, the same cases)."""
    rng = random.Random(seed)
    cases: list[Case] = []
    counter = [0]
    for _ in range(count):
        start = [_row(rng, counter) for _ in range(rng.randrange(4))]
        case: Case = [[["stream", start, {"at": -1, "limit": None, "reset": True}]]]
        for _ in range(rng.randrange(1, 6)):
            case.append([_op(rng, counter) for _ in range(rng.randrange(1, 4))])
        cases.append(case)
    return cases


def dom_id(row_id: Any) -> str:
    return f"rows-{row_id}"


def expected(rows: Rows, step: Step) -> Rows:
    """The rows the stream container holds after `step`, from `rows` before it."""
    reset = False
    deletes: list[str] = []
    inserts: list[tuple[str, str, dict[str, Any]]] = []  # in the order made
    for op in step:
        if op[0] == "delete":
            deletes.append(dom_id(op[1]))
        elif op[0] == "insert":
            row, options = op[1], op[2]
            inserts.append((dom_id(row[0]), row[1], options))
        else:
            options = op[2]
            reset = reset or options["reset"]
            for row in op[1]:
                inserts.append((dom_id(row[0]), row[1], {**options, "update_only": False}))
    first_options: dict[str, dict[str, Any]] = {}
    for key, _, options in inserts:
        first_options.setdefault(key, options)
    last = {key: index for index, (key, _, _) in enumerate(inserts)}
    entries = [(key, text) for index, (key, text, _) in enumerate(inserts) if last[key] == index]
    removed = {key for key, _ in rows} if reset else set()
    rows = [] if reset else list(rows)
    removed.update(key for key, _ in rows if key in deletes)
    rows = [row for row in rows if row[0] not in deletes]
    limited: set[str] = set()  # trimmed by a limit in this step: not added back in it
    for key, text in entries:
        options = first_options[key]
        if key in limited:
            continue
        where = next((i for i, row in enumerate(rows) if row[0] == key), None)
        if where is not None:
            rows[where] = (key, text)
            continue
        if options["update_only"] and key not in removed:
            continue
        at = options["at"]
        if at == -1 or at >= len(rows):
            rows.append((key, text))
        else:
            rows.insert(at, (key, text))
        limit = options["limit"]
        if limit is not None:
            if limit < 0 and len(rows) > -limit:
                cut, rows = rows[: len(rows) + limit], rows[len(rows) + limit :]
            elif limit >= 0 and len(rows) > limit:
                cut, rows = rows[limit:], rows[:limit]
            else:
                cut = []
            limited.update(k for k, _ in cut)
    return rows


def expected_steps(case: Case) -> list[Rows]:
    """The rows after each step of `case`."""
    rows: Rows = []
    out = []
    for step in case:
        rows = expected(rows, step)
        out.append(rows)
    return out


class StreamSteps(LiveView):
    """Applies each step it is sent (`step`, the operations as JSON) in one callback."""

    template = """
    <ul id="rows" phx-update="stream">{% for id, row in streams.rows -%}
      <li id="{{ id }}">{{ row.text }}</li>{% endfor %}</ul>
    <p id="seq">{{ seq }}</p>
    <form id="step" phx-submit="step"><textarea name="ops"></textarea></form>
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(seq=0)
        socket.stream("rows", [])

    async def handle_event(self, event: str, payload: Any, socket: LiveViewSocket) -> None:
        step: Step = orjson.loads(payload["ops"] if isinstance(payload, dict) else payload)
        apply_step(socket, step)
        socket.assign(seq=socket.assigns.seq + 1)


def apply_step(socket: LiveViewSocket, step: Step) -> None:
    for op in step:
        if op[0] == "delete":
            socket.stream_delete_by_dom_id("rows", dom_id(op[1]))
        elif op[0] == "insert":
            (row_id, text), options = op[1], op[2]
            socket.stream_insert("rows", {"id": row_id, "text": text}, **options)
        else:
            rows = [{"id": row_id, "text": text} for row_id, text in op[1]]
            socket.stream("rows", rows, **op[2])
