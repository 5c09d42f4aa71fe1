"""Stream cases in Chromium with the official client: after every step, the rows of the
`phx-update="stream"` container in the live DOM equal the oracle's
(`tests/conformance/stream_cases.py`, also run against the test client's model in
`tests/conformance/test_streams_model.py`).

The page applies each step in one callback (a form submitted from the page's script, which
waits for the diff to be patched); one `page.evaluate` runs a batch of cases. Each case starts
with a `stream(..., reset=True)`, so one page runs them all.

`LIVEVIEW_CONFORMANCE=long` runs `LIVEVIEW_STREAM_CASES` cases (default 5,000), else a CI
sample; `LIVEVIEW_STREAM_SEED` picks the seed (default 17).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import orjson
import pytest
from playwright.sync_api import Page, expect

from tests.conformance.stream_cases import expected_steps, generate

LONG = os.environ.get("LIVEVIEW_CONFORMANCE", "ci") == "long"
CASES = int(os.environ.get("LIVEVIEW_STREAM_CASES", "5000")) if LONG else 200
SEED = int(os.environ.get("LIVEVIEW_STREAM_SEED", "17"))
BATCH = 50

RUN_CASES = """
async (cases) => {
  const form = document.getElementById("step");
  const seq = document.getElementById("seq");
  const container = document.getElementById("rows");
  const settled = (n) => new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (seq.textContent === String(n) && !form.classList.contains("phx-submit-loading")) {
        resolve();
      } else if (Date.now() - started > 30000) {
        reject(new Error(`step ${n} not applied within 30 s`));
      } else {
        requestAnimationFrame(check);
      }
    };
    check();
  });
  const out = [];
  for (const steps of cases) {
    const shown = [];
    for (const ops of steps) {
      const next = Number(seq.textContent) + 1;
      form.querySelector("textarea").value = ops;
      form.requestSubmit();
      await settled(next);
      shown.push([...container.children].map((el) => [el.id, el.textContent]));
    }
    out.push(shown);
  }
  return out;
}
"""


@pytest.mark.timeout(3600 if LONG else 600)
def test_the_official_clients_stream_dom_follows_the_oracle(
    live_server: Callable[..., str], page: Page
) -> None:
    page.goto(live_server("tests.e2e.apps.streams:app"))
    expect(page.locator("[data-phx-main]")).to_contain_class("phx-connected")
    cases = generate(SEED, CASES)
    steps = 0
    for start in range(0, len(cases), BATCH):
        batch = cases[start : start + BATCH]
        sent = [[orjson.dumps(step).decode() for step in case] for case in batch]
        shown = page.evaluate(RUN_CASES, sent)
        for offset, (case, rows) in enumerate(zip(batch, shown, strict=True)):
            want = [[list(row) for row in step] for step in expected_steps(case)]
            assert rows == want, (
                f"case {start + offset} (seed {SEED}): {orjson.dumps(case).decode()}"
            )
            steps += len(case)
    print(f"stream cases in Chromium: {len(cases)} cases, {steps} steps (seed {SEED})")
