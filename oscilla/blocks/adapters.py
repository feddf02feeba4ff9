"""Unit adapter blocks (docs/language/types-and-units.md#adapters): auto-inserted on edges whose units differ, and
usable as ordinary blocks."""

import math

from oscilla.blocks.registry import BlockDef, E, PortDef, register

#: (type, in payload, in unit, out unit, lowering op over x)
ADAPTERS = (
    ("Adapter_PhaseToScalar01", "float", "phase01", "scalar", "id", "x"),
    ("Adapter_ScalarToPhase01", "float", "scalar", "phase01", "wrap", "wrap01(x)"),
    ("Adapter_PhaseToRadians", "float", "phase01", "radians", ("mul", 2.0 * math.pi), "x · 2π"),
    ("Adapter_RadiansToPhase01", "float", "radians", "phase01", "rad2phase", "wrap01(x / 2π)"),
    ("Adapter_DegreesToRadians", "float", "degrees", "radians", ("mul", math.pi / 180.0), "x · π/180"),
    ("Adapter_RadiansToDegrees", "float", "radians", "degrees", ("mul", 180.0 / math.pi), "x · 180/π"),
    ("Adapter_MsToSeconds", "float", "ms", "seconds", ("div", 1000.0), "x / 1000"),
    ("Adapter_SecondsToMs", "float", "seconds", "ms", ("mul", 1000.0), "x · 1000"),
    ("Adapter_ScalarToNorm01Clamp", "float", "scalar", "norm01", "clamp01", "clamp(x, 0, 1)"),
    ("Adapter_Norm01ToScalar", "float", "norm01", "scalar", "id", "x"),
    ("Adapter_ScalarToDeg", "float", "scalar", "degrees", "id", "x"),
)

#: (from unit, to unit) -> adapter type
ADAPTER_FOR = {(a[2], a[3]): a[0] for a in ADAPTERS}


def apply_adapter(ctx, kind, x: int) -> int:
    """The adapter's formula on node ``x`` (shared by explicit and auto-inserted adapters)."""
    if kind == "id":
        return x
    if kind == "wrap":
        return ctx.o("frac", x)
    if kind == "rad2phase":
        return ctx.o("frac", ctx.o("div", x, ctx.c(2.0 * math.pi)))
    if kind == "clamp01":
        return ctx.o("max", ctx.c(0.0), ctx.o("min", ctx.c(1.0), x))
    op, k = kind
    return ctx.o(op, x, ctx.c(k))


def _make(type_name, in_unit, out_unit, kind, formula):
    register(
        BlockDef(
            type_name,
            "adapter",
            inputs=(PortDef("in", "float", E, unit=in_unit, default=0.0),),
            outputs=(PortDef("out", "float", E, unit=out_unit),),
            lower=lambda ctx: {"out": ctx.float(apply_adapter(ctx, kind, ctx.f("in")))},
            formula=formula,
        )
    )


ADAPTER_KIND = {}
for _t, _p, _iu, _ou, _k, _f in ADAPTERS:
    _make(_t, _iu, _ou, _k, _f)
    ADAPTER_KIND[_t] = _k
