"""Layouts (docs/language/fields-and-instances.md#layouts, and the scattered layouts of #halton): per-lane world
positions (vec3, z = 0) over the `elements` instance."""

import numpy as np

from oscilla.blocks.registry import ANY, BlockDef, F, ParamDef, PortDef, S, register

_ELEMENTS = PortDef("elements", ANY, F, required=True)
_POSITION = (PortDef("position", "vec3", F),)


def _lower_grid(ctx):
    inst = ctx.domain
    i = ctx.b.lane_index(inst)
    one = ctx.c(1, "i32")
    cols = ctx.o("max_i", one, ctx.inp("cols").node)
    rows = ctx.o("max_i", one, ctx.inp("rows").node)
    col = ctx.o("mod_i", i, cols)
    row = ctx.o("mod_i", ctx.o("div_i", i, cols), rows)
    x = ctx.o("div", ctx.o("add", ctx.o("i2f", col), ctx.c(0.5)), ctx.o("i2f", cols))
    y = ctx.o("div", ctx.o("add", ctx.o("i2f", row), ctx.c(0.5)), ctx.o("i2f", rows))
    return {"position": ctx.vec3(x, y, ctx.c(0.0))}


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


def _lower_circle(ctx):
    inst = ctx.domain
    n = ctx.lanes_of(inst)
    i_over_n = ctx.o("div", ctx.o("i2f", ctx.b.lane_index(inst)), ctx.c(float(n)))
    theta = ctx.o("mul", ctx.c(ctx.TWO_PI), ctx.o("add", i_over_n, ctx.f("phase")))
    r = ctx.f("radius")
    x = ctx.o("add", ctx.f("centerX"), ctx.o("mul", r, ctx.o("cos", theta)))
    y = ctx.o("add", ctx.f("centerY"), ctx.o("mul", r, ctx.o("sin", theta)))
    return {"position": ctx.vec3(x, y, ctx.c(0.0))}


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


def _mix_line(ctx, t: int):
    """((1-t)·x0 + t·x1, (1-t)·y0 + t·y1, 0) for the per-lane parameter ``t``."""
    one_minus_t = ctx.o("sub", ctx.c(1.0), t)

    def mix(a, b):
        return ctx.o("add", ctx.o("mul", one_minus_t, ctx.f(a)), ctx.o("mul", t, ctx.f(b)))

    return ctx.vec3(mix("x0", "x1"), mix("y0", "y1"), ctx.c(0.0))


def _lower_line(ctx):
    return {"position": _mix_line(ctx, ctx.norm_index(ctx.domain))}


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
def halton(n_lanes: int, base: int) -> np.ndarray:
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


def _halton_u(ctx) -> int:
    """The per-lane u = φ₂(i+1) of the block's instance, as a host table (f32, rounded once)."""
    return ctx.table(halton(ctx.lanes_of(ctx.domain), 2), ctx.domain)


def _lower_grid_uv(ctx):
    n = ctx.lanes_of(ctx.domain)
    cols, rows = int(ctx.param("cols")), int(ctx.param("rows"))
    col = np.minimum(np.floor(halton(n, 2) * cols), cols - 1)
    row = np.minimum(np.floor(halton(n, 3) * rows), rows - 1)
    x = ctx.table((col + 0.5) / cols, ctx.domain)
    y = ctx.table((row + 0.5) / rows, ctx.domain)
    return {"position": ctx.vec3(x, y, ctx.c(0.0))}


register(
    BlockDef(
        "GridLayoutUV",
        "layout",
        inputs=(_ELEMENTS,),
        outputs=_POSITION,
        lower=_lower_grid_uv,
        params=(ParamDef("cols", "int", 5, minimum=1), ParamDef("rows", "int", 5, minimum=1)),
        formula="(u, v) = Halton(2,3) of i+1; col = min(floor(u cols), cols-1); row = min(floor(v rows), rows-1); "
        "position = ((col+0.5)/cols, (row+0.5)/rows, 0), computed on the host in float64",
    )
)


def _lower_circle_uv(ctx):
    theta = ctx.o("mul", ctx.c(ctx.TWO_PI), ctx.o("add", _halton_u(ctx), ctx.f("phase")))
    r = ctx.f("radius")
    x = ctx.o("add", ctx.c(0.5), ctx.o("mul", r, ctx.o("cos", theta)))
    y = ctx.o("add", ctx.c(0.5), ctx.o("mul", r, ctx.o("sin", theta)))
    return {"position": ctx.vec3(x, y, ctx.c(0.0))}


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


def _lower_line_uv(ctx):
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


def _lower_linear(ctx):
    t = ctx.norm_index(ctx.domain)
    spacing = ctx.f("spacing")
    start = ctx.o("mul", ctx.o("sub", ctx.c(1.0), spacing), ctx.c(0.5))
    y = ctx.o("add", start, ctx.o("mul", t, spacing))
    return {"position": ctx.vec3(ctx.c(0.5), y, ctx.c(0.0))}


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


def _lower_path_field(ctx):
    """PathField (docs/language/rendering.md#paths): reads neighbouring control points with ``gather`` and accumulates
    the segment lengths with an inclusive ``scan`` (both lane-coupled, so they run in later stages)."""
    inst = ctx.domain
    n = ctx.lanes_of(inst)
    px, py = (ctx.b.bcast(c, inst) for c in ctx.inp("controlPoints").nodes)  # a signal is broadcast
    i = ctx.b.lane_index(inst)
    zero = ctx.c(0.0)

    def at(index: int) -> tuple[int, int]:
        return ctx.b.gather(px, index, inst), ctx.b.gather(py, index, inst)

    if n == 1:
        tangent = ctx.vec3(zero, zero, zero)
    else:  # indices mod N: lane 0's previous point is lane N-1, lane N-1's next is lane 0
        nx, ny = at(ctx.o("mod_i", ctx.o("add_i", i, ctx.c(1, "i32")), ctx.c(n, "i32")))
        vx, vy = at(ctx.o("mod_i", ctx.o("add_i", i, ctx.c(n - 1, "i32")), ctx.c(n, "i32")))
        half = ctx.c(0.5)
        tangent = ctx.vec3(ctx.o("mul", ctx.o("sub", nx, vx), half), ctx.o("mul", ctx.o("sub", ny, vy), half), zero)
    # segment i runs from p[i-1] to p[i]; gather clamps lane 0's index -1 to 0, so segment 0 is 0 and
    # the closing segment p[N-1] -> p[0] is not counted
    qx, qy = at(ctx.o("add_i", i, ctx.c(-1, "i32")))
    dx, dy = ctx.o("sub", px, qx), ctx.o("sub", py, qy)
    seg = ctx.o("sqrt", ctx.o("add", ctx.o("mul", dx, dx), ctx.o("mul", dy, dy)))
    return {
        "position": ctx.vec3(px, py, zero),
        "index": ctx.value("int", i, instance=inst),
        "tangent": tangent,
        "arcLength": ctx.float(ctx.b.scan(seg)),
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
