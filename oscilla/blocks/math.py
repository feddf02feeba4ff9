"""Lane-local math (docs/language/signal-and-math-blocks.md#math)."""

from oscilla.blocks.context import LowerContext
from oscilla.blocks.registry import NUMERIC_T, BlockDef, E, PortDef, register
from oscilla.blocks.values import Value


def _binary(type_name: str, op: str, sym: str) -> None:
    def lower(ctx: LowerContext) -> dict[str, Value]:
        return {"out": ctx.componentwise(op, ctx.input_value("a"), ctx.input_value("b"))}

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


def _scalar2(type_name: str, op: str, out_port: str, formula: str) -> None:
    register(
        BlockDef(
            type_name,
            "math",
            inputs=(PortDef("a", "float", E, default=0.0), PortDef("b", "float", E, default=0.0)),
            outputs=(PortDef(out_port, "float", E),),
            lower=lambda ctx: {out_port: ctx.float_value(ctx.op(op, ctx.input_node("a"), ctx.input_node("b")))},
            formula=formula,
        )
    )


_scalar2("Mod", "mod", "result", "a - b·trunc(a/b) (truncated, sign of a)")
_scalar2("Modulo", "modulo", "out", "a - b·floor(a/b) (floored, sign of b)")


def _unary(type_name: str, op: str) -> None:
    register(
        BlockDef(
            type_name,
            "math",
            inputs=(PortDef("input", "float", E, default=0.0),),
            outputs=(PortDef("result", "float", E),),
            lower=lambda ctx: {"result": ctx.float_value(ctx.op(op, ctx.input_node("input")))},
            formula=f"{op}(input), radians",
        )
    )


_unary("Sin", "sin")
_unary("Cos", "cos")


def _sum_sq(ctx: LowerContext) -> tuple[int, int, int, int]:
    """x, y, z and x² + y² + z² (nodes)."""
    x, y, z = ctx.input_node("x"), ctx.input_node("y"), ctx.input_node("z")
    return x, y, z, ctx.op("add", ctx.op("add", ctx.op("mul", x, x), ctx.op("mul", y, y)), ctx.op("mul", z, z))


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
        lower=lambda ctx: {"out": ctx.float_value(ctx.op("sqrt", _sum_sq(ctx)[3]))},
        formula="sqrt(x² + y² + z²)",
    )
)


def _lower_normalize(ctx: LowerContext) -> dict[str, Value]:
    x, y, z, ss = _sum_sq(ctx)
    length = ctx.op("max", ctx.op("sqrt", ss), ctx.const(1e-10))
    return {
        "outX": ctx.float_value(ctx.op("div", x, length)),
        "outY": ctx.float_value(ctx.op("div", y, length)),
        "outZ": ctx.float_value(ctx.op("div", z, length)),
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
