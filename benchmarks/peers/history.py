"""Benchmark history: one JSON file per device and date under ``benchmarks/results/`` (format in
``benchmarks/results/README.md``, checked with :data:`SCHEMA`), and the ratio of a new run to the
last one on the same device."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import jsonschema

FORMAT = "oscilla-bench-peers"
VERSION = 1

SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["format", "version", "device", "driver", "cpu", "cores", "date", "load", "rows"],
    "properties": {
        "format": {"const": FORMAT},
        "version": {"const": VERSION},
        "device": {"type": "string", "minLength": 1},
        "driver": {"type": "string"},
        "cpu": {"type": "string", "minLength": 1},
        "cores": {"type": "integer", "minimum": 1},
        "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"},
        "load": {
            "type": "object",
            "required": ["start", "end"],
            "properties": {"start": {"type": "string"}, "end": {"type": "string"}},
        },
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["impl", "lanes", "ms_median", "ms_p95"],
                "properties": {
                    "impl": {"type": "string", "minLength": 1},
                    "lanes": {"type": "integer", "minimum": 1},
                    "ms_median": {"type": "number", "exclusiveMinimum": 0},
                    "ms_p95": {"type": "number", "exclusiveMinimum": 0},
                },
            },
        },
    },
}


def slug(text: str, limit: int = 48) -> str:
    """Lower-case letters, digits and single dashes: a file-name part."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-") or "unknown"


def result_path(results_dir: Path, result: dict) -> Path:
    """``<results_dir>/<date>_<device>_<cpu>.json`` (one file per device and day)."""
    return results_dir / f"{result['date'][:10]}_{slug(result['device'])}_{slug(result['cpu'])}.json"


def validate(result: dict) -> None:
    """Raises jsonschema.ValidationError when ``result`` does not follow :data:`SCHEMA`."""
    jsonschema.validate(result, SCHEMA)


def save(results_dir: Path, result: dict) -> Path:
    """Validate ``result`` and write it (2-space JSON) to its :func:`result_path`; returns the path."""
    validate(result)
    path = result_path(results_dir, result)
    results_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


def previous(results_dir: Path, device: str, cpu: str) -> tuple[Path, dict] | None:
    """The latest valid result (by its ``date``) for this device and CPU, or None. Files that do
    not parse or validate are skipped."""
    best: tuple[Path, dict] | None = None
    for path in sorted(results_dir.glob("*.json")):
        try:
            old = json.loads(path.read_text())
            validate(old)
        except (OSError, ValueError, jsonschema.ValidationError):
            continue
        if old["device"] == device and old["cpu"] == cpu and (best is None or old["date"] > best[1]["date"]):
            best = (path, old)
    return best


@dataclass(frozen=True)
class Ratio:
    """One row of the comparison: ``new_ms / old_ms`` (> 1 is slower); None on either side when
    the row exists in one run only."""

    impl: str
    lanes: int
    old_ms: float | None
    new_ms: float | None

    @property
    def ratio(self) -> float | None:
        if self.old_ms is None or self.new_ms is None:
            return None
        return self.new_ms / self.old_ms


def compare(old: dict, new: dict) -> list[Ratio]:
    """Median ms of every (impl, lanes) in either run, new order first, then rows only the old run had."""
    old_rows = {(r["impl"], r["lanes"]): r["ms_median"] for r in old["rows"]}
    new_rows = {(r["impl"], r["lanes"]): r["ms_median"] for r in new["rows"]}
    keys = list(new_rows) + [k for k in old_rows if k not in new_rows]
    return [Ratio(impl, lanes, old_rows.get((impl, lanes)), new_rows.get((impl, lanes))) for impl, lanes in keys]
