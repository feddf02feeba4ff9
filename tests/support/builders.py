"""The one place tests build inputs: patch dicts for the compiler and hand-built scenes for the renderer.

* :func:`blk`, :func:`edge` and :func:`make_patch` build patch dicts (docs/language/patch-format.md) with an
  ``InfiniteTimeRoot`` called ``time`` first.
* :class:`Scene` packs hand-chosen slot values into one flat f32 ValueStore-like buffer (with
  padding between slots, so an offset bug reads garbage rather than a neighbour), records
  SlotMeta/SinkSpec for them (optionally a camera and path shapes) and renders them with
  :class:`oscilla.drawing.instances.InstanceRenderer` into an offscreen target, bypassing the
  compiler.

Expected values are never computed here: the independent models live in ``support.formulas``
(block formulas) and ``support.geometry`` (camera, paths, compositing).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from oscilla.program import SinkSpec, SlotMeta

# ------------------------------------------------------------------ patches


def blk(block_id: str, block_type: str, **params) -> dict:
    """A patch block dict; ``params`` become its params (omitted when empty)."""
    d = {"id": block_id, "type": block_type}
    if params:
        d["params"] = params
    return d


def edge(src: str, dst: str, **extra) -> dict:
    """A patch edge dict from ``"block.port"`` to ``"block.port"``; ``extra`` adds keys (``enabled``, ...)."""
    return {"from": src, "to": dst, **extra}


def make_patch(blocks, edges=(), *, root: bool = True, **root_params) -> dict:
    """A patch dict with an InfiniteTimeRoot ``time`` first (unless root=False)."""
    bl = [blk("time", "InfiniteTimeRoot", **root_params)] if root else []
    return {"oscilla": 1, "blocks": bl + list(blocks), "edges": list(edges)}


# ------------------------------------------------------------------ renderer scenes

#: Camera defaults (docs/reference/blocks.md#camera), in the order of the Camera's packed signal.
DEFAULT_CAMERA = dict(
    projection=1, centerX=0.5, centerY=0.5, distance=0.87, tiltDeg=35.0, yawDeg=0.0, fovYDeg=60.0, near=0.01, far=100.0
)
CAMERA_ORDER = ("projection", "centerX", "centerY", "distance", "tiltDeg", "yawDeg", "fovYDeg", "near", "far")


class Scene:
    """A hand-built ValueStore (one flat f32 array) plus slot records, sinks and an optional camera."""

    def __init__(self):
        self.chunks: list[np.ndarray] = []
        self.metas: list[SlotMeta] = []
        self.sinks: list[SinkSpec] = []
        self.size = 0
        self.values: dict[int, np.ndarray] = {}
        self.camera: int | None = None

    def slot(self, values, stride: int, instance: str | None = None, storage: str = "f32") -> int:
        """Append a slot of ``stride`` components (one row for a signal, one per lane for a field
        of ``instance``); returns its slot index."""
        arr = np.asarray(values, dtype=np.float64).reshape(-1, stride)
        lanes = arr.shape[0] if instance is not None else 1
        assert instance is not None or arr.shape[0] == 1
        pad = np.full(3, 7.0)
        self.chunks.append(pad)
        self.size += 3
        s = len(self.metas)
        self.metas.append(
            SlotMeta(
                slot=s, name=f"s{s}", storage=storage, offset=self.size, stride=stride, lanes=lanes, instance=instance
            )
        )
        self.chunks.append(arr.reshape(-1))
        self.size += arr.size
        self.values[s] = arr
        return s

    def set_camera(self, **params) -> dict:
        """Add the Camera's packed signal (defaults of docs/language/rendering.md#camera, overridden by ``params``)."""
        cam = {**DEFAULT_CAMERA, **params}
        self.camera = self.slot([[cam[k] for k in CAMERA_ORDER]], 9)
        return cam

    def sink(
        self,
        pos,
        *,
        color=(1, 1, 1, 1),
        size=1.0,
        rotation=0.0,
        scale=1.0,
        shape=(0, 0.02, 0.02, 0, 0),
        path=None,
        field_color=False,
        field_size=False,
        field_rotation=False,
        inst=None,
    ) -> SinkSpec:
        """Add a sink of N = len(pos) lanes. ``color``/``size``/``rotation`` become fields when
        flagged (a single value is broadcast) or given per lane (N rows), else signals.
        ``path``: control points (M x 2) of a path shape (the shape becomes kind 2)."""
        inst = inst or f"i{len(self.sinks)}"
        pos = np.asarray(pos, dtype=np.float64)
        n = pos.shape[0]

        def inp(v, stride, field):
            v = np.asarray(v, dtype=np.float64)
            if field or v.size != stride:
                return self.slot(np.broadcast_to(v.reshape(-1, stride), (n, stride)), stride, inst)
            return self.slot(v.reshape(1, stride), stride)

        p = self.slot(pos, pos.shape[1], inst)
        path_slot = None
        if path is not None:
            path_slot = self.slot(np.asarray(path, dtype=np.float64), 2, f"ctl{len(self.sinks)}")
            shape = (2, 0, 0, 0, 0)
        sp = SinkSpec(
            block=f"draw{len(self.sinks)}",
            instance=inst,
            lanes=n,
            pos=p,
            pos_stride=pos.shape[1],
            color=inp(color, 4, field_color),
            size=inp(size, 1, field_size),
            rotation=inp(rotation, 1, field_rotation),
            scale=self.slot([[scale]], 1),
            shape=self.slot([shape], 5),
            path=path_slot,
            camera=None,
        )
        self.sinks.append(sp)
        return sp

    def lane(self, sink: SinkSpec, name: str, i: int) -> np.ndarray:
        """Input ``name`` of lane i as float32 values (what the GPU reads), as float64."""
        arr = self.values[getattr(sink, name)].astype(np.float32).astype(np.float64)
        return arr[i if arr.shape[0] > 1 else 0]

    def buffer(self, device):
        """The packed values as a wgpu storage buffer (float32, 4 zero words of tail padding)."""
        import wgpu

        data = np.concatenate(self.chunks + [np.zeros(4)]).astype(np.float32)
        return device.create_buffer_with_data(
            data=data.tobytes(), usage=wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_DST
        )

    def renderer(self, device):
        """An InstanceRenderer over :meth:`buffer`, every sink seen through the scene's camera."""
        from oscilla.drawing.instances import InstanceRenderer

        sinks = [dataclasses.replace(s, camera=self.camera) for s in self.sinks]
        return InstanceRenderer(device, self.buffer(device), self.metas, sinks)

    def render(self, device, w: int, h: int, background=(0.0, 0.0, 0.0, 1.0)):
        """(image (H, W, 4) uint8, the renderer) after one encode + submit."""
        from oscilla.drawing.offscreen import OffscreenTarget

        r = self.renderer(device)
        t = OffscreenTarget(device, w, h)
        enc = device.create_command_encoder()
        r.encode(enc, t.view, w, h, background)
        device.queue.submit([enc.finish()])
        return t.read(), r
