"""Render pipelines of full-screen passes (trails fade and present, bloom): one triangle from the
shared vertex stage ``vs_full`` (``oscilla/shaders/fullscreen.wgsl``), a fragment entry point of
the pass's shader, no blending, from the pipeline cache."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oscilla.gpu.pipelines import PIPELINES, shader_key
from oscilla.shaders import shader_source


def fullscreen_pipeline(
    device: Any, shader: str, layout_entries: Sequence[dict], entry_point: str, target_format: str
) -> tuple[Any, Any]:
    """(bind group layout, render pipeline) running fragment ``entry_point`` of static shader
    ``shader`` (e.g. ``"post.wgsl"``) over the whole ``target_format`` target."""
    code = shader_source(shader)
    name = f"oscilla.{shader.removesuffix('.wgsl')}"
    bgl = PIPELINES.bind_group_layout(device, layout_entries, name)

    def build() -> Any:
        module = PIPELINES.shader_module(device, code, name)
        return device.create_render_pipeline(
            label=f"{name}.{entry_point}.{target_format}",
            layout=device.create_pipeline_layout(label=name, bind_group_layouts=[bgl]),
            vertex={"module": module, "entry_point": "vs_full", "buffers": []},
            primitive={"topology": "triangle-list", "cull_mode": "none"},
            fragment={"module": module, "entry_point": entry_point, "targets": [{"format": target_format}]},
        )

    return bgl, PIPELINES.get_or_build(device, ("render", shader_key(code), entry_point, target_format), build)
