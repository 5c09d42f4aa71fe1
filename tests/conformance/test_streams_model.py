"""Stream cases through the real app and the test client's model of the DOM (`StreamRows`):
after every step, the rows it shows equal the oracle's (`stream_cases.expected`). The same
cases run in Chromium with the official client in `tests/e2e/test_stream_conformance.py`.

`LIVEVIEW_CONFORMANCE=long` runs `LIVEVIEW_STREAM_CASES` cases (default 5,000), else a CI
sample; `LIVEVIEW_STREAM_SEED` picks the seed (default 17).
"""

from __future__ import annotations

import os
import re

import orjson

from liveview import LiveViewApp
from liveview.testing import LiveViewTestClient
from liveview.testing.view import LiveViewTest
from tests.conformance.settings import LONG
from tests.conformance.stream_cases import Rows, StreamSteps, expected_steps, generate

CASES = int(os.environ.get("LIVEVIEW_STREAM_CASES", "5000")) if LONG else 300
SEED = int(os.environ.get("LIVEVIEW_STREAM_SEED", "17"))
ROW = re.compile(r'<li id="([^"]*)">([^<]*)</li>')


def shown(view: LiveViewTest) -> Rows:
    rows = view.stream_rows.rows.get("0", [])
    out = []
    for _, html in rows:
        match = ROW.fullmatch(html)
        assert match is not None, html
        out.append((match[1], match[2]))
    return out


async def test_the_test_clients_rows_follow_the_oracle_on_every_step() -> None:
    app = LiveViewApp(routes={"/": StreamSteps})
    steps = 0
    async with LiveViewTestClient(app) as client:
        view = await client.live("/")
        for number, case in enumerate(generate(SEED, CASES)):
            for index, (step, rows) in enumerate(zip(case, expected_steps(case), strict=True)):
                await view.submit("step", {"ops": orjson.dumps(step).decode()})
                assert shown(view) == rows, (
                    f"case {number} (seed {SEED}) step {index}: {orjson.dumps(case).decode()}"
                )
                steps += 1
    assert steps >= CASES * 2
    print(f"stream cases: {CASES} cases, {steps} steps (seed {SEED})")
