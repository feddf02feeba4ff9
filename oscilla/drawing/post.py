"""Bloom: a glow around what is brighter than a threshold (docs/language/rendering.md#bloom).

``settings.bloom`` = ``{"threshold": th, "intensity": i, "radius": r}`` adds, to the displayed
image only (never to the state of trails), the image's bright part blurred:

1. bright-pass at half resolution (``fs_bright`` of ``oscilla/shaders/bloom.wgsl``): each
   half-resolution pixel is the average of 2 x 2 source pixels c, kept as
   c.rgb * c.a * clamp((L - th) / (1 - th), 0, 1) with L = max(r, g, b), so nothing at or below
   the threshold glows and white glows fully;
2. a separable Gaussian blur (``fs_blur``, horizontal then vertical) with sigma = r / 2 world units,
   truncated at r (S / 2 half-resolution pixels per world unit, S = min(W, H));
3. an additive composite (``fs_composite``) into the display target: C + i * glow (clamped to 1 by
   the 8-bit target), alpha unchanged.

The half-resolution textures, uniforms and bind groups are built once per source size and kept
(a few sizes); a frame records four render passes and allocates nothing.
"""

from __future__ import annotations

import math
from typing import Any

import wgpu

from oscilla.abi.uniforms import BLOOM
from oscilla.drawing.fullscreen import fullscreen_pipeline

#: format of the half-resolution glow textures
GLOW_FORMAT = "rgba16float"
#: format of the frame drawn for bloom without trails (what the offscreen target holds)
SCENE_FORMAT = "rgba8unorm"
#: most taps on each side of the blur (the radius is clamped to this many half-resolution pixels)
MAX_TAPS = 64
_MAX_SIZES = 4
_MAX_SOURCES = 8


def _layout_entries() -> list[dict]:
    fs = wgpu.ShaderStage.FRAGMENT
    tex = {"sample_type": wgpu.TextureSampleType.float}
    return [
        {"binding": 0, "visibility": fs, "buffer": {"type": wgpu.BufferBindingType.uniform}},
        {"binding": 1, "visibility": fs, "texture": tex},
        {"binding": 2, "visibility": fs, "sampler": {"type": wgpu.SamplerBindingType.filtering}},
        {"binding": 3, "visibility": fs, "texture": tex},
    ]


def blur_taps(radius: float, width: int, height: int) -> tuple[float, int]:
    """(sigma, taps on each side) of the blur in half-resolution pixels for a ``radius`` in world
    units on a ``width`` x ``height`` source: sigma = radius S / 4, taps = ceil(radius S / 2)
    (at most :data:`MAX_TAPS`), S = min(width, height)."""
    half = radius * min(width, height) / 2.0
    return max(half / 2.0, 1e-3), min(MAX_TAPS, math.ceil(half))


class _SizeResources:
    """The glow textures, per-pass uniforms and fixed bind groups for one source size."""

    def __init__(self, device: Any, bloom: Bloom, size: tuple[int, int]):
        w, h = size
        hw, hh = (w + 1) // 2, (h + 1) // 2
        usage = wgpu.TextureUsage.RENDER_ATTACHMENT | wgpu.TextureUsage.TEXTURE_BINDING
        self.textures = [
            device.create_texture(label=f"oscilla.bloom.glow{i}", size=(hw, hh, 1), format=GLOW_FORMAT, usage=usage)
            for i in range(2)
        ]
        self.views = [t.create_view() for t in self.textures]
        sigma, taps = blur_taps(bloom.radius, w, h)
        params = (bloom.threshold, bloom.intensity, sigma, float(taps))
        self.buffers = []
        # bright, blur x, blur y, composite (the composite's target size is the source size until
        # a rescaled target rewrites it)
        for d in ((0, 0), (1, 0), (0, 1), (0, 0)):
            buf = device.create_buffer_with_data(
                label="oscilla.bloom.pass",
                data=BLOOM.pack(params=params, dir=(d[0], d[1], 0, 0), size=(w, h, w, h)),
                usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST,
            )
            self.buffers.append(buf)
        self.params = params
        self.target_size = (w, h)
        self.blur_x = bloom.group(self.buffers[1], self.views[0], self.views[0])
        self.blur_y = bloom.group(self.buffers[2], self.views[1], self.views[1])
        self.half = (hw, hh)
        self.scene: Any = None  # the frame drawn for bloom without trails (rgba8unorm, made when needed)
        self.scene_view: Any = None

    def release(self) -> None:
        for t in self.textures:
            t.destroy()
        if self.scene is not None:
            self.scene.destroy()
        for b in self.buffers:
            b.destroy()


class Bloom:
    """The bloom post pass of a program (see the module docstring).

    Args:
        device: the wgpu device.
        threshold: brightness (max of r, g, b, 0..1) above which pixels glow.
        intensity: factor of the glow added to the image.
        radius: reach of the glow in world units.
    """

    def __init__(self, device: Any, threshold: float, intensity: float, radius: float):
        self.device = device
        self.threshold, self.intensity, self.radius = float(threshold), float(intensity), float(radius)
        self._bgl, self._bright = fullscreen_pipeline(device, "bloom.wgsl", _layout_entries(), "fs_bright", GLOW_FORMAT)
        _, self._blur = fullscreen_pipeline(device, "bloom.wgsl", _layout_entries(), "fs_blur", GLOW_FORMAT)
        self._sampler = device.create_sampler(
            label="oscilla.bloom.sampler",
            mag_filter="linear",
            min_filter="linear",
            address_mode_u="clamp-to-edge",
            address_mode_v="clamp-to-edge",
        )
        self._sizes: dict[tuple[int, int], _SizeResources] = {}
        # (source size, id of the source view) -> (view kept alive, bright group, composite group)
        self._sources: dict[tuple[tuple[int, int], int], tuple[Any, Any, Any]] = {}

    def group(self, buffer: Any, src_view: Any, glow_view: Any) -> Any:
        """A bind group of bloom.wgsl: a pass uniform, the source, the sampler and the glow."""
        return self.device.create_bind_group(
            layout=self._bgl,
            entries=[
                {"binding": 0, "resource": {"buffer": buffer, "offset": 0, "size": BLOOM.size}},
                {"binding": 1, "resource": src_view},
                {"binding": 2, "resource": self._sampler},
                {"binding": 3, "resource": glow_view},
            ],
        )

    def _resources(self, size: tuple[int, int]) -> _SizeResources:
        r = self._sizes.pop(size, None)
        if r is None:
            while len(self._sizes) >= _MAX_SIZES:
                old_size, old = next(iter(self._sizes.items()))
                del self._sizes[old_size]
                self._sources = {k: v for k, v in self._sources.items() if k[0] != old_size}
                old.release()
            r = _SizeResources(self.device, self, size)
        self._sizes[size] = r
        return r

    def _source(self, r: _SizeResources, size: tuple[int, int], view: Any) -> tuple[Any, Any, Any]:
        key = (size, id(view))
        entry = self._sources.pop(key, None)
        if entry is None:
            while len(self._sources) >= _MAX_SOURCES:
                self._sources.pop(next(iter(self._sources)))
            entry = (view, self.group(r.buffers[0], view, r.views[1]), self.group(r.buffers[3], view, r.views[0]))
        self._sources[key] = entry
        return entry

    def scene(self, width: int, height: int) -> Any:
        """The view of an ``rgba8unorm`` texture of ``width`` x ``height`` pixels (kept per size)
        to draw the frame into when there is no trails image to bloom."""
        r = self._resources((int(width), int(height)))
        if r.scene is None:
            r.scene = self.device.create_texture(
                label="oscilla.bloom.scene",
                size=(int(width), int(height), 1),
                format=SCENE_FORMAT,
                usage=wgpu.TextureUsage.RENDER_ATTACHMENT | wgpu.TextureUsage.TEXTURE_BINDING,
            )
            r.scene_view = r.scene.create_view()
        return r.scene_view

    def encode(
        self,
        encoder: Any,
        src_view: Any,
        src_size: tuple[int, int],
        target_view: Any,
        target_size: tuple[int, int],
        target_format: str,
    ) -> None:
        """Record the four passes: ``src_view`` (``src_size`` pixels, not changed) plus its glow
        into ``target_view`` (``target_size`` pixels of ``target_format``; bilinear when the
        sizes differ). A new target size rewrites the composite uniform (applied at the next submit)."""
        src_size = (int(src_size[0]), int(src_size[1]))
        target_size = (int(target_size[0]), int(target_size[1]))
        r = self._resources(src_size)
        if r.target_size != target_size:
            data = BLOOM.pack(params=r.params, dir=(0, 0, 0, 0), size=(*src_size, *target_size))
            self.device.queue.write_buffer(r.buffers[3], 0, data)
            r.target_size = target_size
        _, bright, composite = self._source(r, src_size, src_view)
        _, compose = fullscreen_pipeline(self.device, "bloom.wgsl", _layout_entries(), "fs_composite", target_format)
        for view, pipeline, group in (
            (r.views[0], self._bright, bright),
            (r.views[1], self._blur, r.blur_x),
            (r.views[0], self._blur, r.blur_y),
            (target_view, compose, composite),
        ):
            rpass = encoder.begin_render_pass(
                color_attachments=[{"view": view, "clear_value": (0, 0, 0, 0), "load_op": "clear", "store_op": "store"}]
            )
            rpass.set_pipeline(pipeline)
            rpass.set_bind_group(0, group)
            rpass.draw(3, 1)
            rpass.end()

    def release(self) -> None:
        """Free the glow textures and uniforms now."""
        for r in self._sizes.values():
            r.release()
        self._sizes.clear()
        self._sources.clear()
