"""The one place that knows wgpu-py 0.32's quirks: adapter choice, device creation, readback.

Upgrading wgpu-py should be a change to this module only. Known 0.32.0 facts handled here:
- ``queue.on_submitted_work_done_sync()`` raises TypeError; :func:`wait_idle` uses a 4-byte
  ``read_buffer`` as a fence instead.
- On a machine without a GPU, wgpu offers an OpenGL llvmpipe adapter; it is not good enough
  (compute and storage limits), so :func:`get_device` insists on Vulkan, Metal or D3D12 and tells
  the user to install Mesa's lavapipe (``mesa-vulkan-drivers``) otherwise.
- A 0-byte storage buffer cannot be bound; :func:`create_storage_buffer` allocates at least
  ``MIN_BUFFER_BYTES``. ``queue.write_buffer`` rejects empty data and ``queue.read_buffer`` treats
  ``size=0`` as "to the end of the buffer"; :func:`write_bytes` / :func:`read_bytes` make both
  zero-length operations no-ops.
- Start-up: cffi parses each distinct C type name wgpu-py uses with pycparser, re-declaring the
  header's 432 typedefs every time (15-50 ms per name, ~66 names before the first pixel);
  :func:`prepare_wgpu` gives wgpu-py's ffi a fast path for plain names (:mod:`oscilla.gpu.cffi_types`)
  and creates the wgpu instance with only the modern backends, so OpenGL is never probed.
"""

from __future__ import annotations

import os
import threading

import wgpu

from oscilla.gpu import cffi_types
from oscilla.gpu.errors import NoAdapterError

__all__ = ["NoAdapterError"]  # re-exported: callers catch it as gpu.NoAdapterError

GOOD_BACKENDS = ("Vulkan", "Metal", "D3D12")
#: the same backends as wgpu-native's instance flags (``InstanceBackend.*``)
_INSTANCE_BACKENDS = ("Vulkan", "Metal", "DX12")
_TYPE_RANK = {"DiscreteGPU": 0, "IntegratedGPU": 1, "VirtualGPU": 2, "CPU": 3}

_lock = threading.Lock()
_device: wgpu.GPUDevice | None = None
_adapter_summary: str | None = None
_prepared = False
_prepare_lock = threading.Lock()


#: lavapipe (gallivm) ends any shader loop after this many iterations per invocation, and a nested
#: loop's count is not reset when the loop is re-entered; generated loops stay below it
#: (codegen unrolls the reduction fold). Measured: a 100000-iteration loop stops at 65535.
MAX_LOOP_ITERATIONS = 65535

#: what ``context.get_current_texture()`` raises when a window cannot be drawn right now (e.g. it
#: is minimized); the frame is skipped. ``wgpu.DrawCancelled`` in 0.32; a plain Exception otherwise.
DRAW_CANCELLED: type[BaseException] = getattr(wgpu, "DrawCancelled", Exception)


def _adapter_info(adapter) -> dict:
    info = adapter.info
    return {"backend": info.get("backend_type", ""), "type": info.get("adapter_type", ""), "summary": adapter.summary}


def speed_up_ctypes() -> bool:
    """Give wgpu-py's ffi the fast path for plain C type names (:func:`oscilla.gpu.cffi_types.install`).
    Returns whether it is in place (False: this cffi or wgpu-py lacks what it needs)."""
    from wgpu.backends.wgpu_native import ffi

    return cffi_types.install(ffi)


def restrict_backends() -> bool:
    """Create wgpu's (process-wide) instance with only the Vulkan, Metal and D3D12 backends, so
    enumerating adapters does not probe OpenGL (which oscilla never uses). Returns False, changing
    nothing, when the instance already exists (someone called wgpu first) or wgpu-py has no
    ``set_instance_extras``."""
    try:
        from wgpu.backends.wgpu_native.extras import set_instance_extras

        set_instance_extras(backends=list(_INSTANCE_BACKENDS))
    except (ImportError, RuntimeError, KeyError):
        return False
    return True


def prepare_wgpu() -> None:
    """Once per process, before oscilla's first wgpu call: :func:`speed_up_ctypes` and
    :func:`restrict_backends` (both cut start-up time; docs/performance.md#start-up)."""
    global _prepared
    with _prepare_lock:
        if _prepared:
            return
        os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
        speed_up_ctypes()
        restrict_backends()
        _prepared = True


def _modern_adapters() -> list:
    """Every adapter on a modern backend (Vulkan, Metal, D3D12), unfiltered and unsorted."""
    prepare_wgpu()
    return [a for a in wgpu.gpu.enumerate_adapters_sync() if _adapter_info(a)["backend"] in GOOD_BACKENDS]


def _filtered(adapters: list) -> list:
    """``adapters`` whose name contains ``OSCILLA_ADAPTER`` (case-insensitive; all when it is unset),
    best first (discrete GPU, integrated, ..., CPU)."""
    want = os.environ.get("OSCILLA_ADAPTER")
    if want:
        adapters = [a for a in adapters if want.lower() in a.summary.lower()]
    return sorted(adapters, key=lambda a: _TYPE_RANK.get(_adapter_info(a)["type"], 9))


def good_adapters() -> list:
    """Adapters on a modern backend, best first (discrete GPU, integrated, ..., CPU), only those
    whose name contains ``OSCILLA_ADAPTER`` when that variable is set."""
    return _filtered(_modern_adapters())


def describe_adapters() -> str:
    """One line per adapter wgpu can see (for diagnostics and the setup script). Once oscilla
    created wgpu's instance (:func:`restrict_backends`), only the modern backends are probed."""
    prepare_wgpu()
    lines = []
    for a in wgpu.gpu.enumerate_adapters_sync():
        i = _adapter_info(a)
        lines.append(f"{i['summary']} [backend {i['backend']}, {i['type']}]")
    return "\n".join(lines) or "(no adapters)"


def get_device() -> wgpu.GPUDevice:
    """The process-wide GPU device (created on first use, on the best modern adapter).

    Raises:
        NoAdapterError: when only OpenGL (or no) adapters exist, with the fix in the message; or
            when ``OSCILLA_ADAPTER`` matches none of the modern adapters (the message names the
            variable and lists the adapters seen).
    """
    global _device, _adapter_summary
    with _lock:
        if _device is not None:
            return _device
        modern = _modern_adapters()
        adapters = _filtered(modern)
        want = os.environ.get("OSCILLA_ADAPTER")
        if not adapters and modern and want:
            seen = "; ".join(sorted({a.summary for a in modern}))
            raise NoAdapterError(
                f"OSCILLA_ADAPTER={want!r} matches none of the adapters wgpu sees ({seen}); set it to "
                f"part of one of these names, or unset it to use the best one"
            )
        if not adapters:
            raise NoAdapterError(
                "no Vulkan, Metal or D3D12 adapter found (wgpu sees: "
                + describe_adapters().replace("\n", "; ")
                + "). On Debian/Ubuntu install Mesa's software Vulkan driver: "
                "apt-get install mesa-vulkan-drivers (make demo / make test do this)."
            )
        adapter = adapters[0]
        features = [f for f in ("timestamp-query",) if f in adapter.features]
        _device = adapter.request_device_sync(required_features=features)
        _adapter_summary = adapter.summary
        return _device


def adapter_summary() -> str:
    """Human name of the adapter the device runs on (e.g. 'llvmpipe ... via Vulkan')."""
    get_device()
    return _adapter_summary or "?"


def device_limit(name: str) -> int:
    """A device limit such as ``"max-storage-buffer-binding-size"``."""
    return int(get_device().limits[name])


def read_buffer(buffer, offset: int = 0, size: int | None = None) -> memoryview:
    """Blocking readback of ``size`` bytes at ``offset`` (bytes) of a COPY_SRC buffer."""
    return get_device().queue.read_buffer(buffer, offset, size)


MIN_BUFFER_BYTES = 16


def create_storage_buffer(device, nbytes: int, label: str = ""):
    """A STORAGE | COPY_SRC | COPY_DST buffer of ``max(nbytes, MIN_BUFFER_BYTES)`` bytes, rounded up
    to a multiple of 16 so the buffer can also be bound as ``array<vec4<f32>>``.

    Raises:
        ValueError: when ``nbytes`` exceeds the device's ``max-buffer-size`` (message names the label).
    """
    limit = int(device.limits["max-buffer-size"])
    if nbytes > limit:
        raise ValueError(f"buffer {label or '(unnamed)'} needs {nbytes} bytes; the device allows {limit}")
    usage = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC | wgpu.BufferUsage.COPY_DST
    size = max(-(-int(nbytes) // 16) * 16, MIN_BUFFER_BYTES)
    return device.create_buffer(label=label, size=size, usage=usage)


def write_bytes(device, buffer, offset: int, data) -> None:
    """``queue.write_buffer`` at ``offset`` bytes; writing nothing (0 bytes) is a no-op."""
    if memoryview(data).nbytes:
        device.queue.write_buffer(buffer, offset, data)


def read_bytes(device, buffer, offset: int, size: int) -> memoryview:
    """Blocking readback of exactly ``size`` bytes at ``offset``; ``size == 0`` gives b""."""
    if size <= 0:
        return memoryview(b"")
    return device.queue.read_buffer(buffer, offset, size)


def wait_idle(fence_buffer) -> None:
    """Block until all submitted work finished (a 4-byte readback acts as the fence)."""
    get_device().queue.read_buffer(fence_buffer, 0, 4)
