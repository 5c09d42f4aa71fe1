"""Our join tree + our diffs, merged and rendered by the official client, equal our full render.

Generated templates and assign sequences (see ``strategies``); every step is checked by
``checker.check_case``. ``LIVEVIEW_CONFORMANCE=long`` turns this into the long run (README).
"""

from __future__ import annotations

import pytest
from hypothesis import given

from tests.conformance.checker import Step, check_case
from tests.conformance.client import ClientHarness
from tests.conformance.settings import LONG, conformance
from tests.conformance.strategies import (
    assign_sequences,
    branch_templates,
    loop_templates,
    templates,
)

# The long run takes minutes; the CI sample stays far below the default per-test timeout.
pytestmark = pytest.mark.timeout(0 if LONG else 120)


@conformance(ci_examples=400)
@given(source=templates(), steps=assign_sequences())
def test_generated_templates(client_harness: ClientHarness, source: str, steps: list[Step]) -> None:
    check_case(client_harness, source, steps)


@conformance(ci_examples=250, long_share=0.5)
@given(source=loop_templates(), steps=assign_sequences(max_steps=8))
def test_loops_grow_shrink_reorder(
    client_harness: ClientHarness, source: str, steps: list[Step]
) -> None:
    check_case(client_harness, source, steps)


@conformance(ci_examples=150, long_share=0.3)
@given(source=branch_templates(), steps=assign_sequences(max_steps=8))
def test_branches_switch_between_same_shaped_templates(
    client_harness: ClientHarness, source: str, steps: list[Step]
) -> None:
    check_case(client_harness, source, steps)
