"""The GPU resources of one CompiledProgram: stores, scratch, bind groups and pre-bound dispatches.

:func:`build_program` creates everything a program needs on a device without touching any running
program, so a hot swap can build the new program first and fail (E_LIMIT_EXCEEDED, a shader
error) with the old one still running. :func:`encode_dispatches` records one compute pass.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import wgpu

from oscilla.abi.bindings import PHASES, BufferKey, group_entries, layout_entries
from oscilla.diagnostics import CompileError
from oscilla.gpu import device as gpu
from oscilla.gpu.pipelines import PIPELINES, Pins
from oscilla.program import CompiledProgram, DeviceLimits
from oscilla.runtime.stores import RuntimeState, create_runtime_state


def _bind_group_buffers(frame_uniform: Any, stores: RuntimeState, scratch: Any) -> dict[BufferKey, Any]:
    """The runtime buffer behind each :class:`~oscilla.abi.bindings.BufferKey` of the compute
    bindings (oscilla/abi/bindings.py says which binding numbers bind it)."""
    v, s = stores.values.buffers, stores.state.buffers
    return {
        BufferKey.FRAME_UNIFORMS: frame_uniform,
        BufferKey.VALUES_F32: v["f32"],
        BufferKey.VALUES_I32: v["i32"],
        BufferKey.VALUES_U32: v["u32"],
        BufferKey.STATE_F32: s["f32"],
        BufferKey.STATE_I32: s["i32"],
        BufferKey.SCRATCH: scratch,
    }


@dataclass(frozen=True)
class Dispatch:
    """One pre-bound kernel dispatch: its name, pipeline and workgroup grid (x, y)."""

    kernel: str
    pipeline: Any
    grid: tuple[int, int]


@dataclass
class ProgramResources:
    """Everything one program owns on the GPU.

    Attributes:
        program: the program these resources run.
        stores: its ValueStore and StateBuffer (state initialized).
        scratch: the reduction-partials buffer (``program.scratch_size`` f32 elements).
        bind_groups: phase -> the bind group every kernel of that phase uses.
        passes: phase -> per-frame dispatches, in order.
        once: dispatches run once at creation (frame-invariant fields).
        pins: the pipeline-cache entries these dispatches use, pinned (never evicted) until
            :meth:`release` or until this record is garbage-collected.
    """

    program: CompiledProgram
    stores: RuntimeState
    scratch: Any
    bind_groups: dict[int, Any]
    passes: dict[int, list[Dispatch]] = field(default_factory=dict)
    once: list[Dispatch] = field(default_factory=list)
    pins: Pins | None = None
    released: bool = False

    def __post_init__(self) -> None:
        if self.pins is not None:  # a runtime dropped without a swap unpins when collected
            weakref.finalize(self, self.pins.release)

    @property
    def nbytes(self) -> int:
        """Bytes of GPU memory in this program's buffers: the ValueStore and StateBuffer classes and
        the reduction scratch (each as allocated: rounded up to 16 bytes, at least 16). The frame
        uniform, pipelines and render targets are not counted."""
        buffers = [*self.stores.values.buffers.values(), *self.stores.state.buffers.values(), self.scratch]
        return sum(int(b.size) for b in buffers)

    def release(self) -> None:
        """Free the GPU buffers now (a replaced program's memory is not left to the collector)
        and unpin its pipelines (they stay cached, evictable). Idempotent; the resources must
        not be used afterwards."""
        if self.released:
            return
        self.released = True
        for buf in [*self.stores.values.buffers.values(), *self.stores.state.buffers.values(), self.scratch]:
            buf.destroy()
        if self.pins is not None:
            self.pins.release()


def build_program(device: Any, program: CompiledProgram, frame_uniform: Any) -> ProgramResources:
    """Build every program-dependent GPU object: stores with initialized state, scratch, bind
    groups, pipelines (from the pipeline cache) and dispatches.

    Raises:
        CompileError: E_LIMIT_EXCEEDED, before anything is allocated, when a storage class is
            larger than the device binds.
    """
    problems = program.limit_diagnostics(DeviceLimits.from_device(device))
    if problems:
        raise CompileError(problems)
    pins = PIPELINES.pins(device)
    stores = create_runtime_state(program, device)
    scratch = gpu.create_storage_buffer(device, 4 * program.scratch_size, "oscilla.scratch")
    r = ProgramResources(program, stores, scratch, {}, passes={ph: [] for ph in PHASES}, pins=pins)
    try:
        ranges = program.value_ranges
        entries = group_entries(_bind_group_buffers(frame_uniform, stores, scratch), ranges, program.value_range)
        layouts = {ph: layout_entries(ph, wgpu.ShaderStage.COMPUTE, ranges) for ph in PHASES}
        for ph in PHASES:
            layout = PIPELINES.bind_group_layout(device, layouts[ph], pins=pins)
            r.bind_groups[ph] = device.create_bind_group(layout=layout, entries=entries)
        for k in program.kernels:
            code = program.wgsl[k.name]
            pipeline = PIPELINES.compute_pipeline(device, code, [layouts[k.phase]], label=k.name, pins=pins)
            dispatch = Dispatch(k.name, pipeline, k.grid)
            (r.once if k.once else r.passes[k.phase]).append(dispatch)
    except BaseException:
        r.release()  # a shader error: free what was built, the caller's program keeps running
        raise
    return r


def encode_state_copies(encoder: Any, r: ProgramResources) -> None:
    """Record the buffer copies of phase 2 (``program.state_copies``: next-state slots of large
    plain cells into the StateBuffer) into ``encoder``, after the commit kernel's pass."""
    values, state = r.stores.values.buffers, r.stores.state.buffers
    for c in r.program.state_copies:
        encoder.copy_buffer_to_buffer(values[c.storage], 4 * c.src, state[c.storage], 4 * c.dst, 4 * c.count)


def encode_dispatches(encoder: Any, dispatches: list[Dispatch], bind_group: Any) -> None:
    """Record one compute pass running ``dispatches`` in order with ``bind_group``; nothing when
    the list is empty."""
    if not dispatches:
        return
    cp = encoder.begin_compute_pass()
    cp.set_bind_group(0, bind_group)
    for d in dispatches:
        cp.set_pipeline(d.pipeline)
        cp.dispatch_workgroups(d.grid[0], d.grid[1], 1)
    cp.end()
