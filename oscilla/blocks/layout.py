"""Layouts (docs/language/fields-and-instances.md#layouts, and the scattered layouts of #halton): per-lane world
positions (vec3, z = 0) over the `elements` instance."""

import math

import numpy as np
import numpy.typing as npt

from oscilla.blocks.context import LowerContext
from oscilla.blocks.registry import ANY, INT32, BlockDef, F, ParamDef, PortDef, S, register
from oscilla.blocks.values import Value

_ELEMENTS = PortDef("elements", ANY, F, required=True)
_POSITION = (PortDef("position", "vec3", F),)


def _lower_grid(ctx: LowerContext) -> dict[str, Value]:
    inst = ctx.field_instance()
    i = ctx.lane_index(inst)
    one = ctx.const(1, "i32")
    cols = ctx.op("max_i", one, ctx.input_node("cols"))
    rows = ctx.op("max_i", one, ctx.input_node("rows"))
    col = ctx.op("mod_i", i, cols)
    row = ctx.op("mod_i", ctx.op("div_i", i, cols), rows)
    x = ctx.op("div", ctx.op("add", ctx.op("i2f", col), ctx.const(0.5)), ctx.op("i2f", cols))
    y = ctx.op("div", ctx.op("add", ctx.op("i2f", row), ctx.const(0.5)), ctx.op("i2f", rows))
    return {"position": ctx.vec3_value(x, y, ctx.const(0.0))}


register(
    BlockDef(
        "GridLayout",
        "layout",
        inputs=(_ELEMENTS, PortDef("rows", "int", S, default=10), PortDef("cols", "int", S, default=10)),
        outputs=_POSITION,
        lower=_lower_grid,
        formula="C = max(1, cols), R = max(1, rows); col = i mod C; row = floor(i/C) mod R; "
        "position = ((col+0.5)/C, (row+0.5)/R, 0)",
    )
)


def _lower_circle(ctx: LowerContext) -> dict[str, Value]:
    inst = ctx.field_instance()
    n = ctx.lane_count(inst)
    i_over_n = ctx.op("div", ctx.op("i2f", ctx.lane_index(inst)), ctx.const(float(n)))
    theta = ctx.op("mul", ctx.const(math.tau), ctx.op("add", i_over_n, ctx.input_node("phase")))
    r = ctx.input_node("radius")
    x = ctx.op("add", ctx.input_node("centerX"), ctx.op("mul", r, ctx.op("cos", theta)))
    y = ctx.op("add", ctx.input_node("centerY"), ctx.op("mul", r, ctx.op("sin", theta)))
    return {"position": ctx.vec3_value(x, y, ctx.const(0.0))}


register(
    BlockDef(
        "CircleLayout",
        "layout",
        inputs=(
            _ELEMENTS,
            PortDef("radius", "float", S, default=0.3),
            PortDef("phase", "float", S, unit="phase01", default=0.0),
            PortDef("centerX", "float", S, default=0.5),
            PortDef("centerY", "float", S, default=0.5),
        ),
        outputs=_POSITION,
        lower=_lower_circle,
        formula="θ = 2π(i/N + phase); position = (centerX + radius cos θ, centerY + radius sin θ, 0)",
    )
)


def _mix_line(ctx: LowerContext, t: int) -> Value:
    """((1-t)·x0 + t·x1, (1-t)·y0 + t·y1, 0) for the per-lane parameter ``t``."""
    one_minus_t = ctx.op("sub", ctx.const(1.0), t)

    def mix(a: str, b: str) -> int:
        return ctx.op("add", ctx.op("mul", one_minus_t, ctx.input_node(a)), ctx.op("mul", t, ctx.input_node(b)))

    return ctx.vec3_value(mix("x0", "x1"), mix("y0", "y1"), ctx.const(0.0))


def _lower_line(ctx: LowerContext) -> dict[str, Value]:
    return {"position": _mix_line(ctx, ctx.normalized_index(ctx.field_instance()))}


register(
    BlockDef(
        "LineLayout",
        "layout",
        inputs=(
            _ELEMENTS,
            PortDef("x0", "float", S, default=0.1),
            PortDef("y0", "float", S, default=0.5),
            PortDef("x1", "float", S, default=0.9),
            PortDef("y1", "float", S, default=0.5),
        ),
        outputs=_POSITION,
        lower=_lower_line,
        formula="t = normalizedIndex; position = ((1-t)x0 + t x1, (1-t)y0 + t y1, 0)",
    )
)


# -- tier 2 (docs/language/fields-and-instances.md#halton) -------------------------------------------------------------
def halton(n_lanes: int, base: int) -> npt.NDArray[np.float64]:
    """φ_base(i+1) for lanes i = 0..n_lanes-1 in float64 (docs/language/fields-and-instances.md#halton).

    The radical inverse of n is A / base^m, where A is n's m base-``base`` digits reversed; both are
    integers below 2^53, so the one float64 division is correctly rounded."""
    n = np.arange(1, n_lanes + 1, dtype=np.int64)
    num = np.zeros_like(n)
    den = np.ones_like(n)
    while np.any(n > 0):
        live = n > 0
        num = np.where(live, num * base + n % base, num)
        den = np.where(live, den * base, den)
        n //= base
    return num / den


def _halton_u(ctx: LowerContext) -> int:
    """The per-lane u = φ₂(i+1) of the block's instance, as a host table (f32, rounded once)."""
    return ctx.lane_table(halton(ctx.lane_count(ctx.field_instance()), 2), ctx.field_instance())


def _lower_grid_uv(ctx: LowerContext) -> dict[str, Value]:
    n = ctx.lane_count(ctx.field_instance())
    cols, rows = int(ctx.param("cols")), int(ctx.param("rows"))
    col = np.minimum(np.floor(halton(n, 2) * cols), cols - 1)
    row = np.minimum(np.floor(halton(n, 3) * rows), rows - 1)
    x = ctx.lane_table((col + 0.5) / cols, ctx.field_instance())
    y = ctx.lane_table((row + 0.5) / rows, ctx.field_instance())
    return {"position": ctx.vec3_value(x, y, ctx.const(0.0))}


register(
    BlockDef(
        "GridLayoutUV",
        "layout",
        inputs=(_ELEMENTS,),
        outputs=_POSITION,
        lower=_lower_grid_uv,
        params=(
            ParamDef("cols", "int", 5, minimum=1, maximum=INT32[1]),
            ParamDef("rows", "int", 5, minimum=1, maximum=INT32[1]),
        ),
        formula="(u, v) = Halton(2,3) of i+1; col = min(floor(u cols), cols-1); row = min(floor(v rows), rows-1); "
        "position = ((col+0.5)/cols, (row+0.5)/rows, 0), computed on the host in float64",
    )
)


def _lower_circle_uv(ctx: LowerContext) -> dict[str, Value]:
    theta = ctx.op("mul", ctx.const(math.tau), ctx.op("add", _halton_u(ctx), ctx.input_node("phase")))
    r = ctx.input_node("radius")
    x = ctx.op("add", ctx.const(0.5), ctx.op("mul", r, ctx.op("cos", theta)))
    y = ctx.op("add", ctx.const(0.5), ctx.op("mul", r, ctx.op("sin", theta)))
    return {"position": ctx.vec3_value(x, y, ctx.const(0.0))}


register(
    BlockDef(
        "CircleLayoutUV",
        "layout",
        inputs=(
            _ELEMENTS,
            PortDef("radius", "float", S, default=0.3),
            PortDef("phase", "float", S, unit="phase01", default=0.0),
        ),
        outputs=_POSITION,
        lower=_lower_circle_uv,
        formula="u = φ₂(i+1); θ = 2π(u + phase); position = (0.5 + radius cos θ, 0.5 + radius sin θ, 0)",
    )
)


def _lower_line_uv(ctx: LowerContext) -> dict[str, Value]:
    return {"position": _mix_line(ctx, _halton_u(ctx))}


register(
    BlockDef(
        "LineLayoutUV",
        "layout",
        inputs=(
            _ELEMENTS,
            PortDef("x0", "float", S, default=0.2),
            PortDef("y0", "float", S, default=0.2),
            PortDef("x1", "float", S, default=0.8),
            PortDef("y1", "float", S, default=0.8),
        ),
        outputs=_POSITION,
        lower=_lower_line_uv,
        formula="t = φ₂(i+1); position = ((1-t)x0 + t x1, (1-t)y0 + t y1, 0)",
    )
)


def _lower_linear(ctx: LowerContext) -> dict[str, Value]:
    t = ctx.normalized_index(ctx.field_instance())
    spacing = ctx.input_node("spacing")
    start = ctx.op("mul", ctx.op("sub", ctx.const(1.0), spacing), ctx.const(0.5))
    y = ctx.op("add", start, ctx.op("mul", t, spacing))
    return {"position": ctx.vec3_value(ctx.const(0.5), y, ctx.const(0.0))}


register(
    BlockDef(
        "LinearLayout",
        "layout",
        inputs=(_ELEMENTS, PortDef("spacing", "float", S, default=0.8)),
        outputs=_POSITION,
        lower=_lower_linear,
        formula="t = normalizedIndex; position = (0.5, (1-L)/2 + t L, 0) with L = spacing",
    )
)


def _lower_path_field(ctx: LowerContext) -> dict[str, Value]:
    """PathField (docs/language/rendering.md#paths): reads neighbouring control points with ``gather`` and accumulates
    the segment lengths with an inclusive ``scan`` (both lane-coupled, so they run in later stages)."""
    inst = ctx.field_instance()
    n = ctx.lane_count(inst)
    px, py = (ctx.broadcast_node(c, inst) for c in ctx.input_value("controlPoints").nodes)  # a signal is broadcast
    i = ctx.lane_index(inst)
    zero = ctx.const(0.0)

    def at(index: int) -> tuple[int, int]:
        return ctx.gather_lanes(px, index, inst), ctx.gather_lanes(py, index, inst)

    if n == 1:
        tangent = ctx.vec3_value(zero, zero, zero)
    else:  # indices mod N: lane 0's previous point is lane N-1, lane N-1's next is lane 0
        nx, ny = at(ctx.op("mod_i", ctx.op("add_i", i, ctx.const(1, "i32")), ctx.const(n, "i32")))
        vx, vy = at(ctx.op("mod_i", ctx.op("add_i", i, ctx.const(n - 1, "i32")), ctx.const(n, "i32")))
        half = ctx.const(0.5)
        tangent = ctx.vec3_value(
            ctx.op("mul", ctx.op("sub", nx, vx), half), ctx.op("mul", ctx.op("sub", ny, vy), half), zero
        )
    # segment i runs from p[i-1] to p[i]; gather clamps lane 0's index -1 to 0, so segment 0 is 0 and
    # the closing segment p[N-1] -> p[0] is not counted
    qx, qy = at(ctx.op("add_i", i, ctx.const(-1, "i32")))
    dx, dy = ctx.op("sub", px, qx), ctx.op("sub", py, qy)
    seg = ctx.op("sqrt", ctx.op("add", ctx.op("mul", dx, dx), ctx.op("mul", dy, dy)))
    return {
        "position": ctx.vec3_value(px, py, zero),
        "index": ctx.make_value("int", i, instance=inst),
        "tangent": tangent,
        "arcLength": ctx.float_value(ctx.scan_lanes(seg)),
    }


register(
    BlockDef(
        "PathField",
        "shape",
        inputs=(PortDef("controlPoints", "vec2", F, required=True),),
        outputs=(
            PortDef("position", "vec3", F),
            PortDef("index", "int", F),
            PortDef("tangent", "vec3", F),
            PortDef("arcLength", "float", F),
        ),
        lower=_lower_path_field,
        formula="position = (p.x, p.y, 0); index = i; tangent = ((p[i+1] - p[i-1])/2, 0), "
        "indices mod N (0 when N = 1); "
        "arcLength: L0 = 0, Li = L(i-1) + |p_i - p_(i-1)| (no closing segment)",
    )
)
