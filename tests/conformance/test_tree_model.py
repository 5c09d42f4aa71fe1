"""The test client's model of the client (``liveview.testing.tree``) against the client itself:
every diff the model rejects, the official client throws on or renders wrong (exactly as
``tests/tree_cases.py`` says), and the steps it accepts render the same HTML in both."""

from __future__ import annotations

import pytest

from tests.conformance.client import ClientError, ClientHarness
from tests.tree_cases import BAD_DIFFS, GOOD_STEPS, THROWS, BadDiff, GoodSteps


@pytest.mark.parametrize("case", BAD_DIFFS, ids=lambda case: case.name)
def test_the_client_breaks_on_each_rejected_diff(
    client_harness: ClientHarness, case: BadDiff
) -> None:
    steps = [case.diff] if case.tree is None else [case.tree, case.diff]
    if case.client is THROWS:
        with pytest.raises(ClientError) as info:
            client_harness.render(steps)
        assert info.value.step == len(steps) - 1
    else:
        assert client_harness.render(steps)[-1] == case.client


@pytest.mark.parametrize("case", GOOD_STEPS, ids=lambda case: case.name)
def test_the_client_renders_each_accepted_step_as_the_model(
    client_harness: ClientHarness, case: GoodSteps
) -> None:
    assert client_harness.render(case.steps) == case.html
