"""Errors of the GPU layer, importable without wgpu (the CLI maps them to exit codes)."""

from __future__ import annotations


class NoAdapterError(RuntimeError):
    """No Vulkan, Metal or D3D12 adapter is available (only OpenGL or nothing)."""


class RenderSizeError(ValueError):
    """A render target size the device cannot create (0, negative, or beyond its texture limit)."""
