"""``oscilla bench`` and ``osc.bench``: benchmark a patch at several lane counts (docs/guide/bench.md).

(The package is ``oscilla.benchmark``, not ``oscilla.bench``, so that importing it never replaces the
function ``oscilla.bench`` with a module.)

:func:`bench` measures (:mod:`oscilla.benchmark.measure`), :mod:`oscilla.benchmark.lanes` overrides the
lane counts of a patch, :mod:`oscilla.benchmark.report` prints and writes the results (table, JSON,
CSV, plot), :mod:`oscilla.benchmark.compare` compares a run with a baseline file.
"""

from oscilla.benchmark.lanes import BenchInputError
from oscilla.benchmark.measure import bench
from oscilla.benchmark.result import BenchResult, BenchRow

__all__ = ["bench", "BenchResult", "BenchRow", "BenchInputError"]
