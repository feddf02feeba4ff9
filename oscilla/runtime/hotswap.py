"""Hot swap on the GPU: build the new program, migrate state, capture continuity offsets.

``Runtime.swap`` calls :func:`prepare_swap`, which does everything that can fail before the
running program is touched:

1. sinks whose lane count changes get continuity (:mod:`oscilla.runtime.continuity`);
2. the new program's resources are built (E_LIMIT_EXCEEDED or a shader error raises here and the
   old program keeps running with its state);
3. state cells are copied by id on the GPU (:mod:`oscilla.runtime.migrate` plans the copies);
4. for sinks with continuity, the new program's Phase 1 is evaluated once at the last frame's
   time (no Phase 2: the migrated state stays untouched) and
   ``oscilla/shaders/continuity_capture.wgsl`` records old - new offsets per lane.

After the swap, :class:`ContinuityPass` eases those offsets out every frame
(``oscilla/shaders/continuity.wgsl``) until they decay.

Memory: a failed preparation frees what it built; ``Runtime.swap`` releases the replaced program's
resources (:meth:`ProgramResources.release`) and the replaced :class:`ContinuityPass`
(:meth:`ContinuityPass.release`), so nothing of an old program outlives the swap.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import wgpu

from oscilla.abi.dispatch import dispatch_grid
from oscilla.abi.uniforms import CONTINUITY, CONTINUITY_CAPTURE
from oscilla.gpu import device as gpu
from oscilla.gpu.pipelines import PIPELINES, Pins
from oscilla.program import CompiledProgram, SinkSpec, SlotMeta
from oscilla.runtime.continuity import SinkContinuity, affected_sinks, decays, extend_program
from oscilla.runtime.gpu_program import ProgramResources, build_program, encode_dispatches
from oscilla.runtime.migrate import Copy, SwapReport, lane_mapping, plan_migration
from oscilla.shaders import shader_source


def _render_refs(slot_meta: Sequence[SlotMeta], sink: SinkSpec) -> dict[str, int]:
    """ValueStore f32 offset and lane stride (0 for a signal) of a sink's pos, size and colour,
    with the number of pos components: keys pos, pos_ls, pos_n, size, size_ls, color, color_ls."""
    refs = {"pos_n": slot_meta[sink.pos].stride}
    for name, slot in (("pos", sink.pos), ("size", sink.size), ("color", sink.color)):
        m = slot_meta[slot]
        refs[name], refs[f"{name}_ls"] = m.offset, (m.stride if m.instance is not None else 0)
    return refs


def _static_pipeline(device: Any, name: str, pins: Pins | None = None) -> Any:
    """The compute pipeline (entry point ``main``, auto layout) of a static shader."""
    return PIPELINES.compute_pipeline(device, shader_source(name), label=name, pins=pins)


@dataclass
class PreparedSwap:
    """The outcome of :func:`prepare_swap`: the new program's resources (state migrated), the
    sinks that ease into it, and the report (timings filled by ``Runtime.swap``)."""

    resources: ProgramResources
    continuity: list[SinkContinuity]
    report: SwapReport
    build_ms: float
    migration_ms: float


def copy_state(device: Any, old: ProgramResources, new: ProgramResources, copies: Sequence[Copy]) -> None:
    """Copy migrated state cells from the old StateBuffer into the new one and wait for the GPU
    (so the reported migration time is the copies' real cost)."""
    if not copies:
        return
    old_state, new_state = old.stores.state.buffers, new.stores.state.buffers
    enc = device.create_command_encoder()
    for c in copies:
        enc.copy_buffer_to_buffer(old_state[c.storage], 4 * c.src, new_state[c.storage], 4 * c.dst, 4 * c.count)
    device.queue.submit([enc.finish()])
    gpu.wait_idle(new_state["f32"])


def capture_offsets(device: Any, old: ProgramResources, new: ProgramResources, conts: Sequence[SinkContinuity]) -> None:
    """Per-lane old - new offsets of every sink in ``conts``, computed on the GPU into each
    ``c.gpu_offsets`` (32 bytes per lane). The frame uniform must hold the last frame's time."""
    old_prog, new_prog = old.program, new.program
    old_sinks = {s.block: s for s in old_prog.sinks}
    enc = device.create_command_encoder()
    encode_dispatches(enc, new.once, new.bind_groups[1])
    encode_dispatches(enc, new.passes[1], new.bind_groups[1])
    capture = _static_pipeline(device, "continuity_capture.wgsl")
    uniforms = []
    cp = enc.begin_compute_pass()
    cp.set_pipeline(capture)
    for c in conts:
        c.gpu_offsets = gpu.create_storage_buffer(device, 32 * c.lanes, "oscilla.continuity")
        # an instance the old program did not have: no lane maps, every lane is newborn
        shift, lo, hi = lane_mapping(old_prog, new_prog, c.src.instance) or (0, 0, 0)
        old_refs = _render_refs(old_prog.slot_meta, old_sinks[c.block])
        new_refs = _render_refs(new_prog.slot_meta, c.src)
        data = CONTINUITY_CAPTURE.pack(
            lanes=c.lanes,
            lo=lo,
            hi=max(lo, hi),
            shift=shift,
            **{f"o_{k}": v for k, v in old_refs.items()},
            **{f"n_{k}": v for k, v in new_refs.items()},
        )
        uni = device.create_buffer(
            size=CONTINUITY_CAPTURE.size, usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST
        )
        device.queue.write_buffer(uni, 0, data)
        uniforms.append(uni)
        bind = device.create_bind_group(
            layout=capture.get_bind_group_layout(0),
            entries=[
                {"binding": 0, "resource": {"buffer": uni}},
                {"binding": 1, "resource": {"buffer": old.stores.values.buffers["f32"]}},
                {"binding": 2, "resource": {"buffer": new.stores.values.buffers["f32"]}},
                {"binding": 3, "resource": {"buffer": c.gpu_offsets}},
            ],
        )
        cp.set_bind_group(0, bind)
        x, y = dispatch_grid(c.lanes)
        cp.dispatch_workgroups(x, y, 1)
    cp.end()
    device.queue.submit([enc.finish()])
    for uni in uniforms:  # freed once the submitted work is done (wgpu defers it)
        uni.destroy()


def prepare_swap(
    device: Any,
    current: ProgramResources,
    new_program: CompiledProgram,
    frame_uniform: Any,
    last_frame_uniform: bytes | bytearray | None,
) -> PreparedSwap:
    """Build ``new_program`` beside ``current`` and carry state and continuity over.

    Args:
        device: the runtime's device.
        current: the running program's resources (read, never modified).
        new_program: the program to swap in.
        frame_uniform: the runtime's frame uniform buffer (bound by both programs).
        last_frame_uniform: the packed frame uniform of the last frame, or None before the first
            frame (then nothing eases in).

    Raises:
        CompileError: E_LIMIT_EXCEEDED for the new program; nothing has changed then.
    """
    t0 = time.perf_counter()
    affected = affected_sinks(current.program, new_program) if last_frame_uniform is not None else []
    extended, conts = extend_program(new_program, affected)
    binding = int(device.limits["max-storage-buffer-binding-size"])
    if conts and max(4 * p.storage_size("f32") for p in (current.program, extended)) > binding:
        # the continuity kernels bind the f32 ValueStore whole: beyond one binding the swap is a cut
        conts = []
    else:
        new_program = extended
    new = build_program(device, new_program, frame_uniform)  # may raise: nothing has changed yet
    try:
        t1 = time.perf_counter()
        copies, report = plan_migration(current.program, new_program)
        copy_state(device, current, new, copies)
        t2 = time.perf_counter()
        if conts and last_frame_uniform is not None:
            device.queue.write_buffer(frame_uniform, 0, last_frame_uniform)
            capture_offsets(device, current, new, conts)
    except BaseException:
        _release_offsets(conts)
        new.release()  # nothing of the failed program stays allocated
        raise
    return PreparedSwap(new, conts, report, (t1 - t0) * 1000.0, (t2 - t1) * 1000.0)


def _release_offsets(conts: Sequence[SinkContinuity]) -> None:
    for c in conts:
        buf: Any = c.gpu_offsets
        if buf is not None:
            buf.destroy()
            c.gpu_offsets = None


class ContinuityPass:
    """The per-frame continuity kernels of the sinks whose lane count changed in a swap: each
    frame the captured offsets decay (:func:`oscilla.runtime.continuity.decays`) and are added
    to what the sink draws.

    Args:
        device: the runtime's device.
        resources: the (new) running program's resources.
        conts: the sinks with captured ``gpu_offsets``.
    """

    def __init__(self, device: Any, resources: ProgramResources, conts: Sequence[SinkContinuity]):
        self.device = device
        self._pins = PIPELINES.pins(device) if conts else None
        self._kernels = [self._kernel(resources, c) for c in conts]

    def __bool__(self) -> bool:
        return bool(self._kernels)

    def _kernel(self, r: ProgramResources, c: SinkContinuity) -> tuple:
        d = self.device
        pipe = _static_pipeline(d, "continuity.wgsl", self._pins)
        uni = d.create_buffer(size=CONTINUITY.size, usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST)
        bind = d.create_bind_group(
            layout=pipe.get_bind_group_layout(0),
            entries=[
                {"binding": 0, "resource": {"buffer": uni}},
                {"binding": 1, "resource": {"buffer": r.stores.values.buffers["f32"]}},
                {"binding": 2, "resource": {"buffer": c.gpu_offsets}},
            ],
        )
        m = r.program.slot_meta
        refs = _render_refs(m, c.src)
        data = bytearray(CONTINUITY.size)  # the decays k_* are written every frame
        CONTINUITY.pack_into(
            data,
            lanes=c.lanes,
            pos_src=refs["pos"],
            pos_ls=refs["pos_ls"],
            pos_stride=refs["pos_n"],
            size_src=refs["size"],
            size_ls=refs["size_ls"],
            color_src=refs["color"],
            color_ls=refs["color_ls"],
            pos_dst=m[c.pos_dst].offset,
            size_dst=m[c.size_dst].offset,
            color_dst=m[c.color_dst].offset,
        )
        return c, pipe, bind, uni, data, dispatch_grid(c.lanes)

    def encode(self, encoder: Any, t_ms: float) -> None:
        """Record one compute pass easing every sink's offsets at frame time ``t_ms`` (ms)."""
        if not self._kernels:
            return
        cp = encoder.begin_compute_pass()
        for c, pipe, bind, uni, data, (x, y) in self._kernels:
            if c.t0 is None:
                c.t0 = t_ms
            k_pos, k_size, k_color, k_alpha = decays(t_ms, c.t0)
            CONTINUITY.pack_into(data, k_pos=k_pos, k_size=k_size, k_color=k_color, k_alpha=k_alpha)
            self.device.queue.write_buffer(uni, 0, data)
            cp.set_pipeline(pipe)
            cp.set_bind_group(0, bind)
            cp.dispatch_workgroups(x, y, 1)
        cp.end()

    def clear(self) -> None:
        """Zero every offset (after a reset nothing eases in from before it)."""
        for c, *_ in self._kernels:
            gpu.write_bytes(self.device, c.gpu_offsets, 0, bytes(32 * c.lanes))

    def release(self) -> None:
        """Free the offset and uniform buffers and unpin the pipeline (when this pass is
        replaced by the next swap's). Idempotent; the pass encodes nothing afterwards."""
        kernels, self._kernels = self._kernels, []
        _release_offsets([k[0] for k in kernels])
        for _c, _pipe, _bind, uni, _data, _grid in kernels:
            uni.destroy()
        if self._pins is not None:
            self._pins.release()
