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
    Phase 2:               the commit kernel's compute pass, then buffer copies: both copy
                           next-state slots into the StateBuffer (large plain cells by
                           copy_buffer_to_buffer, rings and small cells by the kernel).

Phase 2 runs after every Phase 1 pass (a separate compute pass and transfer commands) so that
WebGPU's ordering of passes and copies within one encoder puts every Phase 1 read of a state cell
before any write to it. If a state write ran inside Phase 1, lanes and kernels that
read the cell later in the same frame would see the new value: a UnitDelay would become a wire
and feedback loops would race. The schedule validator (compiler.schedule.validate_schedule)
rejects any state write outside phase 2, and tests/compiler/test_execution_model.py proves the delay.

Everything (buffers, pipelines, bind groups, dispatch sizes) is built once here; a frame
allocates nothing and reads nothing back unless asked (``read``, ``read_state``, ``render``).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import wgpu

from oscilla.diagnostics import CompileError, Diagnostic
from oscilla.drawing.frame_history import HISTORY_FORMAT, FrameHistory
from oscilla.drawing.instances import InstanceRenderer
from oscilla.drawing.offscreen import OffscreenTarget
from oscilla.drawing.post import SCENE_FORMAT, Bloom
from oscilla.drawing.view import IDENTITY, ViewTransform
from oscilla.gpu import device as gpu
from oscilla.gpu.errors import RenderSizeError
from oscilla.program import STATE_STORAGE_CLASSES, CompiledProgram
from oscilla.runtime.clock import UNIFORM_SIZE, FrameTime, FrameUniforms, TimeModel
from oscilla.runtime.gpu_program import PHASES, ProgramResources, build_program, encode_dispatches, encode_state_copies
from oscilla.runtime.hotswap import ContinuityPass, prepare_swap
from oscilla.runtime.migrate import SwapReport
from oscilla.runtime.ports import convert_value, port_slot
from oscilla.runtime.snapshot import (
    Snapshot,
    decode,
    encode,
    frame_time_of,
    frame_time_state,
    history_size_of,
    set_time_state,
    time_state,
)

#: offscreen targets (one per ``render`` size) kept for reuse; older sizes are released
MAX_RENDER_TARGETS = 4


class Runtime:
    """GPU runtime of one CompiledProgram: frames (``step``) and readback (``read``, ``render``).

    Args:
        program: the result of ``oscilla.compile``.
        device: a wgpu device; default: the process-wide device of :func:`oscilla.gpu.device.get_device`.
        size: (width, height) in pixels of the image whose previous frame trails keep
            (docs/language/rendering.md#trails); overrides the program's ``settings.size``, here
            and for every program swapped in. Only matters for a program with trails.

    Raises:
        CompileError: E_LIMIT_EXCEEDED when a ValueStore/StateBuffer class exceeds the device's
            maximum storage binding.
        TypeError: ``size`` is not a pair of ints.
        RenderSizeError (a ValueError): a ``size`` outside 1 .. the device's max-texture-dimension-2d.
        oscilla.gpu.device.NoAdapterError: no Vulkan/Metal/D3D12 adapter.
    """

    def __init__(self, program: CompiledProgram, device: Any = None, size: tuple[int, int] | None = None):
        self.device = device or gpu.get_device()
        d = self.device
        self._size_override = None if size is None else self._check_size("size", size)
        #: the previous frame, with trails (docs/language/rendering.md#trails); None without
        self._history: FrameHistory | None = None
        #: the bloom pass of the displayed image (docs/language/rendering.md#bloom); None without
        self._bloom: Bloom | None = None
        self._uniform = d.create_buffer(size=UNIFORM_SIZE, usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST)
        resources = build_program(d, program, self._uniform)
        self.time = TimeModel(program.time_root)
        #: host copy of the frame uniform; holds the external channel values
        #: (docs/language/external-channels.md#channels)
        self.uniforms = FrameUniforms(program.channels)
        self.channels: dict[str, float] = self.uniforms.values
        self.frame_time: FrameTime | None = None
        self._window_format = "rgba8unorm"
        self._targets: dict[tuple[int, int], OffscreenTarget] = {}
        self._window_target: Any = None
        self._view: ViewTransform = IDENTITY
        #: an optional per-frame hook with ``begin(encoder)`` / ``end(encoder)``, called around
        #: everything ``step`` records (:class:`oscilla.runtime.profiling.FrameTimer`: GPU frame time)
        self.frame_timer: Any = None
        self._continuity = ContinuityPass(d, resources, [])
        self._install(resources)

    def _install(self, r: ProgramResources) -> None:
        """Make ``r`` the running program and run its once-only work."""
        self.resources = r
        self.program = r.program
        self.stores = r.stores
        self.values, self.state = self.stores.values, self.stores.state
        self._renderers: dict[str, InstanceRenderer] = {}
        self.uniforms.bind(self.program.channels, self.program.controls)
        self._run_once()
        self._install_history()
        if self._bloom is not None:
            self._bloom.release()
        self._bloom = Bloom(self.device, *self.program.bloom) if self.program.bloom is not None else None
        if self._window_target is not None:
            self._get_renderer(self._window_format)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels of the image a program with trails keeps: ``size=`` of the
        constructor, else the program's ``settings.size`` (default 512 x 512)."""
        return self._size_override or self.program.size

    def _install_history(self) -> None:
        """Keep, build or drop the previous frame for the running program: kept (with the new
        settings) when it has trails at the same size, built from the background otherwise."""
        p, h = self.program, self._history
        if p.trails <= 0.0:
            if h is not None:
                h.release()
                self._history = None
            return
        if h is not None and h.size == self.size:
            h.configure(p.background, p.trails, p.feedback)
            return
        if h is not None:
            h.release()
        self._history = FrameHistory(self.device, self.size, p.background, p.trails, p.feedback)

    # -- frames ----------------------------------------------------------------------------
    def step(self, t_ms: float) -> None:
        """Run one frame at absolute time ``t_ms`` (milliseconds; time never moves backwards).

        ``t_ms`` is checked before anything changes: after an error the runtime is as it was and
        the next valid ``step`` works.

        Raises:
            InputTypeError: (a TypeError and a ValueError, :mod:`oscilla.runtime.clock`) ``t_ms``
                is not a real number (a str or a bool, say).
            ValueError: ``t_ms`` is NaN, infinite or above ``MAX_T_MS`` (2**53 ms, the largest
                time the clock resolves to the millisecond; :data:`oscilla.runtime.clock.MAX_T_MS`).
        """
        ft = self.time.resolve(t_ms)
        self.frame_time = ft
        d = self.device
        d.queue.write_buffer(self._uniform, 0, self.uniforms.pack(ft))  # the channel snapshot too
        enc = d.create_command_encoder()
        timer = self.frame_timer
        if timer is not None:
            timer.begin(enc)
        self._encode_phase(enc, 1)
        self._continuity.encode(enc, ft.t_ms)
        history = self._history
        if history is not None:  # trails: every frame is drawn, read or not (replay stays bit-identical)
            history.encode_frame(enc, self._get_renderer(HISTORY_FORMAT))
        if self._window_target is not None:
            view, w, h = self._window_target()
            if view is not None:
                self._encode_display(enc, view, w, h, self._window_format)
        self._encode_phase(enc, 2)
        encode_state_copies(enc, self.resources)
        if timer is not None:
            timer.end(enc)
        d.queue.submit([enc.finish()])

    def _run_once(self) -> None:
        """Upload the host tables, then materialize the frame-invariant field slots (init kernels),
        once, at creation."""
        for slot, values in self.program.tables.items():
            self.values.write(slot, values)
        self.values.clear()
        if not self.resources.once:
            return
        enc = self.device.create_command_encoder()
        encode_dispatches(enc, self.resources.once, self.resources.bind_groups[1])
        self.device.queue.submit([enc.finish()])

    def _encode_phase(self, enc: Any, phase: int) -> None:
        encode_dispatches(enc, self.resources.passes[phase], self.resources.bind_groups[phase])

    @property
    def dispatches_per_frame(self) -> int:
        """Compute dispatches issued by one ``step``."""
        return sum(len(self.resources.passes[ph]) for ph in PHASES)

    def swap(self, new_program: CompiledProgram) -> SwapReport:
        """Replace the running program between frames, keeping time, channels and state.

        Time (monotonic tMs, frame count) and the external channels continue; state cells migrate
        by id as :mod:`oscilla.runtime.migrate` describes (copied, mapped by element id,
        initialized, dropped, or reset with an I_STATE_RESET info). Everything for the new program
        is built before anything changes (:mod:`oscilla.runtime.hotswap`): if that fails (e.g.
        E_LIMIT_EXCEEDED), the old program keeps running with its state. Returns a
        :class:`SwapReport` with timings (ms) of the build (buffers and pipelines) and the migration.
        """
        last = self.uniforms.pack(self.frame_time) if self.frame_time is not None else None
        prepared = prepare_swap(self.device, self.resources, new_program, self._uniform, last)
        t2 = time.perf_counter()
        self.time = self.time.continued(prepared.resources.program.time_root)
        old = self.resources
        self._install(prepared.resources)
        old.release()  # the replaced program's buffers are freed now, not when the collector runs
        self._continuity.release()  # and the previous swap's continuity offsets
        self._continuity = ContinuityPass(self.device, prepared.resources, prepared.continuity)
        report = prepared.report
        report.timings_ms = {
            "build": prepared.build_ms,
            "migration": prepared.migration_ms,
            "continuity and install": (time.perf_counter() - t2) * 1000.0,
        }
        return report

    def read_rendered(self, block: str, name: str) -> np.ndarray:
        """What sink ``block`` draws for ``name`` ("pos", "size" or "color") in the last frame:
        its input, or the continuity display values after a swap that changed its lane count."""
        sink = next(s for s in self.program.sinks if s.block == block)
        return self.values.read(getattr(sink, name))

    def reset(self) -> None:
        """Back to frame 0: time restarts and every state cell gets its initial value."""
        self.time.reset()
        self.stores.reset_state()
        self._continuity.clear()  # nothing eases in from before a reset
        if self._history is not None:
            self._history.clear()  # no trails from before a reset
        self.frame_time = None

    # -- snapshots (docs/runtime/snapshots.md) -------------------------------------------------
    def snapshot(self) -> bytes:
        """What the next frame depends on, as bytes (docs/runtime/snapshots.md): the time model
        (tMs, frame count, cycle counts), the last frame's time, every external channel value set,
        every state cell as committed after the last frame and, for a program with trails, the
        previous frame's image (:attr:`size` pixels, byte exact). Blocks while the GPU finishes the
        submitted frames and the state (and image) are read back. Restore it with
        :meth:`restore` (a new runtime) or :meth:`load_snapshot` (this one)."""
        history = self._history
        snap = Snapshot(
            program_hash=self.program.content_hash,
            runtime="gpu",
            time=time_state(self.time),
            frame_time=frame_time_state(self.frame_time),
            channels=dict(self.uniforms.values),
            state={c: self.state.read_all(c) for c in STATE_STORAGE_CLASSES},
            history=None if history is None else history.read_texels(),
        )
        return encode(snap)

    @classmethod
    def restore(cls, program: CompiledProgram, data: bytes, device: Any = None) -> Runtime:
        """A new runtime of ``program`` that continues where :meth:`snapshot` took ``data``: its
        next ``step`` computes (and draws) what the snapshotted runtime's next ``step`` would have.
        A program with trails keeps its image at the snapshot's size. ``device`` as for the constructor.

        Until that next ``step``, :meth:`read` and :meth:`render` (without trails) show no frame:
        the values of the last frame are not part of a snapshot (docs/runtime/snapshots.md#what).

        Raises:
            SnapshotError: (a ValueError; :mod:`oscilla.runtime.snapshot`) ``data`` is not a
                snapshot (E_SNAPSHOT_INVALID), is cut short (E_SNAPSHOT_TRUNCATED), damaged
                (E_SNAPSHOT_CORRUPT), of a newer format (E_SNAPSHOT_VERSION), or was taken from
                another program (E_SNAPSHOT_MISMATCH). Checked before anything is built.
            CompileError, NoAdapterError, RenderSizeError: as the constructor.
        """
        size = history_size_of(data) if program.trails > 0.0 else None
        snap = decode(data, program, (size or program.size) if program.trails > 0.0 else None)
        rt = cls(program, device=device, size=size if size is not None and size != program.size else None)
        rt._apply_snapshot(snap)
        return rt

    def load_snapshot(self, data: bytes) -> None:
        """Restore ``data`` (from :meth:`snapshot` of a runtime of the same program) into this
        runtime. Everything is checked first: a refused snapshot leaves the runtime unchanged.

        Raises:
            SnapshotError: as :meth:`restore`; also E_SNAPSHOT_MISMATCH for a trails image of
                another size than this runtime's :attr:`size`.
        """
        history = self._history
        self._apply_snapshot(decode(data, self.program, None if history is None else history.size))

    def _apply_snapshot(self, snap: Snapshot) -> None:
        """Install a checked snapshot (:func:`oscilla.runtime.snapshot.decode`): nothing here fails."""
        for cls_name, arr in snap.state.items():
            gpu.write_bytes(self.device, self.state.buffers[cls_name], 0, arr)
        if self._history is not None and snap.history is not None:
            self._history.write_texels(snap.history)
        set_time_state(self.time, snap.time)
        self.frame_time = frame_time_of(snap.frame_time)
        self.uniforms.values.clear()  # the same dict as self.channels
        self.uniforms.values.update(snap.channels)
        self.uniforms.bind(self.program.channels, self.program.controls)
        self._continuity.clear()  # a hot swap's easing is not part of a snapshot

    def set_input(self, name: str, value: float) -> None:
        """Set external channel ``name`` (e.g. ``"mouse.x"``) to ``value``; used from the next frame
        on. A bool counts as 0 or 1. A bad value changes nothing.

        A channel the running program does not read is kept (for a program swapped in later) and
        warned about once per name with ``warnings.warn`` (an
        :class:`oscilla.runtime.clock.UnknownChannelWarning`, a UserWarning); the window's
        ``mouse.*`` channels are never warned about.

        Raises:
            InputTypeError: (a TypeError and a ValueError) ``name`` is not a str or ``value`` is
                not a number.
            ValueError: ``value`` is NaN, infinite or beyond the f32 range (it would poison every
                stateful block that reads it).
        """
        self.uniforms.set_input(name, value, stacklevel=3)

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
    @property
    def view(self) -> ViewTransform:
        """The pan / zoom every image is drawn with (:class:`oscilla.drawing.view.ViewTransform`;
        default: the identity, the plain viewport). Setting it changes what ``render`` and the
        window show from the next draw on, never values, state or replay (``read`` is unchanged).
        With trails the previous frames keep the view they were drawn with.

        Raises:
            TypeError: setting something other than a ViewTransform.
        """
        return self._view

    @view.setter
    def view(self, view: ViewTransform) -> None:
        if not isinstance(view, ViewTransform):
            raise TypeError(
                f"Runtime.view must be an oscilla.drawing.view.ViewTransform, got {type(view).__name__}; "
                f"e.g. ViewTransform(zoom=2.0, center=(0.5, 0.5))"
            )
        self._view = view
        for r in self._renderers.values():
            r.view = view

    def _get_renderer(self, fmt: str = "rgba8unorm"):
        """The instanced renderer for targets of texture format ``fmt`` (built once per format)."""
        r = self._renderers.get(fmt)
        if r is None:
            self._check_drawable()
            r = self._renderers[fmt] = InstanceRenderer(
                self.device,
                self.values.buffers["f32"],
                self.program.slot_meta,
                self.program.sinks,
                target_format=fmt,
                nodes=self.program.nodes,
                images=self.program.images,
            )
            r.view = self._view
        return r

    def _check_drawable(self) -> None:
        """Raise CompileError E_LIMIT_EXCEEDED when the f32 ValueStore is larger than one storage
        binding: the kernels bind it as several ranges, the drawing shaders as one."""
        binding = int(self.device.limits["max-storage-buffer-binding-size"])
        nbytes = 4 * self.program.storage_size("f32")
        if nbytes > binding and self.program.sinks:
            sink = self.program.sinks[0]
            raise CompileError(
                [
                    Diagnostic(
                        "E_LIMIT_EXCEEDED",
                        "error",
                        f"drawing reads the ValueStore f32 buffer ({nbytes} bytes) through one storage binding, "
                        f"and the device binds at most {binding} bytes; reduce the instance {sink.instance!r} "
                        "(compute and read() work at this size, render() does not)",
                        block=sink.block,
                    )
                ]
            )

    def _check_size(self, what: str, size: Any) -> tuple[int, int]:
        """``size`` as (width, height) ints within the device's texture limit, or TypeError /
        RenderSizeError naming ``what``."""
        if not isinstance(size, (tuple, list)) or len(size) != 2:
            raise TypeError(f"{what} must be (width, height) in pixels, got {size!r}; pass e.g. (512, 512)")
        for label, v in zip(("width", "height"), size, strict=True):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise TypeError(
                    f"{what}: {label} must be an int number of pixels, got {type(v).__name__} {v!r}; "
                    f"pass e.g. (512, 512)"
                )
        key = (int(size[0]), int(size[1]))
        limit = int(self.device.limits["max-texture-dimension-2d"])
        if not all(1 <= v <= limit for v in key):
            raise RenderSizeError(f"{what} must be 1..{limit} pixels per side, got {key[0]}x{key[1]}")
        return key

    def _encode_display(self, enc: Any, view: Any, w: int, h: int, fmt: str) -> None:
        """Record what a display target of ``fmt`` (w x h pixels) shows: the frame drawn now, or
        with trails the last frame (rescaled to the target), plus bloom when the program has it."""
        history, bloom = self._history, self._bloom
        if history is not None and bloom is not None:
            bloom.encode(enc, history.view, history.size, view, (w, h), fmt)
        elif history is not None:
            history.encode_present(enc, view, w, h, fmt)  # rescaled to a window of another size
        elif bloom is not None:
            scene = bloom.scene(w, h)
            self._get_renderer(SCENE_FORMAT).encode(enc, scene, w, h, self.program.background)
            bloom.encode(enc, scene, (w, h), view, (w, h), fmt)
        else:
            self._get_renderer(fmt).encode(enc, view, w, h, self.program.background)

    def render(self, width: int, height: int) -> np.ndarray:
        """The last frame drawn at ``width`` x ``height`` pixels: (height, width, 4) uint8 RGBA.

        With trails (docs/language/rendering.md#trails) the frame was drawn by ``step`` at
        :attr:`size`; it is returned as it is, so only that size can be rendered.

        Raises:
            TypeError: ``width`` or ``height`` is not an int (a float, a bool or a str).
            RenderSizeError (a ValueError): a size outside 1 .. the device's max-texture-dimension-2d,
                or, with trails, a size other than :attr:`size`.
        """
        for label, v in (("width", width), ("height", height)):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise TypeError(
                    f"render: {label} must be an int number of pixels, got {type(v).__name__} {v!r}; "
                    f"pass e.g. render(512, 512)"
                )
        key = self._check_size("render size", (width, height))
        history = self._history
        if history is not None and key != history.size:
            w, h = history.size
            raise RenderSizeError(
                f"render size {key[0]}x{key[1]} differs from the {w}x{h} pixels this patch keeps its "
                f"trails at; render at {w}x{h}, or set settings.size (or Runtime(program, size=(w, h))) "
                f"to {key[0]}x{key[1]}"
            )
        target = self._targets.pop(key, None)  # re-inserted last: the dict is in least-recently-used order
        if target is None:
            target = OffscreenTarget(self.device, *key)
            while len(self._targets) >= MAX_RENDER_TARGETS:  # a long session of many sizes stays bounded
                self._targets.pop(next(iter(self._targets))).release()
        self._targets[key] = target
        enc = self.device.create_command_encoder()
        self._encode_display(enc, target.view, key[0], key[1], target.format)
        self.device.queue.submit([enc.finish()])
        return target.read()

    def attach_target(self, provider, fmt: str = "rgba8unorm") -> None:
        """Draw into a window every frame: ``provider()`` returns (texture view or None, w, h)."""
        self._get_renderer(fmt)
        self._window_format = fmt
        self._window_target = provider


class NoRenderSinkError(CompileError):
    """A CompileError for a program that draws nothing (its one diagnostic is W_NO_RENDER_SINK, a
    warning: the patch compiles, but drawing it would be a blank image)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(diagnostics)
        self.args = ("; ".join(d.format() for d in self.diagnostics),)


def render_sink_error(program: CompiledProgram) -> NoRenderSinkError | None:
    """What the front ends that draw (``render_png``, ``render_frames``, the window, ``oscilla
    render`` and ``oscilla run``) raise for a program with no render sink, which would draw a blank
    image: a CompileError carrying the compiler's W_NO_RENDER_SINK warning (made here when the
    program has none). None when the program draws. ``Runtime`` itself runs such a program: its
    values stay readable with ``read``."""
    if program.sinks:
        return None
    found = [d for d in program.diagnostics if d.code == "W_NO_RENDER_SINK"]
    return NoRenderSinkError(
        found
        or [
            Diagnostic(
                "W_NO_RENDER_SINK",
                "warning",
                "the patch has no render sink, so it draws nothing; connect a RenderInstances2D "
                "(its pos input at least) to draw, or read its values with Runtime.read",
            )
        ]
    )
