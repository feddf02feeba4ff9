"""Small helpers for building patches and running them on both runtimes in tests."""

from __future__ import annotations

import numpy as np
import pytest

import oscilla as osc


def blk(block_id: str, block_type: str, **params) -> dict:
    """A patch block dict; ``params`` become its params (omitted when empty)."""
    d = {"id": block_id, "type": block_type}
    if params:
        d["params"] = params
    return d


def edge(src: str, dst: str, **extra) -> dict:
    return {"from": src, "to": dst, **extra}


def make_patch(blocks, edges=(), *, root: bool = True, **root_params) -> dict:
    """A patch dict with an InfiniteTimeRoot ``time`` first (unless root=False)."""
    bl = [blk("time", "InfiniteTimeRoot", **root_params)] if root else []
    return {"oscilla": 1, "blocks": bl + list(blocks), "edges": list(edges)}


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
    gpu_or_skip()
    return run_frames(osc.Runtime, patch, observe, times)
