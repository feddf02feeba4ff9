"""Instanced SDF renderer for RenderInstances2D sinks (docs/language/rendering.md; paths #paths, camera #camera).

Every render input is read by the vertex stage straight from the ValueStore's f32 storage
buffer, so a frame needs no CPU round trip. Without a Camera each sink is one ``draw(6, lanes)``
of a quad per lane; sinks draw in patch order, each with the render pipeline of its blend mode
(``oscilla/shaders/instances.wgsl``; one pipeline per mode).

With a Camera (``SinkSpec.camera``), a renderer-owned compute pass (``oscilla/shaders/camera_sort.wgsl``)
runs before the render pass: it resolves the camera once, projects every lane of every sink into
a per-sink projection buffer (screen x, screen y, k, depth), culls invisible lanes and sorts the
(key, lane) pairs with a stable LSD radix sort (key = depth descending; ties keep lane order;
culled lanes last) into a per-sink order buffer, and writes a draw-indirect record with the
visible count. Each sink is then one ``draw_indirect``. All buffers, uniforms, bind groups and
pipelines are built once here.

Geometry (docs/language/conventions.md#coordinates, docs/language/rendering.md#viewport, #geometry), for a W x H target
in pixels:

- S = min(W, H) pixels per world unit; world (x, y) -> pixel (W/2 + (x - 0.5) S, H/2 + (y - 0.5) S),
  y down. A view transform (:attr:`InstanceRenderer.view`, oscilla/drawing/view.py: pan and zoom,
  never model state) makes that (W/2 + (x - cx) S z, H/2 + (y - cy) S z); the identity is the above.
  Pixel (px, py) covers [px, px+1) x [py, py+1); its centre is at +0.5.
- lane i: g = scale * size_i * k (k = 1 without a perspective camera), theta = shape.rotation +
  rotation_i (radians, positive = clockwise on screen); a local point (lx, ly) in world units
  lands at p_i + R(theta) (lx, ly) g, p_i the (projected) position.
- ellipse (kind 0): semi-axes a g, b g. Rect (kind 1): full extents a g x b g, corner radius
  min(cornerRadius g, w/2, h/2) (never negative).
- coverage = clamp(0.5 - d, 0, 1), d = signed distance to the edge in pixels (negative inside);
  a pixel centre >= 1 px inside is fully covered, >= 1 px outside untouched.
- colour components clamped to [0, 1], NaN -> 0; alpha = a * coverage; the sink's blend mode
  (``SinkSpec.blend``, :data:`oscilla.drawing.sink_pipeline.BLEND_STATES`: one pipeline per mode)
  composites the fragment's output; "over" is C <- c alpha + C (1 - alpha), A <- alpha + A (1 - alpha).
- strokes (``SinkSpec.stroke_width``): the band |d| <= h, h = strokeWidth S k / 2 pixels, coverage
  clamp(0.5 - (d - h)) - clamp(0.5 - (d + h)), in strokeColor over the fill (composited in the fragment).
- a lane with a non-finite x, y, size, rotation, scale (or shape parameter) is not drawn; without
  a camera z of a vec3 position is ignored.
- without a camera lanes draw in order 0..N-1; with one, far to near (stable); sinks in the given
  order either way.
- a path shape (kind 2, ``SinkSpec.path``) is the closed polygon through its control points in
  lane order (local offsets in world units), filled with the nonzero rule; its quad bounds the
  control points' largest distance from the origin; a non-finite control point hides the element.

Uniform layouts (declared once in oscilla/abi/uniforms.py, which also generates their WGSL structs;
packed by member name):

- frame uniform (RENDER_FRAME, 32 bytes): ``size = (W, H)``, ``scale = S z`` (pixels per world
  unit), ``center = (cx, cy)`` (world), written with ``queue.write_buffer`` only when the target size
  or the view changes.
- sink uniform (SINK, 112 bytes = 28 u32: element offsets into the f32 ValueStore and lane strides,
  0 for a signal, of pos, color, size, rotation, scale, shape and path; ``camera`` (0/1),
  ``cam_off``, ``sort_threads``; ``stroke`` (0/1) and strokeWidth / strokeColor offsets and lane
  strides); written once. ``sort_threads`` is T, the invocations of the
  radix histogram/scatter kernels (each owns a contiguous chunk of ceil(lanes / T) lanes).
- radix-pass uniform (RADIX_STEP, camera only; oscilla/drawing/camera_sort.py).

Camera (docs/language/rendering.md#camera), resolved on the GPU once per frame from the Camera's packed signal
``(projection, centerX, centerY, distance, tiltDeg, yawDeg, fovYDeg, near, far)``: a non-finite
input takes the fallback value of that input (ortho, 0.5, 0.5, 2, 0, 0, 45, 0.01, 100), then the
sanitising rules apply. Orthographic: screen = (x, y), depth = (z + 100)/200, visible iff
-100 <= z <= 100, k = 1. Perspective: see docs/language/rendering.md#perspective; k = 0.5/(z_v h). Screen coordinates
map to pixels exactly like world coordinates (docs/language/rendering.md#viewport).

Cost per camera sink: 1 key dispatch (one invocation per lane) and 4 radix passes of 3
dispatches (histogram, scan, scatter), 13 dispatches whatever the lane count, plus one camera
resolve per frame; O(lanes) work and memory (order 2 x 8 bytes, projection 16 bytes per lane,
histogram 256 x T x 4 bytes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import wgpu

from oscilla.abi.uniforms import RENDER_FRAME, SINK
from oscilla.drawing.camera_sort import CAMERA_WORDS, CameraSort, CameraSortSink, radix_threads
from oscilla.drawing.images import ImageTextures, image_bind_group, image_pipeline
from oscilla.drawing.lines import line_draw
from oscilla.drawing.sink_pipeline import sink_pipeline
from oscilla.drawing.splat import SplatSink, pick_splat_sinks, splat_eligible
from oscilla.drawing.text import text_bind_group, text_pipeline
from oscilla.drawing.view import IDENTITY, ViewTransform
from oscilla.program import ImageData, SinkSpec, SlotMeta


def _layout_entries() -> list[dict]:
    ub = {"type": wgpu.BufferBindingType.uniform}
    ro = {"type": wgpu.BufferBindingType.read_only_storage}
    vs, vf = wgpu.ShaderStage.VERTEX, wgpu.ShaderStage.VERTEX | wgpu.ShaderStage.FRAGMENT
    return [
        {"binding": 0, "visibility": vs, "buffer": ub},
        {"binding": 1, "visibility": vf, "buffer": ub},
        {"binding": 2, "visibility": vf, "buffer": ro},
        {"binding": 3, "visibility": vs, "buffer": ro},
        {"binding": 4, "visibility": vs, "buffer": ro},
    ]


#: shape kinds of the specialized pipelines (the WGSL override SHAPE_KIND of instances.wgsl)
SHAPE_ELLIPSE, SHAPE_RECT, SHAPE_PATH, SHAPE_ANY, SHAPE_CIRCLE = 0, 1, 2, 3, 4
#: an Image sink's kind: its own shader and pipelines (oscilla/drawing/images.py), never splatted
SHAPE_IMAGE = 5
#: a Text sink's kind: its own shader and pipelines (oscilla/drawing/text.py), never splatted
SHAPE_TEXT = 6

#: shape kinds the compute splat rasterizer draws (oscilla/drawing/splat.py)
SPLAT_KINDS = frozenset({SHAPE_ELLIPSE, SHAPE_RECT, SHAPE_CIRCLE})

#: bounding radius limit (pixels) of ``raster="splat"``, which splats whatever the lane count
FORCED_SPLAT_RADIUS = 64.0


def static_shape_kind(nodes: Sequence[Any] | None, slot_meta: Sequence[SlotMeta], sink: SinkSpec) -> int:
    """The sink's shape kind when the compiler made it a constant (``SHAPE_*``), else ``SHAPE_ANY``;
    ``SHAPE_IMAGE`` for a sink whose shape is an Image.

    ``nodes`` is ``program.nodes`` (None: unknown, ``SHAPE_ANY``). The kind component of the shape
    slot must be a ``const`` node; an ellipse whose semi-axes are the same constant is a circle. The
    kind maps as the vertex stage reads it (> 1.5 path, > 0.5 rect, else ellipse).
    """
    if getattr(sink, "kind", "instances") != "instances":
        return SHAPE_ANY  # a line sink (oscilla/drawing/lines.py) has no shape
    if getattr(sink, "text", None) is not None:
        return SHAPE_TEXT  # docs/language/rendering.md#text
    if getattr(sink, "image", None) is not None:
        return SHAPE_IMAGE  # docs/language/rendering.md#images
    comps = slot_meta[sink.shape].components if nodes is not None else ()
    if len(comps) < 3:
        return SHAPE_ANY

    def const(i: int) -> float | None:
        node = nodes[comps[i]] if nodes is not None and comps[i] < len(nodes) else None
        if node is None or node.op != "const" or not node.attrs:
            return None
        try:
            v = float(node.attrs[0])
        except (TypeError, ValueError):
            return None
        return v if math.isfinite(v) else None

    kind = const(0)
    if kind is None:
        return SHAPE_ANY
    if kind > 1.5:
        return SHAPE_PATH
    if kind > 0.5:
        return SHAPE_RECT
    a, b = const(1), const(2)
    return SHAPE_CIRCLE if a is not None and a == b else SHAPE_ELLIPSE


def _pipeline(device: Any, target_format: str, blend: str = "over", shape_kind: int = SHAPE_ANY) -> tuple[Any, Any]:
    """(bind group layout, render pipeline) for a device, colour target format, blend mode
    (:data:`oscilla.drawing.sink_pipeline.BLEND_STATES`) and shape kind (``SHAPE_*``: the fragment
    stage specialized to one distance function, ``SHAPE_ANY`` reads the kind per lane), from the pipeline cache.

    Raises:
        ValueError: ``blend`` is not a blend mode, or ``shape_kind`` is not a shape kind.
    """
    if shape_kind not in (SHAPE_ELLIPSE, SHAPE_RECT, SHAPE_PATH, SHAPE_ANY, SHAPE_CIRCLE):
        raise ValueError(f"unknown shape kind {shape_kind!r}; expected 0..4")
    return sink_pipeline(device, "instances.wgsl", _layout_entries(), target_format, blend, {"SHAPE_KIND": shape_kind})


def _lane_stride(meta: SlotMeta) -> int:
    return meta.stride if meta.instance is not None else 0


def sink_uniform_bytes(sink: SinkSpec, slot_meta: Sequence[SlotMeta]) -> bytes:
    """A sink's uniform (:data:`oscilla.abi.uniforms.SINK`, 112 bytes), validating the slots.

    Raises:
        ValueError: a slot is not f32, has the wrong stride, or is a field with fewer lanes than
            the sink draws; the path slot is not an f32 vec2; the camera slot is not 9 f32.
    """
    want = {"pos": (2, 3), "color": (4,), "size": (1,), "rotation": (1,), "scale": (1,), "shape": (5,)}
    refs = {}
    for name, strides in want.items():
        slot = getattr(sink, name)
        meta = slot_meta[slot]
        if meta.storage != "f32":
            raise ValueError(
                f"sink {sink.block}: {name} slot s{slot} ({meta.name}) is {meta.storage}, the renderer reads f32"
            )
        if meta.stride not in strides:
            raise ValueError(
                f"sink {sink.block}: {name} slot s{slot} ({meta.name}) has stride "
                f"{meta.stride}, expected {' or '.join(map(str, strides))}"
            )
        if meta.instance is not None and meta.lanes < sink.lanes:
            raise ValueError(
                f"sink {sink.block}: {name} slot s{slot} ({meta.name}) has {meta.lanes} "
                f"lanes, the sink draws {sink.lanes}"
            )
        refs[name] = (meta.offset, _lane_stride(meta), meta.stride)
    p, c, s, r, k, sh = (refs[n] for n in ("pos", "color", "size", "rotation", "scale", "shape"))
    path = (0, 0, 0)
    if sink.path is not None:
        meta = slot_meta[sink.path]
        if meta.storage != "f32" or meta.stride != 2:
            raise ValueError(
                f"sink {sink.block}: path slot s{sink.path} ({meta.name}) must be an f32 vec2 "
                f"(got {meta.storage}, stride {meta.stride})"
            )
        path = (meta.offset, meta.lanes, _lane_stride(meta))
    cam = (0, 0)
    if sink.camera is not None:
        meta = slot_meta[sink.camera]
        if meta.storage != "f32" or meta.stride != CAMERA_WORDS or meta.instance is not None:
            raise ValueError(
                f"sink {sink.block}: camera slot s{sink.camera} ({meta.name}) must be a signal of "
                f"{CAMERA_WORDS} f32 (got {meta.storage}, stride {meta.stride})"
            )
        cam = (1, meta.offset)
    stroke = (0, 0, 0, 0, 0)
    if sink.stroke_width is not None and sink.stroke_color is not None:
        for name, slot, stride in (("strokeWidth", sink.stroke_width, 1), ("strokeColor", sink.stroke_color, 4)):
            meta = slot_meta[slot]
            if (
                meta.storage != "f32"
                or meta.stride != stride
                or (meta.instance is not None and meta.lanes < sink.lanes)
            ):
                raise ValueError(
                    f"sink {sink.block}: {name} slot s{slot} ({meta.name}) must be f32 of stride {stride} "
                    f"(got {meta.storage}, stride {meta.stride}, {meta.lanes} lanes)"
                )
        sw, sc = slot_meta[sink.stroke_width], slot_meta[sink.stroke_color]
        stroke = (1, sw.offset, _lane_stride(sw), sc.offset, _lane_stride(sc))
    return SINK.pack(
        pos_off=p[0],
        pos_ls=p[1],
        pos_stride=p[2],
        lanes=sink.lanes,
        color_off=c[0],
        color_ls=c[1],
        size_off=s[0],
        size_ls=s[1],
        rot_off=r[0],
        rot_ls=r[1],
        scale_off=k[0],
        scale_ls=k[1],
        shape_off=sh[0],
        shape_ls=sh[1],
        path_off=path[0],
        path_count=path[1],
        path_ls=path[2],
        camera=cam[0],
        cam_off=cam[1],
        sort_threads=radix_threads(sink.lanes),
        stroke=stroke[0],
        sw_off=stroke[1],
        sw_ls=stroke[2],
        sc_off=stroke[3],
        sc_ls=stroke[4],
    )


def _sanitize_background(bg) -> tuple[float, float, float, float]:
    """Straight-alpha RGBA clamped to [0, 1]; NaN -> 0 (same rule as element colours)."""
    out = []
    for v in tuple(bg)[:4]:
        v = float(v)
        out.append(0.0 if math.isnan(v) else min(max(v, 0.0), 1.0))
    if len(out) != 4:
        raise ValueError(f"background must have 4 components (RGBA), got {bg!r}")
    return out[0], out[1], out[2], out[3]


class InstanceRenderer:
    """Draws the sinks of a program from the ValueStore into a colour target.

    Everything (per-sink uniform buffers and bind groups, the frame uniform, the pipelines and,
    with a Camera, the projection / sort / draw-indirect buffers) is built here, once;
    :meth:`encode` only records the camera compute pass (if any) and a render pass.

    Args:
        device: the wgpu device (``oscilla.gpu.device.get_device()``).
        value_buffer_f32: the ValueStore's f32 storage buffer (usage must include STORAGE).
        slot_meta: ``program.slot_meta``; offsets are f32 elements, lane stride = stride for a
            field, 0 for a signal.
        sinks: ``program.sinks``, drawn in this order.
        target_format: colour target format (the offscreen target is ``rgba8unorm``, no sRGB).
        nodes: ``program.nodes``; when given, a sink whose shape is a compile-time constant draws with
            a pipeline specialized to its kind (:func:`static_shape_kind`; same images, less
            fragment work), otherwise every sink uses the generic pipeline.
        raster: "auto" (default): sinks of many small circles, ellipses or rects draw with the
            compute splat rasterizer (:mod:`oscilla.drawing.splat`) in frames where every lane is
            at most ``SPLAT_MAX_RADIUS[blend]`` pixels in bounding radius; "quads": always instanced quads; "splat":
            every eligible sink splats whatever its lane count (frames with a lane over
            ``FORCED_SPLAT_RADIUS`` pixels draw quads). Needs ``nodes`` (the shape kind).
        images: ``program.images``, uploaded as textures here when a sink draws an Image
            (:mod:`oscilla.drawing.images`; never splatted).

    Raises:
        ValueError: ``raster`` is not a raster mode; a sink's slots do not fit the renderer.
    """

    def __init__(
        self,
        device,
        value_buffer_f32,
        slot_meta: Sequence[SlotMeta],
        sinks: Sequence[SinkSpec],
        target_format: str = "rgba8unorm",
        nodes: Sequence[Any] | None = None,
        raster: str = "auto",
        images: Sequence[ImageData] = (),
    ):
        self.device = device
        self.target_format = target_format
        self.sinks = tuple(sinks)
        self._bgl, self._pipeline = _pipeline(device, target_format)
        #: (blend mode, shape kind) -> render pipeline, one per pair the sinks use
        #: (docs/language/rendering.md#blend-modes; kinds from static_shape_kind(nodes, ...))
        self._pipelines = {("over", SHAPE_ANY): self._pipeline}
        #: per sink, the shape kind its pipeline is specialized to (SHAPE_ANY without ``nodes``)
        self.shape_kinds = tuple(static_shape_kind(nodes, slot_meta, s) for s in self.sinks)
        for sink, kind in zip(self.sinks, self.shape_kinds, strict=True):
            if kind == SHAPE_IMAGE:
                if (sink.blend, kind) not in self._pipelines:
                    self._image_bgl, self._pipelines[(sink.blend, kind)] = image_pipeline(
                        device, target_format, sink.blend
                    )
                continue
            if kind == SHAPE_TEXT:
                if (sink.blend, kind) not in self._pipelines:
                    self._text_bgl, self._pipelines[(sink.blend, kind)] = text_pipeline(
                        device, target_format, sink.blend
                    )
                continue
            if (sink.blend, kind) not in self._pipelines:
                self._pipelines[(sink.blend, kind)] = _pipeline(device, target_format, sink.blend, kind)[1]
        self._frame_buffer = device.create_buffer(
            label="oscilla.render.frame",
            size=RENDER_FRAME.size,
            usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST,
        )
        self._frame_key: tuple[int, int, ViewTransform] | None = None
        #: the pan / zoom applied to everything this renderer draws (oscilla/drawing/view.py)
        self.view: ViewTransform = IDENTITY
        self._sink_buffers = []
        self._image_grids: list[Any] = []  # the Image sinks' grid uniforms, kept alive with their bind groups
        # (bind group, lanes, camera sink or None, pipeline, splat path or None, vertices per lane) per drawn sink
        self._draws: list[tuple[object, int, CameraSortSink | None, Any, SplatSink | None, int]] = []
        splatting = pick_splat_sinks(
            [
                (i, int(s.lanes))
                for i, (s, kind) in enumerate(zip(self.sinks, self.shape_kinds, strict=True))
                if splat_eligible(s, kind, SPLAT_KINDS)
            ],
            raster,
        )
        max_radius = FORCED_SPLAT_RADIUS if raster == "splat" else None  # None: the blend mode's limit
        #: the sinks' compute splat paths (oscilla/drawing/splat.py), by sink index
        self.splats: dict[int, SplatSink] = {}
        self._camera_sinks: list[CameraSortSink | None] = []
        #: the program's images as textures, uploaded once (Image sinks only)
        self.textures = (
            ImageTextures(device, images) if any(k in (SHAPE_IMAGE, SHAPE_TEXT) for k in self.shape_kinds) else None
        )
        storage = wgpu.BufferUsage.STORAGE
        self._dummy = device.create_buffer(label="oscilla.render.dummy", size=16, usage=storage)
        val = {"buffer": value_buffer_f32, "offset": 0, "size": value_buffer_f32.size}
        cam_used = any(s.camera is not None and s.lanes > 0 for s in self.sinks)
        #: the camera pass (resolve; projection, culling and far-to-near sort of shape sinks), when a
        #: sink with lanes has a Camera (line sinks bind its resolved camera)
        self.camera_sort = CameraSort(device, val) if cam_used else None
        for index, (sink, kind) in enumerate(zip(self.sinks, self.shape_kinds, strict=True)):
            if sink.kind == "lines":  # RenderLines2D (oscilla/drawing/lines.py), in patch order with the shapes
                bind_group, segments, pipeline, ubuf = line_draw(
                    device, target_format, sink, slot_meta, self._frame_buffer, val, self.camera_sort
                )
                self._sink_buffers.append(ubuf)
                self._camera_sinks.append(None)
                if segments > 0:
                    self._draws.append((bind_group, segments, None, pipeline, None, 6))
                continue
            ubuf = device.create_buffer_with_data(
                label=f"oscilla.render.sink.{sink.block}",
                data=sink_uniform_bytes(sink, slot_meta),
                usage=wgpu.BufferUsage.UNIFORM,
            )
            cs = None
            if self.camera_sort is not None and sink.camera is not None and sink.lanes > 0:
                cs = self.camera_sort.add_sink(sink, ubuf)
            proj = cs.proj if cs else self._dummy
            order = cs.order if cs else self._dummy
            resources = [
                {"buffer": self._frame_buffer, "offset": 0, "size": RENDER_FRAME.size},
                {"buffer": ubuf, "offset": 0, "size": ubuf.size},
                val,
                {"buffer": proj, "offset": 0, "size": proj.size},
                {"buffer": order, "offset": 0, "size": order.size},
            ]
            if kind == SHAPE_IMAGE:
                assert self.textures is not None
                bind_group, grid = image_bind_group(device, self._image_bgl, sink, self.textures, resources)
                self._image_grids.append(grid)
            elif kind == SHAPE_TEXT:
                assert self.textures is not None and sink.text is not None
                bind_group, held = text_bind_group(
                    device, self._text_bgl, sink, self.textures, resources, cs.indirect if cs else self._dummy
                )
                self._image_grids.extend(held)
            else:
                bind_group = device.create_bind_group(
                    layout=self._bgl, entries=[{"binding": i, "resource": r} for i, r in enumerate(resources)]
                )
            self._sink_buffers.append(ubuf)
            self._camera_sinks.append(cs)
            splat: SplatSink | None = None
            if index in splatting:
                splat = self.splats[index] = SplatSink(
                    device, target_format, sink, kind, self._frame_buffer, ubuf, val, max_radius
                )
            if sink.lanes > 0 and kind == SHAPE_TEXT:  # 6 vertices per character slot, every lane (text.wgsl)
                assert sink.text is not None
                pipeline = self._pipelines[(sink.blend, kind)]
                self._draws.append((bind_group, int(sink.lanes), None, pipeline, None, 6 * sink.text.slots))
            elif sink.lanes > 0:
                self._draws.append((bind_group, int(sink.lanes), cs, self._pipelines[(sink.blend, kind)], splat, 6))
        self._attach_key: tuple[int, tuple, bool] | None = None
        self._attachments: list[dict[str, Any]] | None = None

    @property
    def draw_count(self) -> int:
        """Draw calls per frame (sinks with at least one lane)."""
        return len(self._draws)

    @property
    def compute_dispatches(self) -> int:
        """Compute dispatches per frame: the camera pass (0 without a Camera) and the splat kernels."""
        splat = sum(s.dispatches for s in self.splats.values())
        return (self.camera_sort.dispatch_count if self.camera_sort else 0) + splat

    def encode_camera(self, encoder: Any) -> None:
        """Record the camera compute pass into ``encoder`` (nothing without a Camera);
        :meth:`encode` calls it."""
        if self.camera_sort:
            self.camera_sort.encode(encoder)

    # -- debug readback (tests); each waits for the GPU -------------------------------------------
    def _camera_sink(self, index: int) -> CameraSortSink:
        cs = self._camera_sinks[index]
        if cs is None or self.camera_sort is None:
            raise ValueError(f"sink {self.sinks[index].block} has no camera pass (no Camera, or no lanes)")
        return cs

    def read_projection(self, index: int) -> np.ndarray:
        """Sink ``index``'s projection after the last camera pass: (lanes, 4) float32 rows
        (screen x, screen y, k, depth), culled lanes included."""
        cs = self._camera_sink(index)  # raises first when the sink has no camera pass
        return self.camera_sort.read_projection(cs)  # type: ignore[union-attr]

    def read_order(self, index: int) -> np.ndarray:
        """The lanes sink ``index`` draws, in draw order (far first), after the last camera pass."""
        cs = self._camera_sink(index)
        return self.camera_sort.read_order(cs)  # type: ignore[union-attr]

    def read_camera(self) -> np.ndarray:
        """The resolved camera of the last camera pass, (5, 4) float32: (perspective, h, near,
        far), eye, right, up, forward."""
        if self.camera_sort is None:
            raise ValueError("no camera pass (the program has no Camera)")
        return self.camera_sort.read_camera()

    def _set_size(self, width: int, height: int) -> None:
        key = (width, height, self.view)
        if self._frame_key == key:
            return
        if width <= 0 or height <= 0:
            raise ValueError(f"target size must be positive, got {width}x{height}")
        data = RENDER_FRAME.pack(size=(width, height), scale=self.view.scale(width, height), center=self.view.center)
        self.device.queue.write_buffer(self._frame_buffer, 0, data)
        resized = self._frame_key is None or self._frame_key[:2] != (width, height)
        self._frame_key = key
        if resized:
            for splat in self.splats.values():
                splat.resize(width, height)

    def encode(
        self, encoder, target_view, width: int, height: int, background=(0.0, 0.0, 0.0, 1.0), *, clear: bool = True
    ) -> None:
        """Record the camera compute pass (with a Camera) and one render pass into ``encoder``:
        clear to ``background`` (or, with ``clear=False``, keep what the target holds: trails,
        docs/language/rendering.md#trails), then every sink.

        Args:
            encoder: a GPUCommandEncoder (submitted by the caller).
            target_view: the colour target's view (``target_format``, width x height pixels).
            width, height: target size in pixels (the viewport mapping of docs/language/rendering.md#viewport).
            background: straight-alpha RGBA floats in [0, 1] (clamped, NaN -> 0).

        The frame uniform is rewritten (``queue.write_buffer``) only when the size changes; it is
        applied at the next submit, so encode several sizes into one submit only with separate
        renderers.
        """
        self._set_size(int(width), int(height))
        self.encode_camera(encoder)
        for splat_sink in self.splats.values():
            splat_sink.encode(encoder)
        key = (id(target_view), tuple(background), clear)
        if key != self._attach_key:
            self._attachments = [
                {
                    "view": target_view,
                    "clear_value": _sanitize_background(background),
                    "load_op": wgpu.LoadOp.clear if clear else wgpu.LoadOp.load,
                    "store_op": wgpu.StoreOp.store,
                }
            ]
            self._attach_key = key
        rpass = encoder.begin_render_pass(color_attachments=self._attachments)
        if self._draws:
            current = None
            for bind_group, lanes, cs, pipeline, splat, vertices in self._draws:
                if splat is not None:  # quads or the splat resolve, as the splat kernel chose
                    splat.draw(rpass, pipeline, bind_group)
                    current = None
                    continue
                if pipeline is not current:  # sinks in patch order, each with its blend mode's pipeline
                    rpass.set_pipeline(pipeline)
                    current = pipeline
                rpass.set_bind_group(0, bind_group)
                if cs is None:
                    rpass.draw(vertices, lanes)
                else:
                    rpass.draw_indirect(cs.indirect, 0)
        rpass.end()
