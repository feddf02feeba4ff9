"""The GPU executor: ``Runtime(program)`` runs a CompiledProgram one frame per ``step(t_ms)``.

Two phases (why: docs/runtime/execution-model.md)
--------------------------------------------------
Every frame is ONE command encoder and ONE submit:

    host: resolve time in float64 -> write the 320-byte frame uniform (time + channel snapshot)
    Phase 1 compute pass:  signal kernel, then one fused field kernel per instance.
                           Kernels READ state committed by the previous frame and WRITE only
                           ValueStore slots (outputs, render inputs, next-state values).
    render pass:           (when a target is attached) the vertex stage reads the ValueStore;
                           with a Camera, the renderer's camera compute pass (projection,
                           culling, far-to-near sort) is recorded just before it.
    Phase 2 compute pass:  the commit kernel copies next-state slots into the StateBuffer.

Phase 2 is a separate compute pass so that WebGPU's pass boundary orders every Phase 1 read of
a state cell before any write to it. If a state write ran inside Phase 1, lanes and kernels that
read the cell later in the same frame would see the new value: a UnitDelay would become a wire
and feedback loops would race. The schedule validator (compiler.schedule.validate_schedule)
rejects any state write outside phase 2, and tests/test_execution_model.py proves the delay.

Everything (buffers, pipelines, bind groups, dispatch sizes) is built once here; a frame
allocates nothing and reads nothing back unless asked (``read``, ``read_state``, ``render``).
"""

from __future__ import annotations

import hashlib
import time
import weakref

import numpy as np
import wgpu

from oscilla.abi.dispatch import dispatch_grid
from oscilla.diagnostics import CompileError
from oscilla.gpu import device as gpu
from oscilla.program import CompiledProgram, DeviceLimits
from oscilla.runtime.clock import UNIFORM_SIZE, FrameUniforms, TimeModel
from oscilla.runtime.continuity import affected_sinks, extend_program
from oscilla.runtime.continuity import decays as continuity_decays
from oscilla.runtime.migrate import SwapReport, lane_mapping, plan_migration
from oscilla.runtime.ports import convert_value, port_slot
from oscilla.runtime.stores import create_runtime_state

_pipeline_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class RenderSizeError(ValueError):
    """A render target size the device cannot create (0, negative, or beyond its texture limit)."""


def _render_refs(slot_meta, sink) -> list[int]:
    """Offset and lane stride (0 for a signal) of a sink's pos, size and colour, with the number
    of pos components: [pos, pos_ls, pos_n, size, size_ls, color, color_ls]."""

    def ref(slot):
        m = slot_meta[slot]
        return [m.offset, m.stride if m.instance is not None else 0]

    pos, size, color = ref(sink.pos), ref(sink.size), ref(sink.color)
    return [pos[0], pos[1], slot_meta[sink.pos].stride, size[0], size[1], color[0], color[1]]


def _static_pipeline(device, name: str):
    """A compute pipeline of a static shader in shaders/ (entry point main, auto layout), cached."""
    from oscilla.shaders import load_wgsl

    cache = _pipeline_cache.setdefault(device, {})
    pipe = cache.get(name)
    if pipe is None:
        module = device.create_shader_module(code=load_wgsl(name))
        pipe = cache[name] = device.create_compute_pipeline(
            layout="auto", compute={"module": module, "entry_point": "main"}
        )
    return pipe


def _bind_group_layout(device, phase: int):
    vis = wgpu.ShaderStage.COMPUTE
    value_type = "storage" if phase == 1 else "read-only-storage"
    state_type = "read-only-storage" if phase == 1 else "storage"
    entries = [{"binding": 0, "visibility": vis, "buffer": {"type": "uniform"}}]
    entries += [{"binding": b, "visibility": vis, "buffer": {"type": value_type}} for b in (1, 2, 3)]
    entries += [{"binding": b, "visibility": vis, "buffer": {"type": state_type}} for b in (4, 5)]
    entries += [
        {"binding": 6, "visibility": vis, "buffer": {"type": value_type}},
        {"binding": 7, "visibility": vis, "buffer": {"type": state_type}},
        {"binding": 8, "visibility": vis, "buffer": {"type": "storage"}},
    ]
    return device.create_bind_group_layout(entries=entries)


def _pipeline(device, wgsl: str, layout):
    cache = _pipeline_cache.setdefault(device, {})
    key = (hashlib.sha256(wgsl.encode()).hexdigest(), id(layout))
    pipe = cache.get(key)
    if pipe is None:
        module = device.create_shader_module(code=wgsl)
        pipe = device.create_compute_pipeline(
            layout=device.create_pipeline_layout(bind_group_layouts=[layout]),
            compute={"module": module, "entry_point": "main"},
        )
        cache[key] = pipe
    return pipe


class Runtime:
    """GPU runtime of one CompiledProgram (api.md §2).

    Args:
        program: the result of ``oscilla.compile``.
        device: a wgpu device; default: the process-wide device of :func:`oscilla.gpu.device.get_device`.

    Raises:
        CompileError: E_LIMIT_EXCEEDED when a ValueStore/StateBuffer class exceeds the device's
            maximum storage binding.
        oscilla.gpu.device.NoAdapterError: no Vulkan/Metal/D3D12 adapter.
    """

    def __init__(self, program: CompiledProgram, device=None):
        self.device = device or gpu.get_device()
        d = self.device
        self._uniform = d.create_buffer(size=UNIFORM_SIZE, usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST)
        self._layouts = {1: _bind_group_layout(d, 1), 2: _bind_group_layout(d, 2)}
        resources = self._build(program)
        self.time = TimeModel(program.time_root)
        #: host copy of the frame uniform; holds the external channel values (blocks.md §3.6)
        self.uniforms = FrameUniforms(program.channels)
        self.channels: dict[str, float] = self.uniforms.values
        self.frame_time = None
        self._window_format = "rgba8unorm"
        self._targets: dict[tuple[int, int], object] = {}
        self._window_target = None
        self._continuity: list = []
        self._install(resources)

    # -- construction helpers ------------------------------------------------------------
    def _build(self, program: CompiledProgram) -> dict:
        """Every program-dependent GPU object (stores with initialized state, scratch, bind groups,
        pipelines, dispatch sizes), built without touching the running program.

        Raises CompileError (E_LIMIT_EXCEEDED) before allocating anything too large."""
        self._check_limits(program)
        d = self.device
        stores = create_runtime_state(program, d)
        scratch = gpu.create_storage_buffer(d, 4 * program.scratch_size, "oscilla.scratch")
        v, s = stores.values.buffers, stores.state.buffers
        bufs = [self._uniform, v["f32"], v["i32"], v["u32"], s["f32"], s["i32"], v["f32"], s["f32"], scratch]
        entries = [{"binding": i, "resource": {"buffer": b, "offset": 0, "size": b.size}} for i, b in enumerate(bufs)]
        r = {
            "program": program,
            "stores": stores,
            "scratch": scratch,
            "bind_groups": {ph: d.create_bind_group(layout=self._layouts[ph], entries=entries) for ph in (1, 2)},
            "passes": {1: [], 2: []},
            "named": {1: [], 2: []},
            "once": [],
        }
        for k in program.kernels:
            x, y = k.grid
            entry = (_pipeline(d, program.wgsl[k.name], self._layouts[k.phase]), x, y)
            (r["once"] if k.once else r["passes"][k.phase]).append(entry)
            if not k.once:
                r["named"][k.phase].append((k.name,) + entry)
        return r

    def _install(self, r: dict) -> None:
        """Make ``r`` (from :meth:`_build`) the running program and run its once-only work."""
        self.program = r["program"]
        self.stores = r["stores"]
        self.values, self.state = self.stores.values, self.stores.state
        self._scratch = r["scratch"]
        self._bind_groups = r["bind_groups"]
        self._passes = r["passes"]  # (pipeline, x, y) per dispatch
        self._named_passes = r["named"]  # (kernel name, pipeline, x, y)
        self._once = r["once"]
        self._renderers: dict[str, object] = {}
        self.uniforms.bind(self.program.channels)
        self._run_once()
        if self._window_target is not None:
            self._get_renderer(self._window_format)

    def _check_limits(self, p: CompiledProgram) -> None:
        problems = p.limit_diagnostics(DeviceLimits.from_device(self.device))
        if problems:
            raise CompileError(problems)

    # -- frames ----------------------------------------------------------------------------
    def step(self, t_ms: float) -> None:
        """Run one frame at absolute time ``t_ms`` (milliseconds; time never moves backwards)."""
        ft = self.time.resolve(t_ms)
        self.frame_time = ft
        d = self.device
        d.queue.write_buffer(self._uniform, 0, self.uniforms.pack(ft))  # the channel snapshot too
        enc = d.create_command_encoder()
        self._encode_phase(enc, 1)
        self._encode_continuity(enc, ft)
        if self._window_target is not None:
            view, w, h = self._window_target()
            if view is not None:
                self._get_renderer(self._window_format).encode(enc, view, w, h, self.program.background)
        self._encode_phase(enc, 2)
        d.queue.submit([enc.finish()])

    def _run_once(self) -> None:
        """Upload the host tables, then materialize the frame-invariant field slots (init kernels),
        once, at creation."""
        for slot, values in self.program.tables.items():
            self.values.write(slot, values)
        self.values.clear()
        if not self._once:
            return
        enc = self.device.create_command_encoder()
        self._encode_dispatches(enc, self._once, self._bind_groups[1])
        self.device.queue.submit([enc.finish()])

    def _encode_phase(self, enc, phase: int) -> None:
        self._encode_dispatches(enc, self._passes[phase], self._bind_groups[phase])

    @staticmethod
    def _encode_dispatches(enc, dispatches, bind_group) -> None:
        """One compute pass running ``dispatches`` ((pipeline, x, y) tuples) in order."""
        if not dispatches:
            return
        cp = enc.begin_compute_pass()
        cp.set_bind_group(0, bind_group)
        for pipe, x, y in dispatches:
            cp.set_pipeline(pipe)
            cp.dispatch_workgroups(x, y, 1)
        cp.end()

    @property
    def dispatches_per_frame(self) -> int:
        """Compute dispatches issued by one ``step``."""
        return len(self._passes[1]) + len(self._passes[2])

    def swap(self, new_program: CompiledProgram) -> SwapReport:
        """Replace the running program between frames, keeping time, channels and state.

        Time (monotonic tMs, frame count) and the external channels continue; state cells migrate
        by id as :mod:`oscilla.runtime.migrate` describes (copied, mapped by element id,
        initialized, dropped, or reset with an I_STATE_RESET info). Everything for the new program
        is built before anything changes: if that fails (e.g. E_LIMIT_EXCEEDED), the old program
        keeps running with its state. Returns a :class:`SwapReport` with timings (ms) of the build
        (buffers and pipelines) and the migration.
        """
        t0 = time.perf_counter()
        affected = affected_sinks(self.program, new_program) if self.frame_time is not None else []
        new_program, conts = extend_program(new_program, affected)
        r = self._build(new_program)  # may raise: nothing has changed yet
        t1 = time.perf_counter()
        copies, report = plan_migration(self.program, new_program)
        old_state, new_state = self.state.buffers, r["stores"].state.buffers
        if copies:
            enc = self.device.create_command_encoder()
            for c in copies:
                enc.copy_buffer_to_buffer(old_state[c.storage], 4 * c.src, new_state[c.storage], 4 * c.dst, 4 * c.count)
            self.device.queue.submit([enc.finish()])
            gpu.wait_idle(new_state["f32"])  # so the reported migration time is the copies' real cost
        t2 = time.perf_counter()
        if conts:
            self._capture_continuity(r, conts)
        self.time = self.time.continued(new_program.time_root)
        self._install(r)
        self._continuity = [self._continuity_gpu(c) for c in conts]
        report.timings_ms = {
            "build": (t1 - t0) * 1000.0,
            "migration": (t2 - t1) * 1000.0,
            "continuity and install": (time.perf_counter() - t2) * 1000.0,
        }
        return report

    def _capture_continuity(self, r: dict, conts) -> None:
        """Offsets old - new of every affected sink, computed on the GPU: the new program's
        Phase 1 is evaluated once at the last frame's time (no Phase 2: the migrated state stays
        untouched), then oscilla/shaders/continuity_capture.wgsl compares the old and new ValueStores."""
        d = self.device
        old_prog, new_prog = self.program, r["program"]
        old_sinks = {s.block: s for s in old_prog.sinks}
        d.queue.write_buffer(self._uniform, 0, self.uniforms.pack(self.frame_time))
        enc = d.create_command_encoder()
        self._encode_dispatches(enc, r["once"], r["bind_groups"][1])
        self._encode_dispatches(enc, r["passes"][1], r["bind_groups"][1])
        capture = _static_pipeline(d, "continuity_capture.wgsl")
        cp = enc.begin_compute_pass()
        cp.set_pipeline(capture)
        for c in conts:
            c.gpu_offsets = gpu.create_storage_buffer(d, 32 * c.lanes, "oscilla.continuity")
            shift, lo, hi = lane_mapping(old_prog, new_prog, c.src.instance)
            words = np.zeros(20, np.uint32)
            words[:4] = [c.lanes, lo, max(lo, hi), np.array(shift, np.int32).view(np.uint32)]
            words[4:11] = _render_refs(old_prog.slot_meta, old_sinks[c.block])
            words[12:19] = _render_refs(new_prog.slot_meta, c.src)
            uni = d.create_buffer(size=80, usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST)
            d.queue.write_buffer(uni, 0, words.tobytes())
            bind = d.create_bind_group(
                layout=capture.get_bind_group_layout(0),
                entries=[
                    {"binding": 0, "resource": {"buffer": uni}},
                    {"binding": 1, "resource": {"buffer": self.values.buffers["f32"]}},
                    {"binding": 2, "resource": {"buffer": r["stores"].values.buffers["f32"]}},
                    {"binding": 3, "resource": {"buffer": c.gpu_offsets}},
                ],
            )
            cp.set_bind_group(0, bind)
            x, y = dispatch_grid(c.lanes)
            cp.dispatch_workgroups(x, y, 1)
        cp.end()
        d.queue.submit([enc.finish()])

    def _continuity_gpu(self, c) -> tuple:
        """Pipeline, bind group, uniform and per-frame uniform words of one sink's continuity kernel."""
        d = self.device
        pipe = _static_pipeline(d, "continuity.wgsl")
        uni = d.create_buffer(size=64, usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST)
        bind = d.create_bind_group(
            layout=pipe.get_bind_group_layout(0),
            entries=[
                {"binding": 0, "resource": {"buffer": uni}},
                {"binding": 1, "resource": {"buffer": self.values.buffers["f32"]}},
                {"binding": 2, "resource": {"buffer": c.gpu_offsets}},
            ],
        )
        m = self.program.slot_meta
        words = np.zeros(16, np.uint32)
        pos, ls_pos, n_pos, size, ls_size, color, ls_color = _render_refs(m, c.src)
        words[:12] = [
            c.lanes,
            pos,
            ls_pos,
            n_pos,
            size,
            ls_size,
            color,
            ls_color,
            m[c.pos_dst].offset,
            m[c.size_dst].offset,
            m[c.color_dst].offset,
            0,
        ]
        return c, pipe, bind, uni, words, dispatch_grid(c.lanes)

    def _encode_continuity(self, enc, ft) -> None:
        if not self._continuity:
            return
        cp = enc.begin_compute_pass()
        for c, pipe, bind, uni, words, (x, y) in self._continuity:
            if c.t0 is None:
                c.t0 = ft.t_ms
            words[12:16] = np.array(continuity_decays(ft.t_ms, c.t0), np.float32).view(np.uint32)
            self.device.queue.write_buffer(uni, 0, words.tobytes())
            cp.set_pipeline(pipe)
            cp.set_bind_group(0, bind)
            cp.dispatch_workgroups(x, y, 1)
        cp.end()

    def read_rendered(self, block: str, name: str) -> np.ndarray:
        """What sink ``block`` draws for ``name`` ("pos", "size" or "color") in the last frame:
        its input, or the continuity display values after a swap that changed its lane count."""
        sink = next(s for s in self.program.sinks if s.block == block)
        return self.values.read(getattr(sink, name))

    def reset(self) -> None:
        """Back to frame 0: time restarts and every state cell gets its initial value."""
        self.time.reset()
        self.stores.reset_state()
        for c, *_ in self._continuity:  # nothing eases in from before a reset
            gpu.write_bytes(self.device, c.gpu_offsets, 0, bytes(32 * c.lanes))
        self.frame_time = None

    def set_input(self, name: str, value: float) -> None:
        """Set external channel ``name`` (e.g. ``"mouse.x"``); used from the next frame on."""
        self.uniforms.set_input(name, value)

    def wait(self) -> None:
        """Block until the GPU finished every submitted frame."""
        gpu.wait_idle(self.values.buffers["f32"])

    # -- readback ------------------------------------------------------------------------
    def read(self, name: str) -> np.ndarray:
        """The value of port ``"block.port"`` produced in the last frame.

        Returns float32/int32/bool numpy arrays: signal -> shape () or (k,); field -> (N,) or
        (N, k); an event -> a numpy bool scalar.

        Raises:
            KeyError: the port was neither observed nor otherwise materialized; the message says
                how to observe it.
        """
        slot = port_slot(self.program, name)
        return convert_value(self.program.slot_meta[slot], self.values.read(slot))

    def read_state(self, state_id: str) -> np.ndarray:
        """State cell ``"block:role"`` as committed after the last frame (float32 or int32).

        Raises KeyError for an unknown id (the message lists the cells)."""
        return self.state.read_cell(state_id)

    # -- rendering -----------------------------------------------------------------------
    def _get_renderer(self, fmt: str = "rgba8unorm"):
        """The instanced renderer for targets of texture format ``fmt`` (built once per format)."""
        from oscilla.drawing.instances import InstanceRenderer

        r = self._renderers.get(fmt)
        if r is None:
            r = self._renderers[fmt] = InstanceRenderer(
                self.device, self.values.buffers["f32"], self.program.slot_meta, self.program.sinks, target_format=fmt
            )
        return r

    def render(self, width: int, height: int) -> np.ndarray:
        """The last frame drawn at ``width`` x ``height`` pixels: (height, width, 4) uint8 RGBA.

        Raises:
            RenderSizeError (a ValueError): a size outside 1 .. the device's max-texture-dimension-2d.
        """
        from oscilla.drawing.offscreen import OffscreenTarget

        key = (int(width), int(height))
        limit = int(self.device.limits["max-texture-dimension-2d"])
        if not all(1 <= v <= limit for v in key):
            raise RenderSizeError(f"render size must be 1..{limit} pixels per side, got {key[0]}x{key[1]}")
        target = self._targets.get(key)
        if target is None:
            target = self._targets[key] = OffscreenTarget(self.device, *key)
        enc = self.device.create_command_encoder()
        self._get_renderer().encode(enc, target.view, key[0], key[1], self.program.background)
        self.device.queue.submit([enc.finish()])
        return target.read()

    def attach_target(self, provider, fmt: str = "rgba8unorm") -> None:
        """Draw into a window every frame: ``provider()`` returns (texture view or None, w, h)."""
        self._get_renderer(fmt)
        self._window_format = fmt
        self._window_target = provider
