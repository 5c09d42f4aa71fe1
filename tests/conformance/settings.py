"""Hypothesis settings of the conformance tests, chosen by ``LIVEVIEW_CONFORMANCE``.

* ``ci`` (the default): a derandomized sample -- the same examples on every run, no example
  database -- sized to finish in well under a minute.
* ``long``: the long run; ``LIVEVIEW_CONFORMANCE_EXAMPLES`` overrides the number of examples of
  the main property (default 10,000; the others run a proportional share). Not derandomized:
  ``--hypothesis-seed=N`` picks the seed. ``test_conformance.py`` lifts the per-test timeout.

Applied per test as a decorator, never loaded as a global profile: other test folders keep
their own Hypothesis settings.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("LIVEVIEW_CONFORMANCE", "ci")
if PROFILE not in ("ci", "long"):
    raise RuntimeError(f"LIVEVIEW_CONFORMANCE must be 'ci' or 'long', not {PROFILE!r}")
LONG = PROFILE == "long"
LONG_EXAMPLES = int(os.environ.get("LIVEVIEW_CONFORMANCE_EXAMPLES", "10000"))

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]


def conformance(ci_examples: int, long_share: float = 1.0) -> settings:
    """Settings for one property: ``ci_examples`` in CI, ``long_share`` of the long run."""
    if LONG:
        return settings(
            max_examples=max(1, round(LONG_EXAMPLES * long_share)),
            deadline=None,
            suppress_health_check=_HEALTH,
            print_blob=True,
        )
    return settings(
        max_examples=ci_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=_HEALTH,
        print_blob=True,
    )
