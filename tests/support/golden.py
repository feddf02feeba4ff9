"""Golden files: WGSL snapshots and reference images, regenerated with OSCILLA_UPDATE_GOLDEN=1."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import numpy as np
from PIL import Image

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
FAILURES = Path(__file__).resolve().parents[1] / "_failures"
UPDATE = bool(os.environ.get("OSCILLA_UPDATE_GOLDEN"))


def check_text(path: Path, actual: str) -> None:
    """Compare ``actual`` with the golden text; on a difference fail with a unified diff."""
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not UPDATE:
            raise AssertionError(f"golden file {path} did not exist and was written; commit it")
        return
    expected = path.read_text(encoding="utf-8")
    if expected != actual:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True),
                actual.splitlines(True),
                f"golden/{path.relative_to(GOLDEN)}",
                "generated",
                n=2,
            )
        )
        raise AssertionError(f"generated WGSL differs from {path.name} (OSCILLA_UPDATE_GOLDEN=1 accepts it):\n{diff}")


def check_image(
    path: Path, actual: np.ndarray, max_diff: int = 24, max_fraction: float = 0.002, max_mean: float = 0.5
) -> None:
    """Compare an RGBA image with the golden PNG within a tolerance.

    Passes when at most ``max_fraction`` of the pixels differ by more than ``max_diff`` (out of 255)
    in any channel and the mean absolute difference is at most ``max_mean``. On failure writes
    tests/_failures/<name>-actual.png and <name>-diff.png (differences amplified x4).
    """
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(actual, mode="RGBA").save(path)
        if not UPDATE:
            raise AssertionError(f"golden image {path} did not exist and was written; commit it")
        return
    expected = np.asarray(Image.open(path).convert("RGBA"))
    assert expected.shape == actual.shape, f"{path.name}: size {actual.shape} != golden {expected.shape}"
    diff = np.abs(expected.astype(np.int16) - actual.astype(np.int16))
    bad = (diff.max(axis=-1) > max_diff).mean()
    mean = diff.mean()
    if bad > max_fraction or mean > max_mean:
        FAILURES.mkdir(exist_ok=True)
        stem = path.stem
        Image.fromarray(actual, mode="RGBA").save(FAILURES / f"{stem}-actual.png")
        vis = np.clip(diff[..., :3] * 4, 0, 255).astype(np.uint8)
        Image.fromarray(vis, mode="RGB").save(FAILURES / f"{stem}-diff.png")
        raise AssertionError(
            f"{path.name}: {bad:.4%} of pixels differ by more than {max_diff} (allowed "
            f"{max_fraction:.2%}), mean difference {mean:.3f} (allowed {max_mean}); wrote "
            f"{FAILURES / (stem + '-actual.png')} and {FAILURES / (stem + '-diff.png')}"
        )
