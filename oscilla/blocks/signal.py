"""Signal sources: Const, Oscillator, Hash, Noise (docs/language/signal-and-math-blocks.md#signal-sources)."""

import math
from numbers import Real
from typing import Any

from oscilla.blocks.context import LowerContext, TypeContext
from oscilla.blocks.literals import LiteralError, describe_value, literal_payload, parse_literal
from oscilla.blocks.registry import ANY, RAIL, BlockDef, E, ParamDef, ParamError, PortDef, S, register
from oscilla.blocks.values import Value
from oscilla.diagnostics import DiagnosticCollector
from oscilla.payloads import BOOL, FLOAT, INT

OSC_MODES = {
    "sin": 0,
    "oscSin": 0,
    "saw": 1,
    "sawtooth": 1,
    "square": 2,
    "noise": 3,
    "cos": 4,
    "oscCos": 4,
    "triangle": 5,
}


def consumer_unit(ctx: TypeContext, port: str, payload: str) -> str | None:
    """The unit of a source that has none of its own (Const, an inline Broadcast): that of the first
    input it feeds whose payload is ``payload`` and that declares a unit (None: the default)."""
    return next((unit for pl, unit in ctx.consumers(port) if pl == payload and unit), None)


def _const_payload(ctx: TypeContext) -> str | None:
    """``payloadType``, else the kind of the value; a number feeding an int, bool or float input
    first takes that input's payload. None when the value is no literal."""
    pinned = ctx.param("payloadType")
    payload = pinned or literal_payload(ctx.param("value"))
    if payload == FLOAT and not pinned:
        for pl, _unit in ctx.consumers("out"):
            if pl in (INT, BOOL, FLOAT):
                return pl
    return payload


def _check_const_value(ctx: TypeContext, diags: DiagnosticCollector) -> None:
    """E_PARAM_INVALID (port ``value``) when the value is no literal or does not suit its payload."""
    value = ctx.param("value")
    payload = _const_payload(ctx)
    if payload is None:
        diags.add(
            "E_PARAM_INVALID",
            f"Const.value {describe_value(value)} is not a number, bool, 2-4 number array or x/y/z / r/g/b/a object",
            block=ctx.block_id,
            port="value",
        )
        return
    try:
        parse_literal(value, payload)
    except LiteralError as err:
        diags.add("E_PARAM_INVALID", f"Const.value as {payload}: {err}", block=ctx.block_id, port="value")


def _lower_const(ctx: LowerContext) -> dict[str, Value]:
    return {"out": ctx.literal_value(ctx.param("value"), ctx.output_payload("out"))}


register(
    BlockDef(
        "Const",
        "signal",
        inputs=(),
        outputs=(PortDef("out", ANY, S),),
        params=(
            ParamDef("value", "any", 0),
            ParamDef("payloadType", "enum", None, choices=("float", "int", "bool", "vec2", "vec3", "color")),
        ),
        lower=_lower_const,
        output_payload=lambda ctx, port: _const_payload(ctx) or FLOAT,
        output_unit=consumer_unit,
        check_config_types=_check_const_value,
        formula="out = value",
    )
)


def _parse_mode(value: Any) -> int:
    """A waveform: its number 0-5 or one of the names of :data:`OSC_MODES`."""
    if isinstance(value, str) and value in OSC_MODES:
        return OSC_MODES[value]
    if isinstance(value, Real) and not isinstance(value, bool) and value in range(6):
        return int(float(value))
    raise ParamError(f"unknown waveform {describe_value(value)}; use 0-5 or one of " + ", ".join(OSC_MODES))


def _lower_oscillator(ctx: LowerContext) -> dict[str, Value]:
    p = ctx.op("frac", ctx.input_node("phase"))
    mode = ctx.param("mode")
    c = ctx.const
    if mode == 0:
        w = ctx.op("sin", ctx.op("mul", c(math.tau), p))
    elif mode == 1:
        w = ctx.op("sub", ctx.op("mul", c(2.0), p), c(1.0))
    elif mode == 2:
        w = ctx.op("select", ctx.op("lt", p, c(0.5)), c(1.0), c(-1.0), dtype="f32")
    elif mode == 3:
        w = ctx.op("sub", ctx.op("mul", c(2.0), ctx.op("noise", ctx.op("mul", c(8.0), p))), c(1.0))
    elif mode == 4:
        w = ctx.op("cos", ctx.op("mul", c(math.tau), p))
    else:
        w = ctx.op("sub", ctx.op("mul", c(4.0), ctx.op("abs", ctx.op("sub", p, c(0.5)))), c(1.0))
    out = ctx.op("add", ctx.op("mul", ctx.input_node("amplitude"), w), ctx.input_node("offset"))
    return {"out": ctx.float_value(out)}


register(
    BlockDef(
        "Oscillator",
        "signal",
        inputs=(
            PortDef("phase", "float", E, unit="phase01", default=RAIL),
            PortDef("amplitude", "float", E, default=1.0),
            PortDef("offset", "float", E, default=0.0),
        ),
        outputs=(PortDef("out", "float", E),),
        params=(ParamDef("mode", "enum", 0, choices=tuple(range(6)) + tuple(OSC_MODES), parse=_parse_mode),),
        aliases={"waveform": "mode"},
        lower=_lower_oscillator,
        formula="p = frac(phase); out = amplitude·w(p) + offset (sin, saw, square, noise, cos, triangle)",
    )
)


register(
    BlockDef(
        "Hash",
        "signal",
        inputs=(PortDef("value", "float", E, default=0.0), PortDef("seed", "float", E, default=0.0)),
        outputs=(PortDef("out", "float", E),),
        lower=lambda ctx: {"out": ctx.float_value(ctx.op("hash", ctx.input_node("value"), ctx.input_node("seed")))},
        formula="to01(pcg_hash(bits(value) ^ pcg_hash(bits(seed))))",
    )
)

register(
    BlockDef(
        "Noise",
        "math",
        inputs=(PortDef("x", "float", E, default=0.0),),
        outputs=(PortDef("out", "float", E),),
        lower=lambda ctx: {"out": ctx.float_value(ctx.op("noise", ctx.input_node("x")))},
        formula="1-D value noise: h0 + (h1 - h0)·u, u = f²(3 - 2f)",
    )
)
