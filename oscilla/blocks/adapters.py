"""Unit adapter blocks (docs/language/types-and-units.md#adapters): auto-inserted on edges whose units differ, and
usable as ordinary blocks."""

import math
from collections.abc import Callable

from oscilla.blocks.context import LowerContext
from oscilla.blocks.registry import BlockDef, E, PortDef, UnitAdapter, register
from oscilla.blocks.values import Value

#: (type, in payload, in unit, out unit, formula kind, formula text); the compiler inserts the
#: adapter of a (from unit, to unit) pair on edges between ports of those units
ADAPTERS: tuple[tuple[str, str, str, str, str | tuple[str, float], str], ...] = (
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

#: the formula of an adapter: a named one, or (binary op, constant) for ``op(x, constant)``
AdapterKind = str | tuple[str, float]


def _formula(kind: AdapterKind) -> Callable[[LowerContext, int], int]:
    """The adapter's formula on node ``x`` (shared by explicit and auto-inserted adapters)."""

    def apply(ctx: LowerContext, x: int) -> int:
        if kind == "id":
            return x
        if kind == "wrap":
            return ctx.op("frac", x)
        if kind == "rad2phase":
            return ctx.op("frac", ctx.op("div", x, ctx.const(2.0 * math.pi)))
        if kind == "clamp01":
            return ctx.op("max", ctx.const(0.0), ctx.op("min", ctx.const(1.0), x))
        assert isinstance(kind, tuple), kind
        op, k = kind
        return ctx.op(op, x, ctx.const(k))

    return apply


def _make(type_name: str, in_unit: str, out_unit: str, kind: AdapterKind, formula: str) -> None:
    adapter = UnitAdapter(in_unit, out_unit, _formula(kind))

    def lower(ctx: LowerContext) -> dict[str, Value]:
        return {"out": ctx.float_value(adapter.apply(ctx, ctx.input_node("in")))}

    register(
        BlockDef(
            type_name,
            "adapter",
            inputs=(PortDef("in", "float", E, unit=in_unit, default=0.0),),
            outputs=(PortDef("out", "float", E, unit=out_unit),),
            lower=lower,
            unit_adapter=adapter,
            formula=formula,
        )
    )


for _t, _p, _iu, _ou, _k, _f in ADAPTERS:
    _make(_t, _iu, _ou, _k, _f)
