"""``oscilla bench --compare baseline.json``: this run against an earlier one, row by row.

Rows are matched by (runtime, lanes). The compared figure is the end-to-end median ms/frame; the
ratio is new / baseline, so above 1 is slower. A row regresses when its ratio exceeds
``1 + threshold`` (``threshold`` 0.10 by default: 10 % slower). Rows present on one side only are
listed and never regress. The baseline's device is compared too: a run on another adapter is
flagged, as its ratios say little.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from oscilla.benchmark.lanes import BenchInputError
from oscilla.benchmark.result import BenchResult, validate

#: the default ``--threshold``: 10 % slower is a regression
DEFAULT_THRESHOLD = 0.10


@dataclass(frozen=True)
class Comparison:
    """One matched (or unmatched) row.

    Attributes:
        runtime, lanes: the row's key.
        baseline_ms, new_ms: median ms/frame (None where the row is missing on that side).
        ratio: ``new_ms / baseline_ms`` (None when either is missing or the baseline is 0).
        regressed: ``ratio > 1 + threshold``.
    """

    runtime: str
    lanes: int | None
    baseline_ms: float | None
    new_ms: float | None
    ratio: float | None
    regressed: bool


def load_baseline(path: str | Path) -> dict[str, Any]:
    """A result file written by ``oscilla bench --json``, checked against the schema.

    Raises:
        OSError: the file cannot be read.
        BenchInputError: it is not JSON, or not an oscilla bench result of this schema version
            (the message gives the first problem and where).
    """
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise BenchInputError(f"{path} is not JSON ({e}); give a file written by oscilla bench --json") from None
    import jsonschema

    try:
        validate(data)
    except jsonschema.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path) or "the top level"
        raise BenchInputError(
            f"{path} is not an oscilla bench result of schema version 1: at {where}: {e.message}"
        ) from None
    return data


def compare(result: BenchResult, baseline: dict[str, Any], threshold: float = DEFAULT_THRESHOLD) -> list[Comparison]:
    """Compare ``result`` with a loaded ``baseline`` (:func:`load_baseline`) row by row; rows of
    ``result`` first, in order, then those only in the baseline.

    Raises:
        BenchInputError: ``threshold`` is negative or not finite.
    """
    if not (isinstance(threshold, (int, float)) and 0 <= threshold < float("inf")):
        raise BenchInputError(f"the threshold must be a finite fraction of at least 0 (0.1 is 10 %), got {threshold!r}")
    base = {(r["runtime"], r["lanes"]): float(r["frame_ms_median"]) for r in baseline["rows"]}
    out = []
    seen = set()
    for r in result.rows:
        key = (r.runtime, r.lanes)
        seen.add(key)
        b = base.get(key)
        ratio = r.frame_ms_median / b if b else None
        out.append(
            Comparison(r.runtime, r.lanes, b, r.frame_ms_median, ratio, ratio is not None and ratio > 1 + threshold)
        )
    for (runtime, lanes), b in base.items():
        if (runtime, lanes) not in seen:
            out.append(Comparison(runtime, lanes, b, None, None, False))
    return out


def same_device(result: BenchResult, baseline: dict[str, Any]) -> bool:
    """Whether the baseline ran on the same adapter and driver as ``result``."""
    b = baseline["device"]
    return (b["adapter"], b["driver"]) == (result.device["adapter"], result.device["driver"])


def comparison_table(rows: list[Comparison], threshold: float) -> Table:
    """A rich table of the comparisons: lanes, runtime, baseline and new ms/frame, ratio, verdict."""
    table = Table(title=f"against the baseline (regression: ratio > {1 + threshold:.2f})", title_justify="left")
    table.add_column("lanes")
    table.add_column("runtime")
    for name in ("baseline ms/frame", "ms/frame", "ratio"):
        table.add_column(name, justify="right")
    table.add_column("")
    for c in rows:
        if c.ratio is None:
            verdict = "only in the baseline" if c.new_ms is None else "not in the baseline"
        else:
            verdict = "[bold red]REGRESSED[/]" if c.regressed else "ok"
        table.add_row(
            "as written" if c.lanes is None else f"{c.lanes:,}",
            c.runtime,
            "-" if c.baseline_ms is None else f"{c.baseline_ms:.3f}",
            "-" if c.new_ms is None else f"{c.new_ms:.3f}",
            "-" if c.ratio is None else f"{c.ratio:.2f}x",
            verdict,
        )
    return table
