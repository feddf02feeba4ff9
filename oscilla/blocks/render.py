"""Shapes, the render sink and the camera (docs/language/rendering.md).

Shape values are 5-component signals; :mod:`oscilla.blocks.shapes` describes their encoding.
"""

import math

import numpy as np

from oscilla.blocks.context import LowerContext, TypeContext
from oscilla.blocks.registry import INT32, MAX_INSTANCE_LANES, BlockDef, E, F, ParamDef, PortDef, S, register
from oscilla.blocks.shapes import DEFAULT_SHAPE, ELLIPSE, PATH, RECT
from oscilla.blocks.values import Value
from oscilla.diagnostics import DiagnosticCollector

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
            "shape": ctx.make_value(
                "shape",
                ctx.const(ELLIPSE),
                ctx.input_node("rx"),
                ctx.input_node("ry"),
                ctx.input_node("rotation"),
                ctx.const(0.0),
            )
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
            "shape": ctx.make_value(
                "shape",
                ctx.const(RECT),
                ctx.input_node("width"),
                ctx.input_node("height"),
                ctx.input_node("rotation"),
                ctx.input_node("cornerRadius"),
            )
        },
        formula="a rect with full extents width x height, centred",
    )
)


#: RenderInstances2D's blend modes (docs/language/rendering.md#blend-modes)
BLEND_MODES = ("over", "add", "multiply", "screen")


def _lower_render(ctx: LowerContext) -> dict[str, Value]:
    ports = ["pos", "color", "shape", "scale", "size", "rotation"]
    if ctx.is_connected("strokeWidth"):  # an unconnected strokeWidth (0) draws exactly the fill
        ports += ["strokeWidth", "strokeColor"]
    ctx.declare_render_sink({p: ctx.input_value(p) for p in ports}, blend=ctx.param("blend"))
    return {}


register(
    BlockDef(
        "RenderInstances2D",
        "render",
        inputs=(
            PortDef("pos", "vec3", F, required=True),
            PortDef("color", "color", E, default=[1.0, 1.0, 1.0, 1.0]),
            PortDef("shape", "shape", S, default=DEFAULT_SHAPE),
            PortDef("scale", "float", S, default=1.0),
            PortDef("size", "float", E, default=1.0),
            PortDef("rotation", "float", E, default=0.0),
            PortDef("strokeWidth", "float", E, default=0.0),
            PortDef("strokeColor", "color", E, default=[1.0, 1.0, 1.0, 1.0]),
        ),
        outputs=(),
        params=(ParamDef("blend", "enum", "over", choices=BLEND_MODES),),
        lower=_lower_render,
        role="render_sink",
        formula="one shape per lane of pos's instance at pos, scaled by scale·size, rotated by rotation; "
        "a band of strokeWidth (world units) in strokeColor centred on its edge, over the fill; "
        "composited with blend",
    )
)


# -- RenderLines2D (docs/language/rendering.md#lines) ------------------------------------------------------------------

#: RenderLines2D's connect modes: segment a_i -> b_i, a_i -> a_(i+1), or the strip closed last -> first
LINE_CONNECT = ("pairs", "strip", "loop")
#: RenderLines2D's caps: the box of the segment, or the capsule (extends by width / 2 at each end)
LINE_CAPS = ("butt", "round")


def _check_lines(ctx: TypeContext, diags: DiagnosticCollector) -> None:
    """E_MISSING_INPUT at port ``b`` when ``connect`` is ``"pairs"`` and nothing feeds ``b``."""
    if ctx.param("connect") == "pairs" and not ctx.has_edges("b") and ctx.inline_value("b") is None:
        diags.add(
            "E_MISSING_INPUT",
            f"RenderLines2D.b is required when connect is 'pairs' (segment a_i -> b_i); connect an edge to "
            f"{ctx.block_id}.b, or set connect to 'strip' or 'loop' to join the points of a",
            block=ctx.block_id,
            port="b",
        )


def _lower_lines(ctx: LowerContext) -> dict[str, Value]:
    connect = str(ctx.param("connect"))
    ins = {"pos": ctx.input_value("a"), "color": ctx.input_value("color"), "size": ctx.input_value("width")}
    if connect == "pairs":
        ins["b"] = ctx.input_value("b")
    ctx.declare_render_sink(ins, blend=ctx.param("blend"), kind="lines", connect=connect, cap=str(ctx.param("cap")))
    return {}


register(
    BlockDef(
        "RenderLines2D",
        "render",
        inputs=(
            PortDef("a", "vec3", F, required=True),
            PortDef("b", "vec3", F, default=[0.0, 0.0, 0.0]),
            PortDef("width", "float", E, default=0.002),
            PortDef("color", "color", E, default=[1.0, 1.0, 1.0, 1.0]),
        ),
        outputs=(),
        params=(
            ParamDef("connect", "enum", "pairs", choices=LINE_CONNECT),
            ParamDef("cap", "enum", "butt", choices=LINE_CAPS),
            ParamDef("blend", "enum", "over", choices=BLEND_MODES),
        ),
        lower=_lower_lines,
        role="render_sink",
        check_input_types=_check_lines,
        formula="anti-aliased segments of width (world units) in color: a_i -> b_i (pairs; b required), "
        "a_i -> a_(i+1) (strip), strip plus last -> first (loop); butt or round caps; composited with blend; "
        "a segment with a non-finite endpoint is not drawn",
    )
)


# -- Camera (docs/language/rendering.md#camera) ------------------------------------------------------------------------

#: the packed camera signal, in this component order (the renderer reads it; see
#: oscilla/drawing/instances.py): projection (as f32), centerX, centerY, distance, tiltDeg, yawDeg,
#: fovYDeg, near, far -- raw values; fallback and sanitising happen once per frame on the GPU
CAMERA_INPUTS = ("projection", "centerX", "centerY", "distance", "tiltDeg", "yawDeg", "fovYDeg", "near", "far")


def _lower_camera(ctx: LowerContext) -> dict[str, Value]:
    comps = [ctx.op("i2f", ctx.input_node("projection"))] + [ctx.input_node(p) for p in CAMERA_INPUTS[1:]]
    ctx.declare_camera(ctx.make_value("float", *comps))
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
        role="camera",
        formula=(
            "sets the projection of every RenderInstances2D and RenderLines2D (0 orthographic, 1 perspective); "
            "at most one"
        ),
    )
)


# -- path shapes (docs/language/rendering.md#paths) --------------------------------------------------------------------


def _path_shape(ctx: LowerContext, inst: str, radii_x: int, radii_y: int, count: int) -> dict[str, Value]:
    """Outputs of a procedural path block: vertex i at angle a = 2*pi*i/count - pi/2 (float64 on
    the host, one f32 table of cos a and one of sin a), times the per-vertex radii (signals)."""
    a = 2.0 * math.pi * np.arange(count, dtype=np.float64) / count - math.pi / 2.0
    cos_t = ctx.lane_table(np.cos(a), inst)
    sin_t = ctx.lane_table(np.sin(a), inst)
    pts = Value((ctx.op("mul", radii_x, cos_t), ctx.op("mul", radii_y, sin_t)), "vec2", inst)
    shape = Value((ctx.const(PATH), ctx.const(0.0), ctx.const(0.0), ctx.const(0.0), ctx.const(0.0)), "shape", path=pts)
    return {"shape": shape, "controlPoints": pts}


def _lower_polygon(ctx: LowerContext) -> dict[str, Value]:
    inst = ctx.block_id
    return _path_shape(ctx, inst, ctx.input_node("radiusX"), ctx.input_node("radiusY"), ctx.lane_count(inst))


def _lower_star(ctx: LowerContext) -> dict[str, Value]:
    inst = ctx.block_id
    n = ctx.lane_count(inst)
    odd = ctx.lane_table(np.arange(n) % 2, inst, "u32")  # 1 for odd lanes (inner radius)
    r = ctx.op("select", odd, ctx.input_node("innerRadius"), ctx.input_node("outerRadius"), dtype="f32")
    return _path_shape(ctx, inst, r, r, n)


register(
    BlockDef(
        "ProceduralPolygon",
        "shape",
        inputs=(PortDef("radiusX", "float", S, default=0.1), PortDef("radiusY", "float", S, default=0.1)),
        outputs=(PortDef("shape", "shape", S), PortDef("controlPoints", "vec2", F)),
        params=(ParamDef("sides", "int", 5, minimum=3, maximum=INT32[1], limit=MAX_INSTANCE_LANES, lanes_per_value=1),),
        lower=_lower_polygon,
        creates_instance=True,
        formula="vertex i: a = 2*pi*i/sides - pi/2; (radiusX cos a, radiusY sin a); shape = the closed path",
    )
)

register(
    BlockDef(
        "ProceduralStar",
        "shape",
        inputs=(PortDef("outerRadius", "float", S, default=0.15), PortDef("innerRadius", "float", S, default=0.06)),
        outputs=(PortDef("shape", "shape", S), PortDef("controlPoints", "vec2", F)),
        params=(
            ParamDef("points", "int", 5, minimum=3, maximum=INT32[1], limit=MAX_INSTANCE_LANES // 2, lanes_per_value=2),
        ),
        lower=_lower_star,
        creates_instance=True,
        formula="2*points vertices: r = outerRadius (even i) or innerRadius (odd i); a = 2*pi*i/(2 points) - pi/2; "
        "(r cos a, r sin a)",
    )
)
