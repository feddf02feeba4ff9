"""Layouts (blocks.md §5.6): per-lane world positions (vec3, z = 0) over the `elements` instance."""

from .registry import ANY, BlockDef, F, PortDef, S, register

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


register(BlockDef(
    "GridLayout", "layout",
    inputs=(_ELEMENTS, PortDef("rows", "int", S, default=10), PortDef("cols", "int", S, default=10)),
    outputs=_POSITION, lower=_lower_grid,
    formula="C = max(1, cols), R = max(1, rows); col = i mod C; row = floor(i/C) mod R; "
            "position = ((col+0.5)/C, (row+0.5)/R, 0)"))


def _lower_circle(ctx):
    inst = ctx.domain
    n = ctx.lanes_of(inst)
    i_over_n = ctx.o("div", ctx.o("i2f", ctx.b.lane_index(inst)), ctx.c(float(n)))
    theta = ctx.o("mul", ctx.c(ctx.TWO_PI), ctx.o("add", i_over_n, ctx.f("phase")))
    r = ctx.f("radius")
    x = ctx.o("add", ctx.f("centerX"), ctx.o("mul", r, ctx.o("cos", theta)))
    y = ctx.o("add", ctx.f("centerY"), ctx.o("mul", r, ctx.o("sin", theta)))
    return {"position": ctx.vec3(x, y, ctx.c(0.0))}


register(BlockDef(
    "CircleLayout", "layout",
    inputs=(_ELEMENTS, PortDef("radius", "float", S, default=0.3),
            PortDef("phase", "float", S, unit="phase01", default=0.0),
            PortDef("centerX", "float", S, default=0.5), PortDef("centerY", "float", S, default=0.5)),
    outputs=_POSITION, lower=_lower_circle,
    formula="θ = 2π(i/N + phase); position = (centerX + radius cos θ, centerY + radius sin θ, 0)"))


def _lower_line(ctx):
    t = ctx.norm_index(ctx.domain)
    one_minus_t = ctx.o("sub", ctx.c(1.0), t)

    def mix(a, b):
        return ctx.o("add", ctx.o("mul", one_minus_t, ctx.f(a)), ctx.o("mul", t, ctx.f(b)))
    return {"position": ctx.vec3(mix("x0", "x1"), mix("y0", "y1"), ctx.c(0.0))}


register(BlockDef(
    "LineLayout", "layout",
    inputs=(_ELEMENTS, PortDef("x0", "float", S, default=0.1), PortDef("y0", "float", S, default=0.5),
            PortDef("x1", "float", S, default=0.9), PortDef("y1", "float", S, default=0.5)),
    outputs=_POSITION, lower=_lower_line,
    formula="t = normalizedIndex; position = ((1-t)x0 + t x1, (1-t)y0 + t y1, 0)"))
