"""The camera pass: projection, culling and a stable far-to-near radix sort, on the GPU.

With a Camera (``SinkSpec.camera``) the renderer records this compute pass
(``oscilla/shaders/camera_sort.wgsl``) just before its render pass. It resolves the camera once
per frame, projects every lane of every camera sink into a per-sink projection buffer
(screen x, screen y, k, depth), culls invisible lanes and sorts the (key, lane) pairs with a
stable LSD radix sort (key = depth descending; ties keep lane order; culled lanes last) into a
per-sink order buffer, and writes a draw-indirect record with the visible count.

Radix-pass uniform (:data:`oscilla.abi.uniforms.RADIX_STEP`): one 16-byte record ``shift, flip,
last`` per pass at ``min-uniform-buffer-offset-alignment`` strides, selected with a dynamic offset;
written once.

Cost per camera sink: 1 key dispatch (one invocation per lane) and 4 radix passes of 3
dispatches (histogram, scan, scatter), 13 dispatches whatever the lane count, plus one camera
resolve per frame; O(lanes) work and memory (order 2 x 8 bytes, projection 16 bytes per lane,
histogram 256 x T x 4 bytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import wgpu

from oscilla.abi.dispatch import dispatch_grid
from oscilla.abi.uniforms import RADIX_STEP, RESOLVED_CAMERA, SINK
from oscilla.gpu.pipelines import PIPELINES
from oscilla.program import SinkSpec
from oscilla.shaders import shader_source

#: radix sort: lanes per histogram/scatter invocation at least, and at most this many invocations
RADIX_CHUNK = 512
RADIX_MAX_THREADS = 512
RADIX_PASSES = 4  # 8-bit digits of a 32-bit key
#: f32 values of the packed Camera signal (blocks/render.py CAMERA_INPUTS)
CAMERA_WORDS = 9
CAMERA_BYTES = RESOLVED_CAMERA.size  # the resolved camera (struct Cam of camera_sort.wgsl), 80
#: entry points of camera_sort.wgsl
SORT_ENTRIES = ("resolve", "keys", "radix_hist", "radix_scan", "radix_scatter")


def radix_threads(lanes: int) -> int:
    """T: invocations of the radix histogram/scatter kernels for ``lanes`` (1..RADIX_MAX_THREADS)."""
    return max(1, min(RADIX_MAX_THREADS, -(-int(lanes) // RADIX_CHUNK)))


def _layout_entries() -> list[dict]:
    cs = wgpu.ShaderStage.COMPUTE
    rw = {"type": wgpu.BufferBindingType.storage}
    return [
        {"binding": 0, "visibility": cs, "buffer": {"type": wgpu.BufferBindingType.uniform}},
        {
            "binding": 1,
            "visibility": cs,
            "buffer": {"type": wgpu.BufferBindingType.uniform, "has_dynamic_offset": True},
        },
        {"binding": 2, "visibility": cs, "buffer": {"type": wgpu.BufferBindingType.read_only_storage}},
        *({"binding": b, "visibility": cs, "buffer": rw} for b in range(3, 9)),
    ]


@dataclass
class CameraSortSink:
    """The GPU state of one camera sink: its buffers, compute bind group and dispatch list
    (pipeline, dynamic offset, workgroups (x, y))."""

    sink: SinkSpec
    proj: Any
    order: Any
    indirect: Any
    bind_group: Any
    dispatches: list[tuple[Any, int, tuple[int, int]]]


class CameraSort:
    """The camera compute pass shared by every camera sink of a renderer.

    Args:
        device: the wgpu device.
        values: the f32 ValueStore binding (``{"buffer", "offset", "size"}``) the kernels read.
    """

    def __init__(self, device: Any, values: dict):
        self.device = device
        self._values = values
        code = shader_source("camera_sort.wgsl")
        entries = _layout_entries()
        self._bgl = PIPELINES.bind_group_layout(device, entries, "oscilla.camera_sort")
        self._pipes = {
            e: PIPELINES.compute_pipeline(device, code, [entries], entry_point=e, label=f"oscilla.camera_sort.{e}")
            for e in SORT_ENTRIES
        }
        storage = wgpu.BufferUsage.STORAGE
        self._cam_buffer = device.create_buffer(
            label="oscilla.render.camera", size=CAMERA_BYTES, usage=storage | wgpu.BufferUsage.COPY_SRC
        )
        self._step_buffer, self._step_offsets, self._step_size = self._make_steps()
        self.sinks: list[CameraSortSink] = []
        #: the bind group of a resolve-only pass (sinks that read the camera but are not sorted,
        #: e.g. RenderLines2D); None until :meth:`camera_binding` is called
        self._resolve_group: Any = None

    def _make_steps(self) -> tuple[Any, list[int], int]:
        """The radix-pass uniform buffer: record p = (shift 8p, flip p % 2, last) at the
        device's dynamic-offset alignment; record RADIX_PASSES is all zeros (other kernels)."""
        align = int(self.device.limits.get("min-uniform-buffer-offset-alignment", 256))
        size = RADIX_STEP.size
        stride = max(size, -(-size // align) * align)
        data = bytearray((RADIX_PASSES + 1) * stride)
        for p in range(RADIX_PASSES):
            RADIX_STEP.pack_into(data, p * stride, shift=8 * p, flip=p % 2, last=int(p == RADIX_PASSES - 1))
        buf = self.device.create_buffer_with_data(
            label="oscilla.render.radix_passes", data=bytes(data), usage=wgpu.BufferUsage.UNIFORM
        )
        return buf, [p * stride for p in range(RADIX_PASSES + 1)], size

    def add_sink(self, sink: SinkSpec, sink_uniform: Any) -> CameraSortSink:
        """Allocate the projection (16 B/lane), order (2 x 8 B/lane), histogram and draw-indirect
        buffers of a camera sink with ``sink.lanes`` > 0 and record its 13 dispatches."""
        d = self.device
        n = int(sink.lanes)
        nt = radix_threads(n)
        usage = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC
        label = f"oscilla.render.%s.{sink.block}"
        proj = d.create_buffer(label=label % "proj", size=16 * n, usage=usage)
        order = d.create_buffer(label=label % "order", size=8 * n, usage=usage)
        spare = d.create_buffer(label=label % "order2", size=8 * n, usage=wgpu.BufferUsage.STORAGE)
        hist = d.create_buffer(label=label % "hist", size=4 * 256 * nt, usage=wgpu.BufferUsage.STORAGE)
        indirect = d.create_buffer(label=label % "indirect", size=16, usage=usage | wgpu.BufferUsage.INDIRECT)

        def whole(buffer: Any) -> dict:
            return {"buffer": buffer, "offset": 0, "size": buffer.size}

        bind_group = d.create_bind_group(
            layout=self._bgl,
            entries=[
                {"binding": 0, "resource": whole(sink_uniform)},
                {"binding": 1, "resource": {"buffer": self._step_buffer, "offset": 0, "size": self._step_size}},
                {"binding": 2, "resource": self._values},
                {"binding": 3, "resource": {"buffer": self._cam_buffer, "offset": 0, "size": CAMERA_BYTES}},
                {"binding": 4, "resource": whole(proj)},
                {"binding": 5, "resource": whole(order)},
                {"binding": 6, "resource": {"buffer": indirect, "offset": 0, "size": 16}},
                {"binding": 7, "resource": whole(spare)},
                {"binding": 8, "resource": whole(hist)},
            ],
        )
        pipes, offs = self._pipes, self._step_offsets
        dispatches = [(pipes["keys"], offs[RADIX_PASSES], dispatch_grid(n, 256))]
        chunk_groups = dispatch_grid(nt, 64)
        for p in range(RADIX_PASSES):
            dispatches += [
                (pipes["radix_hist"], offs[p], chunk_groups),
                (pipes["radix_scan"], offs[p], (1, 1)),
                (pipes["radix_scatter"], offs[p], chunk_groups),
            ]
        cs = CameraSortSink(sink, proj, order, indirect, bind_group, dispatches)
        self.sinks.append(cs)
        return cs

    def camera_binding(self, cam_off: int) -> dict:
        """The resolved camera buffer (:data:`oscilla.abi.uniforms.RESOLVED_CAMERA`, 80 bytes) as
        a binding resource, for a sink that reads the camera without being sorted (RenderLines2D,
        oscilla/drawing/lines.py). Makes the resolve run every frame even when no sink was added
        with :meth:`add_sink`. ``cam_off``: ValueStore offset (f32 elements) of the Camera's 9 f32."""
        if self._resolve_group is None:
            d = self.device
            ubuf = d.create_buffer_with_data(
                label="oscilla.render.camera_resolve", data=SINK.pack(cam_off=cam_off), usage=wgpu.BufferUsage.UNIFORM
            )
            # unused by `resolve`, but the layout binds them: one small buffer each (no aliasing)
            spares = [
                d.create_buffer(label="oscilla.render.camera_spare", size=16, usage=wgpu.BufferUsage.STORAGE)
                for _ in range(4, 9)
            ]
            self._resolve_group = d.create_bind_group(
                layout=self._bgl,
                entries=[
                    {"binding": 0, "resource": {"buffer": ubuf, "offset": 0, "size": ubuf.size}},
                    {"binding": 1, "resource": {"buffer": self._step_buffer, "offset": 0, "size": self._step_size}},
                    {"binding": 2, "resource": self._values},
                    {"binding": 3, "resource": {"buffer": self._cam_buffer, "offset": 0, "size": CAMERA_BYTES}},
                    *(
                        {"binding": b, "resource": {"buffer": spare, "offset": 0, "size": 16}}
                        for b, spare in zip(range(4, 9), spares, strict=True)
                    ),
                ],
            )
        return {"buffer": self._cam_buffer, "offset": 0, "size": CAMERA_BYTES}

    @property
    def dispatch_count(self) -> int:
        """Compute dispatches per frame: one camera resolve plus 13 per camera sink (0 when no
        sink reads the camera)."""
        if not self.sinks and self._resolve_group is None:
            return 0
        return 1 + sum(len(cs.dispatches) for cs in self.sinks)

    def encode(self, encoder: Any) -> None:
        """Record the camera compute pass (resolve, then per sink: keys, sort, count) into
        ``encoder``; nothing when no sink reads the camera."""
        if not self.sinks and self._resolve_group is None:
            return
        cp = encoder.begin_compute_pass(label="oscilla.camera")
        cp.set_pipeline(self._pipes["resolve"])
        group = self.sinks[0].bind_group if self.sinks else self._resolve_group
        cp.set_bind_group(0, group, [self._step_offsets[RADIX_PASSES]])
        cp.dispatch_workgroups(1, 1, 1)
        for cs in self.sinks:
            for pipe, offset, (gx, gy) in cs.dispatches:
                cp.set_pipeline(pipe)
                cp.set_bind_group(0, cs.bind_group, [offset])
                cp.dispatch_workgroups(gx, gy, 1)
        cp.end()

    # -- readback (tests, debugging); each waits for the GPU ---------------------------------------
    def read_projection(self, cs: CameraSortSink) -> np.ndarray:
        """(lanes, 4) float32 rows (screen x, screen y, k, depth) of the last camera pass,
        culled lanes included."""
        data = self.device.queue.read_buffer(cs.proj)
        return np.frombuffer(data, dtype=np.float32).reshape(-1, 4).copy()

    def read_order(self, cs: CameraSortSink) -> np.ndarray:
        """The lanes the sink draws, in draw order (far first), as int64."""
        count = int(np.frombuffer(self.device.queue.read_buffer(cs.indirect), dtype=np.uint32)[1])
        order = np.frombuffer(self.device.queue.read_buffer(cs.order), dtype=np.uint32).reshape(-1, 2)
        return order[:count, 1].astype(np.int64)

    def read_camera(self) -> np.ndarray:
        """The resolved camera, (5, 4) float32: (perspective, h, near, far), eye, right, up, forward."""
        raw = self.device.queue.read_buffer(self._cam_buffer)
        return np.frombuffer(raw, dtype=np.float32).reshape(5, 4).copy()
