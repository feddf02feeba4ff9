"""Paths of the repository that tests read: the root, the examples folder and its patches."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "examples"
#: examples of a million lanes: too slow for the per-example suites on a 2-core CI machine without a
#: GPU (the reference interpreter alone takes seconds per frame); tests/examples/test_large_examples.py
#: runs them briefly instead
LARGE_EXAMPLES = sorted(EXAMPLES_DIR.glob("*-1m.json"))
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("*.json") if p not in LARGE_EXAMPLES)
