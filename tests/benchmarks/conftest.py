"""The benchmark scripts' folder on sys.path, as when a script of it runs (``benchmarks/`` is not a
package: its helpers import as ``peers`` and ``bench_runtime``)."""

import sys

from support.paths import ROOT

BENCHMARKS_DIR = ROOT / "benchmarks"
if str(BENCHMARKS_DIR) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS_DIR))
