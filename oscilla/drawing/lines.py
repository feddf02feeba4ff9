"""Line segments for RenderLines2D sinks (docs/language/rendering.md#lines).

A line sink (``SinkSpec.kind == "lines"``) is one ``draw(6, segments)`` of a quad per segment
(``oscilla/shaders/lines.wgsl``), recorded by :class:`oscilla.drawing.instances.InstanceRenderer`
in the render pass between the shape sinks, in patch order. Every input is read by the vertex
stage straight from the ValueStore's f32 buffer; nothing is allocated per frame.

Geometry, for a W x H target (the viewport mapping of docs/language/rendering.md#viewport,
S = min(W, H) pixels per world unit):

- segments: pairs a_i -> b_i (``lanes`` of them), strip a_i -> a_(i+1) (``lanes - 1``), loop the
  strip plus a_(N-1) -> a_0 (``lanes`` when there are at least 3 lanes, else as strip); segment i
  has the width and colour of lane i.
- h = width S / 2 pixels; d = the signed distance in pixels from a pixel centre to the segment's
  box (butt cap: from endpoint to endpoint, half width h) or capsule (round cap: extends by h past
  each endpoint); coverage = clamp(0.5 - d, 0, 1): a pixel centre >= 1 px inside is fully covered,
  >= 1 px outside untouched.
- a segment with a non-finite endpoint (x or y) or width is not drawn, nor a butt segment of zero
  length; without a Camera z is ignored. Colour components are clamped to [0, 1] (NaN -> 0).
- blend modes composite exactly like RenderInstances2D's (:data:`oscilla.drawing.sink_pipeline.BLEND_STATES`).
- with a Camera (``SinkSpec.camera``) each endpoint (x, y, z; z = 0 for a vec2) is projected like a
  shape's position (docs/language/rendering.md#camera) through the camera resolved once per frame
  by :class:`oscilla.drawing.camera_sort.CameraSort` (its 80-byte buffer is bound read-only):
  screen position and k (1 orthographic, 0.5 / (z_v h) perspective). The segment joins the two
  screen positions and its width is width * (k_a + k_b) / 2. A segment with a culled endpoint
  (orthographic: z outside [-100, 100]; perspective: z_v outside [near, far], behind the eye
  included) is not drawn. Lines are not depth-sorted: segments draw in lane order, sinks in
  patch order.

Uniform: :data:`oscilla.abi.uniforms.LINE_SINK` (64 bytes, written once per sink).
Bindings: 0 frame uniform, 1 LINE_SINK, 2 ValueStore f32, 3 resolved camera (a 80-byte dummy
without a Camera).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import wgpu

from oscilla.abi.uniforms import LINE_SINK, RENDER_FRAME, RESOLVED_CAMERA
from oscilla.drawing.camera_sort import CAMERA_WORDS
from oscilla.drawing.sink_pipeline import sink_pipeline
from oscilla.program import SinkSpec, SlotMeta

#: ``connect`` and ``cap`` as the shader's codes
CONNECT_CODES = {"pairs": 0, "strip": 1, "loop": 2}
CAP_CODES = {"butt": 0, "round": 1}


def line_segments(sink: SinkSpec) -> int:
    """The segments a line sink draws: lanes (pairs; loop with >= 3 lanes) or lanes - 1 (strip,
    and loop with fewer than 3 lanes), never negative."""
    n = int(sink.lanes)
    if sink.connect == "pairs" or (sink.connect == "loop" and n >= 3):
        return n
    return max(n - 1, 0)


def _lane_stride(meta: SlotMeta) -> int:
    return meta.stride if meta.instance is not None else 0


def line_uniform_bytes(sink: SinkSpec, slot_meta: Sequence[SlotMeta]) -> bytes:
    """A line sink's uniform (:data:`oscilla.abi.uniforms.LINE_SINK`, 64 bytes), validating the slots.

    Raises:
        ValueError: ``connect`` / ``cap`` unknown; a slot is not f32, has the wrong stride, or is
            a field with fewer lanes than the sink draws; ``b`` missing in pairs mode; the camera
            slot is not a signal of 9 f32.
    """
    if sink.connect not in CONNECT_CODES or sink.cap not in CAP_CODES:
        raise ValueError(f"sink {sink.block}: connect {sink.connect!r} / cap {sink.cap!r} unknown")
    if sink.connect == "pairs" and sink.b is None:
        raise ValueError(f"sink {sink.block}: connect 'pairs' needs the b slot")
    b_slot = sink.b if sink.b is not None else sink.pos
    refs = {}
    for name, slot, strides in (
        ("a", sink.pos, (2, 3)),
        ("b", b_slot, (2, 3)),
        ("width", sink.size, (1,)),
        ("color", sink.color, (4,)),
    ):
        meta = slot_meta[slot]
        if (
            meta.storage != "f32"
            or meta.stride not in strides
            or (meta.instance is not None and meta.lanes < sink.lanes)
        ):
            raise ValueError(
                f"sink {sink.block}: {name} slot s{slot} ({meta.name}) must be f32 of stride "
                f"{' or '.join(map(str, strides))} with {sink.lanes} lanes (got {meta.storage}, "
                f"stride {meta.stride}, {meta.lanes} lanes)"
            )
        refs[name] = (meta.offset, _lane_stride(meta), meta.stride)
    camera_slot_offset(sink, slot_meta)  # validates the camera slot
    return LINE_SINK.pack(
        a_off=refs["a"][0],
        a_ls=refs["a"][1],
        a_stride=refs["a"][2],
        lanes=sink.lanes,
        b_off=refs["b"][0],
        b_ls=refs["b"][1],
        b_stride=refs["b"][2],
        segments=line_segments(sink),
        width_off=refs["width"][0],
        width_ls=refs["width"][1],
        color_off=refs["color"][0],
        color_ls=refs["color"][1],
        connect=CONNECT_CODES[sink.connect],
        cap=CAP_CODES[sink.cap],
        camera=int(sink.camera is not None),
    )


def camera_slot_offset(sink: SinkSpec, slot_meta: Sequence[SlotMeta]) -> int | None:
    """ValueStore offset (f32 elements) of the Camera's packed signal a line sink reads, or None
    without a Camera.

    Raises:
        ValueError: the camera slot is not a signal of 9 f32.
    """
    if sink.camera is None:
        return None
    meta = slot_meta[sink.camera]
    if meta.storage != "f32" or meta.stride != CAMERA_WORDS or meta.instance is not None:
        raise ValueError(
            f"sink {sink.block}: camera slot s{sink.camera} ({meta.name}) must be a signal of "
            f"{CAMERA_WORDS} f32 (got {meta.storage}, stride {meta.stride})"
        )
    return int(meta.offset)


def line_pipeline(device: Any, target_format: str, blend: str = "over") -> tuple[Any, Any]:
    """(bind group layout, render pipeline) of line sinks for a device, colour target format and
    blend mode, from the pipeline cache.

    Raises:
        ValueError: ``blend`` is not a blend mode.
    """
    ub = {"type": wgpu.BufferBindingType.uniform}
    vs, vf = wgpu.ShaderStage.VERTEX, wgpu.ShaderStage.VERTEX | wgpu.ShaderStage.FRAGMENT
    entries = [
        {"binding": 0, "visibility": vs, "buffer": ub},
        {"binding": 1, "visibility": vf, "buffer": ub},
        {"binding": 2, "visibility": vs, "buffer": {"type": wgpu.BufferBindingType.read_only_storage}},
        {"binding": 3, "visibility": vs, "buffer": {"type": wgpu.BufferBindingType.read_only_storage}},
    ]
    return sink_pipeline(device, "lines.wgsl", entries, target_format, blend)


def line_draw(
    device: Any,
    target_format: str,
    sink: SinkSpec,
    slot_meta: Sequence[SlotMeta],
    frame_buffer: Any,
    values: dict[str, Any],
    camera_sort: Any = None,
) -> tuple[Any, int, Any, Any]:
    """Everything a line sink's draw needs, built once: (bind group, segments, render pipeline,
    uniform buffer). ``values`` is the ValueStore f32 buffer binding; ``frame_buffer`` the
    renderer's RENDER_FRAME uniform; ``camera_sort`` the renderer's
    :class:`oscilla.drawing.camera_sort.CameraSort` (required when the sink has a Camera; its
    resolve then runs every frame).

    Raises:
        ValueError: as :func:`line_uniform_bytes` and :func:`line_pipeline`; the sink has a
            Camera and lanes but no ``camera_sort`` was given.
    """
    bgl, pipeline = line_pipeline(device, target_format, sink.blend)
    data = line_uniform_bytes(sink, slot_meta)
    cam_off = camera_slot_offset(sink, slot_meta)
    if cam_off is not None and camera_sort is None and sink.lanes > 0:
        raise ValueError(f"sink {sink.block}: has a Camera but the renderer has no camera pass")
    if cam_off is not None and camera_sort is not None:
        cam = camera_sort.camera_binding(cam_off)
    else:
        dummy = device.create_buffer(
            label="oscilla.render.lines.nocamera", size=RESOLVED_CAMERA.size, usage=wgpu.BufferUsage.STORAGE
        )
        cam = {"buffer": dummy, "offset": 0, "size": dummy.size}
    ubuf = device.create_buffer_with_data(
        label=f"oscilla.render.lines.{sink.block}", data=data, usage=wgpu.BufferUsage.UNIFORM
    )
    bind_group = device.create_bind_group(
        layout=bgl,
        entries=[
            {"binding": 0, "resource": {"buffer": frame_buffer, "offset": 0, "size": RENDER_FRAME.size}},
            {"binding": 1, "resource": {"buffer": ubuf, "offset": 0, "size": ubuf.size}},
            {"binding": 2, "resource": values},
            {"binding": 3, "resource": cam},
        ],
    )
    return bind_group, line_segments(sink), pipeline, ubuf
