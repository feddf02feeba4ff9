"""Text sinks: RenderInstances2D sinks whose shape is a ``Text``, drawn as one textured quad per
character slot of each lane's label (docs/language/rendering.md#text; the shader is
``oscilla/shaders/text.wgsl``).

The atlas is one of the program's images (uploaded once by :class:`~oscilla.drawing.images.ImageTextures`);
a text sink binds the instanced renderer's five bindings (frame, sink uniform, ValueStore, camera
projection and order) plus its uniform (:data:`oscilla.abi.uniforms.TEXT_SINK`), the atlas, a linear
sampler, the glyph metrics, the label table, and the camera pass's draw-indirect record (the
visible lane count; a dummy without a Camera). It is drawn with ``6 * slots`` vertices per lane,
never splatted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import wgpu

from oscilla.abi.uniforms import TEXT_SINK
from oscilla.drawing.images import ImageTextures, textured_layout_entries
from oscilla.drawing.sink_pipeline import sink_pipeline
from oscilla.program import SinkSpec


def text_pipeline(device: Any, target_format: str, blend: str) -> tuple[Any, Any]:
    """(bind group layout, render pipeline) of text sinks with blend mode ``blend`` drawing into
    ``target_format`` targets, from the pipeline cache.

    Raises:
        ValueError: ``blend`` is not a blend mode.
    """
    return sink_pipeline(
        device, "text.wgsl", textured_layout_entries(texture_in_vertex=True, extra_storage=3), target_format, blend
    )


def text_bind_group(
    device: Any,
    layout: Any,
    sink: SinkSpec,
    textures: ImageTextures,
    resources: Sequence[dict[str, Any]],
    visible: Any,
) -> tuple[Any, list[Any]]:
    """(bind group, the buffers it holds) of text sink ``sink``: ``resources`` are the resources of
    bindings 0..4 (as the instanced renderer binds them), ``visible`` the camera pass's
    draw-indirect buffer of this sink (or any 16-byte storage buffer without a Camera).

    Raises:
        ValueError: the sink has no text layout or its atlas is not one of the program's images.
    """
    text = sink.text
    if text is None or sink.image is None or not 0 <= sink.image < len(textures.views):
        raise ValueError(f"sink {sink.block}: no text layout or atlas {sink.image!r}")
    precision, plus, width, prefix, suffix = text.format or (0, False, 0, 0, 0)
    uniform = TEXT_SINK.pack(
        slots=text.slots,
        labels=text.labels,
        mode=0 if text.format is None else 1,
        decimals=precision,
        plus=int(plus),
        width=width,
        prefix=prefix,
        suffix=suffix,
        em=text.em,
        align=text.align,
    )
    usage = wgpu.BufferUsage.STORAGE
    buffers = [
        device.create_buffer_with_data(
            label=f"oscilla.render.text.{sink.block}", data=uniform, usage=wgpu.BufferUsage.UNIFORM
        ),
        device.create_buffer_with_data(label=f"oscilla.render.glyphs.{sink.block}", data=text.glyphs, usage=usage),
        device.create_buffer_with_data(label=f"oscilla.render.labels.{sink.block}", data=text.table, usage=usage),
    ]
    entries = [{"binding": i, "resource": r} for i, r in enumerate(resources)]
    entries += [
        {"binding": 5, "resource": {"buffer": buffers[0], "offset": 0, "size": buffers[0].size}},
        {"binding": 6, "resource": textures.views[sink.image]},
        {"binding": 7, "resource": textures.sampler("linear")},
        {"binding": 8, "resource": {"buffer": buffers[1], "offset": 0, "size": buffers[1].size}},
        {"binding": 9, "resource": {"buffer": buffers[2], "offset": 0, "size": buffers[2].size}},
        {"binding": 10, "resource": {"buffer": visible, "offset": 0, "size": 16}},
    ]
    return device.create_bind_group(layout=layout, entries=entries), buffers
