"""Shared test set-up: quiet wgpu's XDG warning and give tests the example paths."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return ROOT / "examples"


@pytest.fixture(scope="session")
def device():
    """The shared wgpu device; skips the test when no Vulkan/Metal/D3D12 adapter exists."""
    from oscilla.gpu.device import NoAdapterError, get_device

    try:
        return get_device()
    except NoAdapterError as e:  # pragma: no cover - depends on the machine
        pytest.skip(str(e))
