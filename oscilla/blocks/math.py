"""Lane-local math (docs/language/signal-and-math-blocks.md#math)."""

from oscilla.blocks.registry import NUMERIC_T, BlockDef, E, PortDef, register


def _binary(type_name, op, sym):
    def lower(ctx):
        return {"out": ctx.zip(ctx.inp("a"), ctx.inp("b"), op)}

    register(
        BlockDef(
            type_name,
            "math",
            inputs=(PortDef("a", NUMERIC_T, E, default=0.0), PortDef("b", NUMERIC_T, E, default=0.0)),
            outputs=(PortDef("out", NUMERIC_T, E),),
            lower=lower,
            formula=f"out = a {sym} b (component-wise; a float operand is splatted)",
        )
    )


_binary("Add", "add", "+")
_binary("Subtract", "sub", "-")
_binary("Multiply", "mul", "·")
_binary("Divide", "div", "/")


def _scalar2(type_name, op, out_port, formula):
    register(
        BlockDef(
            type_name,
            "math",
            inputs=(PortDef("a", "float", E, default=0.0), PortDef("b", "float", E, default=0.0)),
            outputs=(PortDef(out_port, "float", E),),
            lower=lambda ctx: {out_port: ctx.float(ctx.o(op, ctx.f("a"), ctx.f("b")))},
            formula=formula,
        )
    )


_scalar2("Mod", "mod", "result", "a - b·trunc(a/b) (truncated, sign of a)")
_scalar2("Modulo", "modulo", "out", "a - b·floor(a/b) (floored, sign of b)")


def _unary(type_name, op):
    register(
        BlockDef(
            type_name,
            "math",
            inputs=(PortDef("input", "float", E, default=0.0),),
            outputs=(PortDef("result", "float", E),),
            lower=lambda ctx: {"result": ctx.float(ctx.o(op, ctx.f("input")))},
            formula=f"{op}(input), radians",
        )
    )


_unary("Sin", "sin")
_unary("Cos", "cos")


def _sum_sq(ctx):
    x, y, z = ctx.f("x"), ctx.f("y"), ctx.f("z")
    return x, y, z, ctx.o("add", ctx.o("add", ctx.o("mul", x, x), ctx.o("mul", y, y)), ctx.o("mul", z, z))


_XYZ = (
    PortDef("x", "float", E, default=0.0),
    PortDef("y", "float", E, default=0.0),
    PortDef("z", "float", E, default=0.0),
)

register(
    BlockDef(
        "Length",
        "math",
        inputs=_XYZ,
        outputs=(PortDef("out", "float", E),),
        lower=lambda ctx: {"out": ctx.float(ctx.o("sqrt", _sum_sq(ctx)[3]))},
        formula="sqrt(x² + y² + z²)",
    )
)


def _lower_normalize(ctx):
    x, y, z, ss = _sum_sq(ctx)
    length = ctx.o("max", ctx.o("sqrt", ss), ctx.c(1e-10))
    return {
        "outX": ctx.float(ctx.o("div", x, length)),
        "outY": ctx.float(ctx.o("div", y, length)),
        "outZ": ctx.float(ctx.o("div", z, length)),
    }


register(
    BlockDef(
        "Normalize",
        "math",
        inputs=_XYZ,
        outputs=(PortDef("outX", "float", E), PortDef("outY", "float", E), PortDef("outZ", "float", E)),
        lower=_lower_normalize,
        formula="L = max(sqrt(x² + y² + z²), 1e-10); (x/L, y/L, z/L)",
    )
)
