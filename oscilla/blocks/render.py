"""Shapes, the render sink and the camera (docs/language/rendering.md).

A shape value is a 5-component signal: (kind, a, b, rotation, cornerRadius) with kind 0 an
ellipse (a = rx, b = ry semi-axes), kind 1 a rect (a = width, b = height full extents) and kind 2
a closed path (a, b, cornerRadius unused; the control points travel as ``Value.path``, a vec2
field over the path block's own control instance, local offsets in world units).
"""

import math

import numpy as np

from oscilla.blocks.registry import BlockDef, E, F, ParamDef, PortDef, S, register
from oscilla.blocks.values import Value

ELLIPSE, RECT, PATH = 0.0, 1.0, 2.0


register(
    BlockDef(
        "Ellipse",
        "shape",
        inputs=(
            PortDef("rx", "float", S, default=0.02),
            PortDef("ry", "float", S, default=0.02),
            PortDef("rotation", "float", S, default=0.0),
        ),
        outputs=(PortDef("shape", "shape", S),),
        lower=lambda ctx: {
            "shape": ctx.value("shape", ctx.c(ELLIPSE), ctx.f("rx"), ctx.f("ry"), ctx.f("rotation"), ctx.c(0.0))
        },
        formula="an ellipse with semi-axes rx, ry",
    )
)

register(
    BlockDef(
        "Rect",
        "shape",
        inputs=(
            PortDef("width", "float", S, default=0.04),
            PortDef("height", "float", S, default=0.02),
            PortDef("rotation", "float", S, default=0.0),
            PortDef("cornerRadius", "float", S, default=0.0),
        ),
        outputs=(PortDef("shape", "shape", S),),
        lower=lambda ctx: {
            "shape": ctx.value(
                "shape", ctx.c(RECT), ctx.f("width"), ctx.f("height"), ctx.f("rotation"), ctx.f("cornerRadius")
            )
        },
        formula="a rect with full extents width x height, centred",
    )
)


def _lower_render(ctx):
    ctx.sink({p: ctx.inp(p) for p in ("pos", "color", "shape", "scale", "size", "rotation")})
    return {}


register(
    BlockDef(
        "RenderInstances2D",
        "render",
        inputs=(
            PortDef("pos", "vec3", F, required=True),
            PortDef("color", "color", E, default=[1.0, 1.0, 1.0, 1.0]),
            PortDef("shape", "shape", S, default="default_shape"),
            PortDef("scale", "float", S, default=1.0),
            PortDef("size", "float", E, default=1.0),
            PortDef("rotation", "float", E, default=0.0),
        ),
        outputs=(),
        lower=_lower_render,
        sink=True,
        formula="one shape per lane of pos's instance at pos, scaled by scale·size, rotated by rotation",
    )
)


# -- Camera (docs/language/rendering.md#camera) ------------------------------------------------------------------------

#: the packed camera signal, in this component order (the renderer reads it; see
#: oscilla/drawing/instances.py): projection (as f32), centerX, centerY, distance, tiltDeg, yawDeg,
#: fovYDeg, near, far -- raw values; fallback and sanitising happen once per frame on the GPU
CAMERA_INPUTS = ("projection", "centerX", "centerY", "distance", "tiltDeg", "yawDeg", "fovYDeg", "near", "far")


def _lower_camera(ctx):
    comps = [ctx.o("i2f", ctx.inp("projection").node)] + [ctx.f(p) for p in CAMERA_INPUTS[1:]]
    ctx.camera(ctx.value("float", *comps))
    return {}


register(
    BlockDef(
        "Camera",
        "render",
        inputs=(
            PortDef("projection", "int", S, default=1),
            PortDef("centerX", "float", S, unit="norm01", default=0.5),
            PortDef("centerY", "float", S, unit="norm01", default=0.5),
            PortDef("distance", "float", S, default=0.87),
            PortDef("tiltDeg", "float", S, unit="degrees", default=35.0),
            PortDef("yawDeg", "float", S, unit="degrees", default=0.0),
            PortDef("fovYDeg", "float", S, unit="degrees", default=60.0),
            PortDef("near", "float", S, default=0.01),
            PortDef("far", "float", S, default=100.0),
        ),
        outputs=(),
        lower=_lower_camera,
        sink=True,
        formula="sets the projection of every RenderInstances2D (0 orthographic, 1 perspective); at most one",
    )
)


# -- path shapes (docs/language/rendering.md#paths) --------------------------------------------------------------------


def _path_shape(ctx, inst: str, radii_x, radii_y, count: int) -> dict:
    """Outputs of a procedural path block: vertex i at angle a = 2*pi*i/count - pi/2 (float64 on
    the host, one f32 table of cos a and one of sin a), times the per-vertex radii (signals)."""
    a = 2.0 * math.pi * np.arange(count, dtype=np.float64) / count - math.pi / 2.0
    cos_t = ctx.table(np.cos(a), inst)
    sin_t = ctx.table(np.sin(a), inst)
    pts = Value((ctx.o("mul", radii_x, cos_t), ctx.o("mul", radii_y, sin_t)), "vec2", inst)
    shape = Value((ctx.c(PATH), ctx.c(0.0), ctx.c(0.0), ctx.c(0.0), ctx.c(0.0)), "shape", path=pts)
    return {"shape": shape, "controlPoints": pts}


def _lower_polygon(ctx):
    inst = ctx.block_id
    return _path_shape(ctx, inst, ctx.f("radiusX"), ctx.f("radiusY"), ctx.lanes_of(inst))


def _lower_star(ctx):
    inst = ctx.block_id
    n = ctx.lanes_of(inst)
    odd = ctx.table(np.arange(n) % 2, inst, "u32")  # 1 for odd lanes (inner radius)
    r = ctx.o("select", odd, ctx.f("innerRadius"), ctx.f("outerRadius"), dtype="f32")
    return _path_shape(ctx, inst, r, r, n)


register(
    BlockDef(
        "ProceduralPolygon",
        "shape",
        inputs=(PortDef("radiusX", "float", S, default=0.1), PortDef("radiusY", "float", S, default=0.1)),
        outputs=(PortDef("shape", "shape", S), PortDef("controlPoints", "vec2", F)),
        params=(ParamDef("sides", "int", 5, minimum=3),),
        lower=_lower_polygon,
        creates_instance=True,
        instance_lanes=lambda cfg: int(cfg["sides"]),
        formula="vertex i: a = 2*pi*i/sides - pi/2; (radiusX cos a, radiusY sin a); shape = the closed path",
    )
)

register(
    BlockDef(
        "ProceduralStar",
        "shape",
        inputs=(PortDef("outerRadius", "float", S, default=0.15), PortDef("innerRadius", "float", S, default=0.06)),
        outputs=(PortDef("shape", "shape", S), PortDef("controlPoints", "vec2", F)),
        params=(ParamDef("points", "int", 5, minimum=3),),
        lower=_lower_star,
        creates_instance=True,
        instance_lanes=lambda cfg: 2 * int(cfg["points"]),
        formula="2*points vertices: r = outerRadius (even i) or innerRadius (odd i); a = 2*pi*i/(2 points) - pi/2; "
        "(r cos a, r sin a)",
    )
)
