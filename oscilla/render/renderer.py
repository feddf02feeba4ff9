"""Instanced SDF renderer for RenderInstances2D sinks (blocks.md §9, without a camera).

Every render input is read by the vertex stage straight from the ValueStore's f32 storage
buffer, so a frame needs no CPU round trip. Each sink is one ``draw(6, lanes)`` of a quad per
lane; all sinks share one render pipeline (``shaders/instances.wgsl``).

Geometry (blocks.md C3, §9.1, §9.2), for a W x H target in pixels:

- S = min(W, H) pixels per world unit; world (x, y) -> pixel (W/2 + (x - 0.5) S, H/2 + (y - 0.5) S),
  y down. Pixel (px, py) covers [px, px+1) x [py, py+1); its centre is at +0.5.
- lane i: g = scale * size_i, theta = shape.rotation + rotation_i (radians, positive = clockwise
  on screen); a local point (lx, ly) in world units lands at p_i + R(theta) (lx, ly) g.
- ellipse (kind 0): semi-axes a g, b g. Rect (kind 1): full extents a g x b g, corner radius
  min(cornerRadius g, w/2, h/2) (never negative).
- coverage = clamp(0.5 - d, 0, 1), d = signed distance to the edge in pixels (negative inside);
  a pixel centre >= 1 px inside is fully covered, >= 1 px outside untouched.
- colour components clamped to [0, 1], NaN -> 0; straight-alpha over with alpha = a * coverage:
  C <- c alpha + C (1 - alpha), A <- alpha + A (1 - alpha).
- a lane with a non-finite x, y, size, rotation, scale (or shape parameter) is not drawn; z of a
  vec3 position is ignored.
- lanes draw in order 0..N-1, sinks in the given order.

Uniform layouts (all little-endian):

- frame uniform, 16 bytes: ``f32 W, f32 H, f32 S, f32 pad`` (pixels), written with
  ``queue.write_buffer`` only when the target size changes.
- sink uniform, 64 bytes = 16 u32 (element offsets into the f32 ValueStore and lane strides, 0 for
  a signal): ``pos_off, pos_ls, pos_stride, lanes, color_off, color_ls, size_off, size_ls,
  rot_off, rot_ls, scale_off, scale_ls, shape_off, shape_ls, 0, 0``; written once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import wgpu

from ..program import SinkSpec, SlotMeta
from ..shaders_path import load_wgsl

FRAME_UNIFORM_BYTES = 16
SINK_UNIFORM_WORDS = 16
SINK_FIELDS = ("pos_off", "pos_ls", "pos_stride", "lanes", "color_off", "color_ls", "size_off",
               "size_ls", "rot_off", "rot_ls", "scale_off", "scale_ls", "shape_off", "shape_ls",
               "_pad0", "_pad1")

# (device, format) -> (device, bind group layout, pipeline); one pipeline shared by all sinks.
_PIPELINES: dict[tuple[int, str], tuple] = {}


def _pipeline(device, target_format: str):
    """The cached (bind group layout, render pipeline) for a device and colour target format."""
    key = (id(device), target_format)
    hit = _PIPELINES.get(key)
    if hit is not None and hit[0] is device:
        return hit[1], hit[2]
    module = device.create_shader_module(label="oscilla.instances", code=load_wgsl("instances.wgsl"))
    ub = {"type": wgpu.BufferBindingType.uniform}
    bgl = device.create_bind_group_layout(label="oscilla.instances", entries=[
        {"binding": 0, "visibility": wgpu.ShaderStage.VERTEX, "buffer": ub},
        {"binding": 1, "visibility": wgpu.ShaderStage.VERTEX, "buffer": ub},
        {"binding": 2, "visibility": wgpu.ShaderStage.VERTEX,
         "buffer": {"type": wgpu.BufferBindingType.read_only_storage}},
    ])
    layout = device.create_pipeline_layout(label="oscilla.instances", bind_group_layouts=[bgl])
    blend = {
        "color": {"operation": "add", "src_factor": "src-alpha", "dst_factor": "one-minus-src-alpha"},
        "alpha": {"operation": "add", "src_factor": "one", "dst_factor": "one-minus-src-alpha"},
    }
    pipeline = device.create_render_pipeline(
        label=f"oscilla.instances.{target_format}",
        layout=layout,
        vertex={"module": module, "entry_point": "vs_main", "buffers": []},
        primitive={"topology": "triangle-list", "cull_mode": "none"},
        fragment={"module": module, "entry_point": "fs_main",
                  "targets": [{"format": target_format, "blend": blend}]},
    )
    _PIPELINES[key] = (device, bgl, pipeline)
    return bgl, pipeline


def _lane_stride(meta: SlotMeta) -> int:
    return meta.stride if meta.instance is not None else 0


def sink_uniform_words(sink: SinkSpec, slot_meta: Sequence[SlotMeta]) -> np.ndarray:
    """The 16 u32 of a sink's uniform (see the module docstring), validating the slots.

    Raises:
        ValueError: a slot is not f32, has the wrong stride, or is a field with fewer lanes than
            the sink draws.
    """
    want = {"pos": (2, 3), "color": (4,), "size": (1,), "rotation": (1,), "scale": (1,),
            "shape": (5,)}
    words = {}
    for name, strides in want.items():
        slot = getattr(sink, name)
        meta = slot_meta[slot]
        if meta.storage != "f32":
            raise ValueError(f"sink {sink.block}: {name} slot s{slot} ({meta.name}) is {meta.storage}, "
                             "the renderer reads f32")
        if meta.stride not in strides:
            raise ValueError(f"sink {sink.block}: {name} slot s{slot} ({meta.name}) has stride "
                             f"{meta.stride}, expected {' or '.join(map(str, strides))}")
        if meta.instance is not None and meta.lanes < sink.lanes:
            raise ValueError(f"sink {sink.block}: {name} slot s{slot} ({meta.name}) has {meta.lanes} "
                             f"lanes, the sink draws {sink.lanes}")
        words[name] = (meta.offset, _lane_stride(meta), meta.stride)
    p, c, s, r, k, sh = (words[n] for n in ("pos", "color", "size", "rotation", "scale", "shape"))
    return np.array([p[0], p[1], p[2], sink.lanes, c[0], c[1], s[0], s[1], r[0], r[1], k[0], k[1],
                     sh[0], sh[1], 0, 0], dtype=np.uint32)


def _sanitize_background(bg) -> tuple[float, float, float, float]:
    """Straight-alpha RGBA clamped to [0, 1]; NaN -> 0 (same rule as element colours)."""
    out = []
    for v in tuple(bg)[:4]:
        v = float(v)
        out.append(0.0 if math.isnan(v) else min(max(v, 0.0), 1.0))
    if len(out) != 4:
        raise ValueError(f"background must have 4 components (RGBA), got {bg!r}")
    return tuple(out)


class InstanceRenderer:
    """Draws the sinks of a program from the ValueStore into a colour target.

    Everything (per-sink uniform buffers and bind groups, the frame uniform, the pipeline) is
    built here, once; :meth:`encode` only records a render pass.

    Args:
        device: the wgpu device (``oscilla.compat.get_device()``).
        value_buffer_f32: the ValueStore's f32 storage buffer (usage must include STORAGE).
        slot_meta: ``program.slot_meta``; offsets are f32 elements, lane stride = stride for a
            field, 0 for a signal.
        sinks: ``program.sinks``, drawn in this order.
        target_format: colour target format (the offscreen target is ``rgba8unorm``, no sRGB).
    """

    def __init__(self, device, value_buffer_f32, slot_meta: Sequence[SlotMeta],
                 sinks: Sequence[SinkSpec], target_format: str = "rgba8unorm"):
        self.device = device
        self.target_format = target_format
        self.sinks = tuple(sinks)
        self._bgl, self._pipeline = _pipeline(device, target_format)
        self._frame_buffer = device.create_buffer(
            label="oscilla.render.frame", size=FRAME_UNIFORM_BYTES,
            usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST)
        self._frame_size: tuple[int, int] | None = None
        self._sink_buffers = []
        self._draws: list[tuple[object, int]] = []
        for sink in self.sinks:
            words = sink_uniform_words(sink, slot_meta)
            ubuf = device.create_buffer_with_data(
                label=f"oscilla.render.sink.{sink.block}", data=words.tobytes(),
                usage=wgpu.BufferUsage.UNIFORM)
            bind_group = device.create_bind_group(layout=self._bgl, entries=[
                {"binding": 0, "resource": {"buffer": self._frame_buffer, "offset": 0,
                                            "size": FRAME_UNIFORM_BYTES}},
                {"binding": 1, "resource": {"buffer": ubuf, "offset": 0, "size": ubuf.size}},
                {"binding": 2, "resource": {"buffer": value_buffer_f32, "offset": 0,
                                            "size": value_buffer_f32.size}},
            ])
            self._sink_buffers.append(ubuf)
            if sink.lanes > 0:
                self._draws.append((bind_group, int(sink.lanes)))
        self._attach_key = None
        self._attachments = None

    @property
    def draw_count(self) -> int:
        """Draw calls per frame (sinks with at least one lane)."""
        return len(self._draws)

    def _set_size(self, width: int, height: int) -> None:
        if self._frame_size == (width, height):
            return
        if width <= 0 or height <= 0:
            raise ValueError(f"target size must be positive, got {width}x{height}")
        data = np.array([width, height, min(width, height), 0.0], dtype=np.float32)
        self.device.queue.write_buffer(self._frame_buffer, 0, data)
        self._frame_size = (width, height)

    def encode(self, encoder, target_view, width: int, height: int,
               background=(0.0, 0.0, 0.0, 1.0)) -> None:
        """Record one render pass into ``encoder``: clear to ``background``, then every sink.

        Args:
            encoder: a GPUCommandEncoder (submitted by the caller).
            target_view: the colour target's view (``target_format``, width x height pixels).
            width, height: target size in pixels (the viewport mapping of blocks.md §9.1).
            background: straight-alpha RGBA floats in [0, 1] (clamped, NaN -> 0).

        The frame uniform is rewritten (``queue.write_buffer``) only when the size changes; it is
        applied at the next submit, so encode several sizes into one submit only with separate
        renderers.
        """
        self._set_size(int(width), int(height))
        key = (id(target_view), tuple(background))
        if key != self._attach_key:
            self._attachments = [{
                "view": target_view,
                "clear_value": _sanitize_background(background),
                "load_op": wgpu.LoadOp.clear,
                "store_op": wgpu.StoreOp.store,
            }]
            self._attach_key = key
        rpass = encoder.begin_render_pass(color_attachments=self._attachments)
        if self._draws:
            rpass.set_pipeline(self._pipeline)
            for bind_group, lanes in self._draws:
                rpass.set_bind_group(0, bind_group)
                rpass.draw(6, lanes)
        rpass.end()
