"""Running compiled patches in tests: the GPU device or a skip, and one frame per time on a runtime."""

from __future__ import annotations

import numpy as np
import pytest

import oscilla as osc


def gpu_or_skip():
    """The process-wide wgpu device, or skip the test when there is no adapter."""
    from oscilla.gpu.device import NoAdapterError, get_device

    try:
        return get_device()
    except NoAdapterError as e:  # pragma: no cover - depends on the machine
        pytest.skip(f"no wgpu adapter: {e}")


def run_frames(cls, patch, observe, times) -> list[dict[str, np.ndarray]]:
    """Compile ``patch`` observing ``observe``, run one frame per entry of ``times`` and return,
    per frame, {port: value read after that frame}."""
    return frames_of(cls(osc.compile(patch, observe=list(observe))), observe, times)


def frames_of(rt, observe, times) -> list[dict[str, np.ndarray]]:
    """Step ``rt`` once per entry of ``times``; per frame, {port: value read after that frame}."""
    out = []
    for t in times:
        rt.step(t)
        out.append({name: np.array(rt.read(name)) for name in observe})
    return out


def gpu_run(patch, observe, times=(0.0,)):
    """:func:`run_frames` on the GPU Runtime (skipped without an adapter)."""
    gpu_or_skip()
    return run_frames(osc.Runtime, patch, observe, times)
