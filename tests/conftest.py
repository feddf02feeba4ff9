"""Shared fixtures: the wgpu device, both runtimes, the examples folder (and wgpu's XDG warning quieted).

Every fixture lives in a ``conftest.py`` (this one for fixtures used across folders, a folder's own
for fixtures local to it); helper modules under ``tests/support`` hold plain functions only.
"""

import os
from pathlib import Path

import pytest
from support.paths import EXAMPLES_DIR
from support.running import gpu_or_skip

import oscilla as osc

os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES_DIR


@pytest.fixture(scope="session")
def device():
    """The shared wgpu device; skips the test when no Vulkan/Metal/D3D12 adapter exists."""
    return gpu_or_skip()


@pytest.fixture(params=["gpu", "ref"])
def runtime_cls(request):
    """Parametrizes a test over the GPU Runtime (skipped without an adapter) and the numpy ReferenceRuntime."""
    if request.param == "gpu":
        gpu_or_skip()
        return osc.Runtime
    return osc.ReferenceRuntime
