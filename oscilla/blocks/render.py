"""Shapes and the render sink (blocks.md §5.10, §9).

A shape value is a 5-component signal: (kind, a, b, rotation, cornerRadius) with kind 0 an
ellipse (a = rx, b = ry semi-axes) and kind 1 a rect (a = width, b = height full extents).
"""

from .registry import BlockDef, E, F, PortDef, S, register

ELLIPSE, RECT = 0.0, 1.0


register(BlockDef(
    "Ellipse", "shape",
    inputs=(PortDef("rx", "float", S, default=0.02), PortDef("ry", "float", S, default=0.02),
            PortDef("rotation", "float", S, default=0.0)),
    outputs=(PortDef("shape", "shape", S),),
    lower=lambda ctx: {"shape": ctx.value("shape", ctx.c(ELLIPSE), ctx.f("rx"), ctx.f("ry"),
                                          ctx.f("rotation"), ctx.c(0.0))},
    formula="an ellipse with semi-axes rx, ry"))

register(BlockDef(
    "Rect", "shape",
    inputs=(PortDef("width", "float", S, default=0.04), PortDef("height", "float", S, default=0.02),
            PortDef("rotation", "float", S, default=0.0), PortDef("cornerRadius", "float", S, default=0.0)),
    outputs=(PortDef("shape", "shape", S),),
    lower=lambda ctx: {"shape": ctx.value("shape", ctx.c(RECT), ctx.f("width"), ctx.f("height"),
                                          ctx.f("rotation"), ctx.f("cornerRadius"))},
    formula="a rect with full extents width x height, centred"))


def _lower_render(ctx):
    ctx.sink({p: ctx.inp(p) for p in ("pos", "color", "shape", "scale", "size", "rotation")})
    return {}


register(BlockDef(
    "RenderInstances2D", "render",
    inputs=(PortDef("pos", "vec3", F, required=True), PortDef("color", "color", E, default=[1.0, 1.0, 1.0, 1.0]),
            PortDef("shape", "shape", S, default="default_shape"), PortDef("scale", "float", S, default=1.0),
            PortDef("size", "float", E, default=1.0), PortDef("rotation", "float", E, default=0.0)),
    outputs=(), lower=_lower_render, sink=True,
    formula="one shape per lane of pos's instance at pos, scaled by scale·size, rotated by rotation"))
