"""Compute splat rasterizer for sinks of many small shapes (docs/language/rendering.md#splat).

Drawing a million sub-pixel dots as instanced quads costs vertex work and triangle setup per
lane (about 1.4 µs each on lavapipe) however small the quads are. A sink that qualifies
(:func:`splat_eligible`) instead runs two compute kernels per frame (``oscilla/shaders/splat.wgsl``):
``splat`` has each lane of at most :data:`SPLAT_MAX_RADIUS` pixels bounding radius add its
coverage terms to per-pixel fixed-point accumulators (atomics, so the result does not depend on the
order lanes run in) and flags any bigger lane; ``args`` writes the quads' draw-indirect record. In
the render pass, in the sink's place, the quad draw gets all lanes (a lane was too big) or none,
and the resolve (``oscilla/shaders/splat_resolve.wgsl``, one full-screen triangle with the sink's
blend pipeline) composites the accumulators (or, in a quads frame, only zeroes them): a frame
with a bigger lane draws the whole sink as quads, exactly as before. The choice is made on the
GPU each frame, from that frame's values.

What changes against the quads (documented in docs/language/rendering.md#splat): contributions
to the same pixel combine order-independently. For "add", "multiply" and "screen" that is the same
formula (those modes commute; the result is computed in higher precision than the quad path's
8-bit blend after each element). For "over" the colour is the alpha-weighted mean of the
contributions and the coverage is 1 - prod(1 - alpha_i): identical for a pixel covered by one
element, and for overlapping elements of one colour; overlapping elements of different colours
mix instead of the last one lying on top.

Memory: ``ACC_WORDS`` (5) u32 per target pixel per splatting sink (5 MB at 512², 20 MB at 1024²),
allocated when the target size is set; at most :data:`MAX_SPLAT_SINKS` sinks splat (the ones with
the most lanes), and a target whose accumulators would exceed the device's storage-binding limit
draws quads.
"""

from __future__ import annotations

from typing import Any

import wgpu

from oscilla.abi.dispatch import dispatch_grid
from oscilla.abi.uniforms import RENDER_FRAME
from oscilla.drawing.sink_pipeline import sink_pipeline
from oscilla.gpu.pipelines import PIPELINES
from oscilla.program import SinkSpec
from oscilla.shaders import shader_source

#: the largest bounding radius in pixels (circle radius, largest ellipse semi-axis, half a rect's
#: diagonal) every drawn lane of a sink may have for the sink to splat in a frame, per blend mode.
#: The splat is faster than the quads up to about 5 px on lavapipe (docs/performance.md#drawing);
#: "add", "multiply" and "screen" commute, so any size gives their formula, while "over" mixes
#: overlapping colours instead of stacking them, which only stays invisible for small dots.
SPLAT_MAX_RADIUS: dict[str, float] = {"over": 1.5, "add": 4.0, "multiply": 4.0, "screen": 4.0}

#: with ``raster="auto"`` a sink splats only from this many lanes on (below it the resolve's
#: full-screen pass costs more than the quads save)
SPLAT_MIN_LANES = 4096

#: at most this many sinks of a renderer splat (each holds a set of per-pixel accumulators)
MAX_SPLAT_SINKS = 4

#: u32 accumulator words per pixel (splat.wgsl's ACC_WORDS)
ACC_WORDS = 5

#: WGSL code of each blend mode (splat.wgsl's BLEND override)
BLEND_CODES = {"over": 0, "add": 1, "multiply": 2, "screen": 3}

#: ``raster`` values of :class:`oscilla.drawing.instances.InstanceRenderer`
RASTER_MODES = ("auto", "quads", "splat")

_WORKGROUP = 64  # splat.wgsl's @workgroup_size
_CTL_WORDS = 5  # big flag + the quads' draw-indirect record
_QUAD_ARGS = 4  # byte offset of the record in the control buffer


def splat_eligible(sink: SinkSpec, shape_kind: int, splat_kinds: frozenset[int]) -> bool:
    """Whether ``sink`` can splat: a shape sink without Camera and strokes whose shape kind
    (``static_shape_kind``) is in ``splat_kinds`` (circle, ellipse, rect), with at least one lane."""
    return (
        getattr(sink, "kind", "instances") == "instances"
        and sink.camera is None
        and sink.stroke_width is None
        and shape_kind in splat_kinds
        and sink.lanes > 0
    )


def _compute_entries() -> list[dict]:
    ub = {"type": wgpu.BufferBindingType.uniform}
    cs = wgpu.ShaderStage.COMPUTE
    return [
        {"binding": 0, "visibility": cs, "buffer": ub},
        {"binding": 1, "visibility": cs, "buffer": ub},
        {"binding": 2, "visibility": cs, "buffer": {"type": wgpu.BufferBindingType.read_only_storage}},
        {"binding": 3, "visibility": cs, "buffer": {"type": wgpu.BufferBindingType.storage}},
        {"binding": 4, "visibility": cs, "buffer": {"type": wgpu.BufferBindingType.storage}},
    ]


def _resolve_entries() -> list[dict]:
    fs = wgpu.ShaderStage.FRAGMENT
    return [
        {"binding": 0, "visibility": fs, "buffer": {"type": wgpu.BufferBindingType.uniform}},
        {"binding": 1, "visibility": fs, "buffer": {"type": wgpu.BufferBindingType.storage}},
        {"binding": 2, "visibility": fs, "buffer": {"type": wgpu.BufferBindingType.read_only_storage}},
    ]


class SplatSink:
    """The compute splat path of one sink: accumulators, control buffer, kernels and resolve.

    Args:
        device: the wgpu device.
        target_format: colour target format of the resolve pipeline.
        sink: the sink (drawn with ``shape_kind``'s distance function and ``sink.blend``).
        shape_kind: ``SHAPE_CIRCLE``, ``SHAPE_ELLIPSE`` or ``SHAPE_RECT`` (instances.wgsl's codes).
        frame_buffer: the renderer's frame uniform buffer (RENDER_FRAME).
        sink_buffer: the sink's uniform buffer (SINK).
        values: the ValueStore's f32 binding resource (``{"buffer", "offset", "size"}``).
        max_radius: bounding radius limit in pixels (default: :data:`SPLAT_MAX_RADIUS` of the
            sink's blend mode).
    """

    def __init__(
        self,
        device: Any,
        target_format: str,
        sink: SinkSpec,
        shape_kind: int,
        frame_buffer: Any,
        sink_buffer: Any,
        values: dict[str, Any],
        max_radius: float | None = None,
    ):
        self.device = device
        self.sink = sink
        self.lanes = int(sink.lanes)
        if max_radius is None:
            max_radius = SPLAT_MAX_RADIUS[sink.blend]
        consts = {"SHAPE_KIND": shape_kind, "BLEND": BLEND_CODES[sink.blend], "SPLAT_MAX_RADIUS": float(max_radius)}
        code = shader_source("splat.wgsl")
        entries = _compute_entries()
        self._bgl = PIPELINES.bind_group_layout(device, entries, "oscilla.splat")
        self._splat, self._args = (
            PIPELINES.compute_pipeline(device, code, [entries], entry_point=e, label=f"oscilla.splat.{e}", constants=c)
            for e, c in (("splat", consts), ("args", {}))
        )
        self._rbgl, self._resolve = sink_pipeline(
            device,
            "splat_resolve.wgsl",
            _resolve_entries(),
            target_format,
            sink.blend,
            {"BLEND": BLEND_CODES[sink.blend]},
            vertex_entry="vs_full",
        )
        self._ctl = device.create_buffer(
            label=f"oscilla.splat.ctl.{sink.block}",
            size=_CTL_WORDS * 4,
            usage=wgpu.BufferUsage.STORAGE
            | wgpu.BufferUsage.INDIRECT
            | wgpu.BufferUsage.COPY_DST
            | wgpu.BufferUsage.COPY_SRC,
        )
        self._frame = {"buffer": frame_buffer, "offset": 0, "size": RENDER_FRAME.size}
        self._sink = {"buffer": sink_buffer, "offset": 0, "size": sink_buffer.size}
        self._values = values
        self._grid = dispatch_grid(self.lanes, _WORKGROUP)
        self._acc: Any = None
        self._bind: Any = None
        self._rbind: Any = None
        self.size: tuple[int, int] | None = None
        #: False when the target's accumulators would not fit one storage binding (quads then)
        self.active = False

    def accumulator_bytes(self, width: int, height: int) -> int:
        """Bytes of the per-pixel accumulators for a ``width`` x ``height`` target."""
        return int(width) * int(height) * ACC_WORDS * 4

    def resize(self, width: int, height: int) -> None:
        """(Re)allocate zeroed accumulators for a ``width`` x ``height`` pixel target."""
        if self.size == (width, height):
            return
        if self._acc is not None:
            self._acc.destroy()
            self._acc = None
        self.size = (width, height)
        nbytes = self.accumulator_bytes(width, height)
        limit = int(self.device.limits.get("max-storage-buffer-binding-size", 128 << 20))
        self.active = nbytes <= limit
        if not self.active:
            return
        self._acc = self.device.create_buffer(
            label=f"oscilla.splat.acc.{self.sink.block}", size=nbytes, usage=wgpu.BufferUsage.STORAGE
        )
        acc = {"buffer": self._acc, "offset": 0, "size": nbytes}
        ctl = {"buffer": self._ctl, "offset": 0, "size": _CTL_WORDS * 4}
        self._bind = self.device.create_bind_group(
            layout=self._bgl,
            entries=[
                {"binding": 0, "resource": self._frame},
                {"binding": 1, "resource": self._sink},
                {"binding": 2, "resource": self._values},
                {"binding": 3, "resource": acc},
                {"binding": 4, "resource": ctl},
            ],
        )
        self._rbind = self.device.create_bind_group(
            layout=self._rbgl,
            entries=[
                {"binding": 0, "resource": self._frame},
                {"binding": 1, "resource": acc},
                {"binding": 2, "resource": ctl},
            ],
        )

    def encode(self, encoder: Any) -> None:
        """Record this frame's splat and args kernels (after clearing the "big" flag)."""
        if not self.active:
            return
        encoder.clear_buffer(self._ctl, 0, 4)
        cp = encoder.begin_compute_pass(label=f"oscilla.splat.{self.sink.block}")
        cp.set_bind_group(0, self._bind)
        cp.set_pipeline(self._splat)
        cp.dispatch_workgroups(*self._grid, 1)
        cp.set_pipeline(self._args)
        cp.dispatch_workgroups(1, 1, 1)
        cp.end()

    def draw(self, rpass: Any, quad_pipeline: Any, quad_bind_group: Any) -> None:
        """Record the sink's place in the render pass: the quads (all lanes or none, as the splat
        kernel chose this frame) and the resolve (one full-screen triangle)."""
        rpass.set_pipeline(quad_pipeline)
        rpass.set_bind_group(0, quad_bind_group)
        if not self.active:
            rpass.draw(6, self.lanes)
            return
        rpass.draw_indirect(self._ctl, _QUAD_ARGS)
        rpass.set_pipeline(self._resolve)
        rpass.set_bind_group(0, self._rbind)
        rpass.draw(3)

    @property
    def dispatches(self) -> int:
        """Compute dispatches per frame (0 when inactive)."""
        return 2 if self.active else 0


def pick_splat_sinks(candidates: list[tuple[int, int]], raster: str) -> set[int]:
    """Indices of the sinks that splat: ``candidates`` are (sink index, lanes) of eligible sinks;
    ``raster`` "auto" keeps those with at least :data:`SPLAT_MIN_LANES` lanes, "splat" all, "quads"
    none; at most :data:`MAX_SPLAT_SINKS`, the ones with the most lanes (ties: patch order).

    Raises:
        ValueError: ``raster`` is not one of :data:`RASTER_MODES`.
    """
    if raster not in RASTER_MODES:
        raise ValueError(f"unknown raster mode {raster!r}; choose one of {', '.join(RASTER_MODES)}")
    if raster == "quads":
        return set()
    keep = [(i, n) for i, n in candidates if raster == "splat" or n >= SPLAT_MIN_LANES]
    keep.sort(key=lambda c: (-c[1], c[0]))
    return {i for i, _ in keep[:MAX_SPLAT_SINKS]}
