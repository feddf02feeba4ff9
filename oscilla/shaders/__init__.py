"""The static WGSL shipped with oscilla (``oscilla/shaders/*.wgsl``) and its loaders.

Shaders that never change live here as ``.wgsl`` files; generated kernels include
``prelude.wgsl`` verbatim. The folder is package data, so an installed wheel finds the same text.
The structs a shader shares with the host are not in the ``.wgsl`` files: they are declared once
in :mod:`oscilla.abi.uniforms`, and :func:`shader_source` prepends their generated text.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from oscilla.abi.uniforms import (
    BLOOM,
    CONTINUITY,
    CONTINUITY_CAPTURE,
    FEEDBACK,
    FRAME_UNIFORMS,
    IMAGE_SINK,
    LINE_SINK,
    OVERLAY,
    PRESENT,
    RADIX_STEP,
    RENDER_FRAME,
    RESOLVED_CAMERA,
    SINK,
    TEXT_SINK,
    WgslStruct,
    wgsl_structs,
)

#: the host-shared structs each shader uses (oscilla/abi/uniforms.py), in the order
#: :func:`shader_source` prepends them
SHADER_STRUCTS: dict[str, tuple[WgslStruct, ...]] = {
    "prelude.wgsl": (FRAME_UNIFORMS,),
    "instances.wgsl": (RENDER_FRAME, SINK),
    "splat.wgsl": (RENDER_FRAME, SINK),
    "splat_resolve.wgsl": (RENDER_FRAME,),
    "camera_sort.wgsl": (SINK, RADIX_STEP, RESOLVED_CAMERA),
    "continuity.wgsl": (CONTINUITY,),
    "continuity_capture.wgsl": (CONTINUITY_CAPTURE,),
    "post.wgsl": (FEEDBACK, PRESENT),
    "bloom.wgsl": (BLOOM,),
    "lines.wgsl": (RENDER_FRAME, LINE_SINK, RESOLVED_CAMERA),
    "image.wgsl": (RENDER_FRAME, SINK, IMAGE_SINK),
    "text.wgsl": (RENDER_FRAME, SINK, TEXT_SINK),
    "overlay.wgsl": (OVERLAY,),
}


#: static snippets each shader includes, prepended after its structs (one copy of shared WGSL)
SHADER_INCLUDES: dict[str, tuple[str, ...]] = {
    "post.wgsl": ("fullscreen.wgsl",),
    "overlay.wgsl": ("fullscreen.wgsl",),
    "bloom.wgsl": ("fullscreen.wgsl",),
    "instances.wgsl": ("numerics.wgsl", "shape_sdf.wgsl", "viewport.wgsl", "sink_lane.wgsl", "sink_position.wgsl"),
    "splat.wgsl": ("numerics.wgsl", "shape_sdf.wgsl", "viewport.wgsl", "sink_lane.wgsl"),
    "splat_resolve.wgsl": ("fullscreen.wgsl",),
    "lines.wgsl": ("numerics.wgsl", "viewport.wgsl"),
    "camera_sort.wgsl": ("numerics.wgsl",),
    "image.wgsl": (
        "numerics.wgsl",
        "shape_sdf.wgsl",
        "viewport.wgsl",
        "sink_lane.wgsl",
        "sink_position.wgsl",
        "textured_fragment.wgsl",
    ),
    "text.wgsl": ("numerics.wgsl", "viewport.wgsl", "sink_position.wgsl", "textured_fragment.wgsl"),
}


@cache
def load_wgsl(name: str) -> str:
    """The text of ``oscilla/shaders/<name>`` (``.wgsl`` is appended when missing).

    Raises:
        FileNotFoundError: no such shader in the package (the message names it).
    """
    if not name.endswith(".wgsl"):
        name += ".wgsl"
    res = resources.files(__package__).joinpath(name)
    if not res.is_file():
        raise FileNotFoundError(f"WGSL file {name!r} is not in the package oscilla.shaders")
    return res.read_text(encoding="utf-8")


@cache
def shader_source(name: str) -> str:
    """The complete WGSL of static shader ``name``: the generated text of its structs
    (:data:`SHADER_STRUCTS`, each followed by a blank line), the snippets it includes
    (:data:`SHADER_INCLUDES`), then ``oscilla/shaders/<name>``.

    Raises:
        FileNotFoundError: no such shader in the package.
    """
    if not name.endswith(".wgsl"):
        name += ".wgsl"
    includes = "".join(load_wgsl(i) for i in SHADER_INCLUDES.get(name, ()))
    return wgsl_structs(*SHADER_STRUCTS.get(name, ())) + includes + load_wgsl(name)
