"""Shared test set-up: quiet wgpu's XDG warning and give tests the example paths."""

import os
from pathlib import Path

import pytest
from support.paths import EXAMPLES_DIR

os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES_DIR


@pytest.fixture(scope="session")
def device():
    """The shared wgpu device; skips the test when no Vulkan/Metal/D3D12 adapter exists."""
    from oscilla.gpu.device import NoAdapterError, get_device

    try:
        return get_device()
    except NoAdapterError as e:  # pragma: no cover - depends on the machine
        pytest.skip(str(e))
