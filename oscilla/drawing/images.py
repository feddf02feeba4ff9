"""Image sinks: RenderInstances2D sinks whose shape is an ``Image``, drawn as textured quads
(docs/language/rendering.md#images; the shader is ``oscilla/shaders/image.wgsl``).

Each image of the program is uploaded once, as an ``rgba8unorm`` texture (straight alpha, no sRGB
decoding, like the target), when the renderer is built; an image sink binds the instanced
renderer's five bindings (frame, sink uniform, ValueStore, camera projection and order) plus its
sprite grid uniform (:data:`oscilla.abi.uniforms.IMAGE_SINK`), its texture and a sampler of its
filter (nearest or linear, clamped to the edge). The pipelines come from the pipeline cache, one per
blend mode and target format.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import wgpu

from oscilla.abi.uniforms import IMAGE_SINK
from oscilla.drawing.sink_pipeline import sink_pipeline
from oscilla.program import ImageData, SinkSpec

#: the Image filters and the sampler filter mode of each
FILTERS = {"nearest": "nearest", "linear": "linear"}


def textured_layout_entries(texture_in_vertex: bool = False, extra_storage: int = 0) -> list[dict]:
    """The bind group layout of a textured shape sink (image.wgsl; text.wgsl adds to it): frame and
    sink uniforms, the ValueStore, camera projection and order, the sink's own uniform, the texture
    (also visible to the vertex stage when ``texture_in_vertex``), its sampler, then
    ``extra_storage`` read-only storage buffers for the vertex stage (bindings 8, 9, ...)."""
    ub = {"type": wgpu.BufferBindingType.uniform}
    ro = {"type": wgpu.BufferBindingType.read_only_storage}
    vs, fs = wgpu.ShaderStage.VERTEX, wgpu.ShaderStage.FRAGMENT
    vf = vs | fs
    return [
        {"binding": 0, "visibility": vs, "buffer": ub},
        {"binding": 1, "visibility": vf, "buffer": ub},
        {"binding": 2, "visibility": vf, "buffer": ro},
        {"binding": 3, "visibility": vs, "buffer": ro},
        {"binding": 4, "visibility": vs, "buffer": ro},
        {"binding": 5, "visibility": vs, "buffer": ub},
        {
            "binding": 6,
            "visibility": vf if texture_in_vertex else fs,
            "texture": {"sample_type": "float", "view_dimension": "2d"},
        },
        {"binding": 7, "visibility": fs, "sampler": {"type": "filtering"}},
        *({"binding": 8 + i, "visibility": vs, "buffer": ro} for i in range(extra_storage)),
    ]


def image_pipeline(device: Any, target_format: str, blend: str) -> tuple[Any, Any]:
    """(bind group layout, render pipeline) of image sinks with blend mode ``blend`` drawing into
    ``target_format`` targets, from the pipeline cache.

    Raises:
        ValueError: ``blend`` is not a blend mode.
    """
    return sink_pipeline(device, "image.wgsl", textured_layout_entries(), target_format, blend)


class ImageTextures:
    """The program's images as GPU textures (uploaded here, once) and the two samplers.

    Args:
        device: the wgpu device.
        images: ``program.images``; texture i holds image i.

    Raises:
        ValueError: an image is larger than the device's largest 2-D texture (the runtime's limit
            check reports it as E_LIMIT_EXCEEDED before this).
    """

    def __init__(self, device: Any, images: Sequence[ImageData]):
        self.device = device
        limit = int(device.limits["max-texture-dimension-2d"])
        self.views: list[Any] = []
        for i, img in enumerate(images):
            if max(img.width, img.height) > limit:
                raise ValueError(f"image {img.path} is {img.width}x{img.height}, over the device's {limit} pixels")
            tex = device.create_texture(
                label=f"oscilla.image.{i}",
                size=(img.width, img.height, 1),
                format=wgpu.TextureFormat.rgba8unorm,
                usage=wgpu.TextureUsage.TEXTURE_BINDING | wgpu.TextureUsage.COPY_DST,
            )
            device.queue.write_texture(
                {"texture": tex, "mip_level": 0, "origin": (0, 0, 0)},
                img.rgba,
                {"offset": 0, "bytes_per_row": 4 * img.width, "rows_per_image": img.height},
                (img.width, img.height, 1),
            )
            self.views.append(tex.create_view())
        self._samplers: dict[str, Any] = {}

    def sampler(self, filter_name: str) -> Any:
        """The clamp-to-edge sampler of Image filter ``filter_name`` (built on first use).

        Raises:
            ValueError: not an Image filter.
        """
        if filter_name not in FILTERS:
            raise ValueError(f"unknown image filter {filter_name!r}; expected one of {', '.join(FILTERS)}")
        s = self._samplers.get(filter_name)
        if s is None:
            mode = FILTERS[filter_name]
            s = self._samplers[filter_name] = self.device.create_sampler(
                label=f"oscilla.image.{filter_name}",
                address_mode_u="clamp-to-edge",
                address_mode_v="clamp-to-edge",
                mag_filter=mode,
                min_filter=mode,
            )
        return s


def image_bind_group(
    device: Any, layout: Any, sink: SinkSpec, textures: ImageTextures, resources: Sequence[dict[str, Any]]
) -> tuple[Any, Any]:
    """(bind group, grid uniform buffer) of image sink ``sink``: ``resources`` are the resources of
    bindings 0..4 (as the instanced renderer binds them), then its grid, texture and sampler.

    Raises:
        ValueError: the sink has no image, an index beyond the program's images, or a grid below 1.
    """
    if sink.image is None or not 0 <= sink.image < len(textures.views):
        raise ValueError(f"sink {sink.block}: image {sink.image!r} is not one of the program's images")
    cols, rows = sink.image_grid
    if cols < 1 or rows < 1:
        raise ValueError(f"sink {sink.block}: sprite grid {sink.image_grid} must be at least 1 x 1")
    grid = device.create_buffer_with_data(
        label=f"oscilla.render.image.{sink.block}",
        data=IMAGE_SINK.pack(cols=cols, rows=rows),
        usage=wgpu.BufferUsage.UNIFORM,
    )
    entries = [{"binding": i, "resource": r} for i, r in enumerate(resources)]
    entries += [
        {"binding": 5, "resource": {"buffer": grid, "offset": 0, "size": grid.size}},
        {"binding": 6, "resource": textures.views[sink.image]},
        {"binding": 7, "resource": textures.sampler(sink.image_filter)},
    ]
    return device.create_bind_group(layout=layout, entries=entries), grid
