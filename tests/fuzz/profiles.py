"""Hypothesis settings of the fuzz tests, chosen by ``HYPOTHESIS_PROFILE``.

* ``ci`` (the default, what ``make test`` runs): few examples, derandomized, so every run tries
  the same inputs and the suite stays a few seconds long and stable; no example database.
* ``fuzz`` (``make fuzz``): many more examples, random each run; failures are kept in
  ``.pytest_cache/hypothesis`` (ignored by git) and tried first on the next run.

A test scales the profile's example count with :func:`examples` (its share of the budget).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from support.paths import ROOT

_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much, HealthCheck.large_base_example]

settings.register_profile(
    "ci", max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=_SLOW
)
settings.register_profile(
    "fuzz",
    max_examples=2000,
    deadline=None,
    derandomize=False,
    database=DirectoryBasedExampleDatabase(str(ROOT / ".pytest_cache" / "hypothesis")),
    suppress_health_check=_SLOW,
)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
BASE = settings.get_profile(PROFILE if PROFILE in ("ci", "fuzz") else "ci")


def examples(share: float) -> settings:
    """The profile's settings with ``share`` × its ``max_examples`` examples (at least 1)."""
    return settings(BASE, max_examples=max(1, int(BASE.max_examples * share)))
