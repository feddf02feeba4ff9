"""Render pipelines of the render sinks (shapes and lines): the blend modes and the one builder
both renderers use, from the pipeline cache."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oscilla.gpu.pipelines import PIPELINES, shader_key
from oscilla.shaders import shader_source


def _blend_state(src: str, dst: str) -> dict[str, dict[str, str]]:
    return {
        "color": {"operation": "add", "src_factor": src, "dst_factor": dst},
        "alpha": {"operation": "add", "src_factor": "one", "dst_factor": "one-minus-src-alpha"},
    }


#: fixed-function blend state per blend mode (docs/language/rendering.md#blend-modes); the fragment
#: shader outputs premultiplied (c alpha, alpha), alpha = a * coverage, C the target colour, except
#: for "over", whose entry point ``fs_main`` keeps the straight-alpha output (c, alpha) with colour
#: factor src-alpha (the same formula, and bit-identical to the images before blend modes):
#: over C <- c alpha + C (1 - alpha); add C <- min(1, C + c alpha) (the unorm target clamps);
#: multiply C <- C (1 - alpha + c alpha); screen C <- C + c alpha (1 - C); A <- alpha + A (1 - alpha) for all
BLEND_STATES: dict[str, dict[str, dict[str, str]]] = {
    "over": _blend_state("src-alpha", "one-minus-src-alpha"),
    "add": _blend_state("one", "one"),
    "multiply": _blend_state("dst", "one-minus-src-alpha"),
    "screen": _blend_state("one-minus-dst", "one"),
}


def sink_pipeline(
    device: Any,
    shader: str,
    layout_entries: Sequence[dict],
    target_format: str,
    blend: str,
    constants: dict[str, int] | None = None,
    vertex_entry: str = "vs_main",
) -> tuple[Any, Any]:
    """(bind group layout, render pipeline) drawing a sink with static shader ``shader``
    (vertex ``vertex_entry``; fragment ``fs_main`` for "over", ``fs_premul`` otherwise) into a
    ``target_format`` target with blend mode ``blend``; ``constants`` are WGSL overrides of
    the fragment stage.

    Raises:
        ValueError: ``blend`` is not a blend mode (:data:`BLEND_STATES`).
    """
    if blend not in BLEND_STATES:
        raise ValueError(f"unknown blend mode {blend!r}; choose one of {', '.join(BLEND_STATES)}")
    code = shader_source(shader)
    name = f"oscilla.{shader.removesuffix('.wgsl')}"
    bgl = PIPELINES.bind_group_layout(device, layout_entries, name)
    overrides = dict(constants or {})

    def build() -> Any:
        module = PIPELINES.shader_module(device, code, name)
        fragment: dict[str, Any] = {
            "module": module,
            "entry_point": "fs_main" if blend == "over" else "fs_premul",
            "targets": [{"format": target_format, "blend": BLEND_STATES[blend]}],
        }
        if overrides:
            fragment["constants"] = overrides
        return device.create_render_pipeline(
            label=f"{name}.{target_format}.{blend}" + "".join(f".{v}" for v in overrides.values()),
            layout=device.create_pipeline_layout(label=name, bind_group_layouts=[bgl]),
            vertex={"module": module, "entry_point": vertex_entry, "buffers": []},
            primitive={"topology": "triangle-list", "cull_mode": "none"},
            fragment=fragment,
        )

    key = ("render", shader_key(code), vertex_entry, target_format, blend, tuple(sorted(overrides.items())))
    return bgl, PIPELINES.get_or_build(device, key, build)
