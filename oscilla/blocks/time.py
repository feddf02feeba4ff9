"""Time roots (docs/language/time.md#time-roots). Time is resolved on the host in float64 and arrives as frame
uniforms; the blocks only read them. Each declares its primary phase (``rail_output``): the rail
that phase inputs left unconnected read (docs/language/time.md#rail; FiniteTimeRoot's progress is used as it
is, with no adapter)."""

import math

from oscilla.blocks.context import LowerContext
from oscilla.blocks.registry import EV, F64_MAX, BlockDef, ParamDef, PortDef, S, register
from oscilla.blocks.values import Value

#: the shortest period a time root accepts, in ms: T/P and its floor stay finite for any time the
#: time model represents (a period of 1e-320 ms would make T/P infinite)
MIN_PERIOD_MS = 1e-3


def _lower_infinite(ctx: LowerContext) -> dict[str, Value]:
    phase_a = ctx.time_input("phaseA")
    two_pi_a = ctx.op("mul", ctx.const(math.tau), phase_a)
    energy = ctx.op("add", ctx.const(0.5), ctx.op("mul", ctx.const(0.5), ctx.op("sin", two_pi_a)))
    return {
        "tMs": ctx.float_value(ctx.time_input("tMs")),
        "dt": ctx.float_value(ctx.time_input("dt")),
        "phaseA": ctx.float_value(phase_a),
        "phaseB": ctx.float_value(ctx.time_input("phaseB")),
        "pulse": ctx.event_value(ctx.time_input("pulse")),
        "wrapA": ctx.event_value(ctx.time_input("wrapA")),
        "wrapB": ctx.event_value(ctx.time_input("wrapB")),
        "palette": ctx.hsv_color(phase_a, ctx.const(1.0), ctx.const(0.5)),
        "energy": ctx.float_value(energy),
    }


register(
    BlockDef(
        "InfiniteTimeRoot",
        "time",
        inputs=(),
        outputs=(
            PortDef("tMs", "float", S),
            PortDef("dt", "float", S),
            PortDef("phaseA", "float", S, unit="phase01"),
            PortDef("phaseB", "float", S, unit="phase01"),
            PortDef("pulse", "bool", EV),
            PortDef("wrapA", "bool", EV),
            PortDef("wrapB", "bool", EV),
            PortDef("palette", "color", S),
            PortDef("energy", "float", S),
        ),
        params=(
            ParamDef("periodAMs", "number", 1000, minimum=MIN_PERIOD_MS, maximum=F64_MAX),
            ParamDef("periodBMs", "number", 2000, minimum=MIN_PERIOD_MS, maximum=F64_MAX),
        ),
        lower=_lower_infinite,
        role="time_root",
        rail_output="phaseA",
        formula="T = max(tAbs, prev); phase = T/P - floor(T/P); wrap fires when floor(T/P) grows; "
        "palette = hsv2rgb(phaseA, 1, 0.5); energy = 0.5 + 0.5 sin(2π phaseA)",
    )
)


def _lower_finite(ctx: LowerContext) -> dict[str, Value]:
    return {
        "tMs": ctx.float_value(ctx.time_input("tMs")),
        "dt": ctx.float_value(ctx.time_input("dt")),
        "progress": ctx.float_value(ctx.time_input("progress")),
        "ended": ctx.event_value(ctx.time_input("ended")),
    }


register(
    BlockDef(
        "FiniteTimeRoot",
        "time",
        inputs=(),
        outputs=(
            PortDef("tMs", "float", S),
            PortDef("dt", "float", S),
            PortDef("progress", "float", S, unit="norm01"),
            PortDef("ended", "bool", EV),
        ),
        params=(ParamDef("durationMs", "number", 10000, minimum=0, exclusive=True, maximum=F64_MAX),),
        lower=_lower_finite,
        role="time_root",
        rail_output="progress",
        formula="tMs = min(T, durationMs); dt = tMs - previous tMs; progress = tMs/durationMs; "
        "ended fires on the first frame with T >= durationMs, once",
    )
)


def _lower_cyclic(ctx: LowerContext) -> dict[str, Value]:
    return {
        "tMs": ctx.float_value(ctx.time_input("tMs")),
        "dt": ctx.float_value(ctx.time_input("dt")),
        "phase": ctx.float_value(ctx.time_input("phase")),
        "wrap": ctx.event_value(ctx.time_input("wrap")),
    }


register(
    BlockDef(
        "CyclicTimeRoot",
        "time",
        inputs=(),
        outputs=(
            PortDef("tMs", "float", S),
            PortDef("dt", "float", S),
            PortDef("phase", "float", S, unit="phase01"),
            PortDef("wrap", "bool", EV),
        ),
        params=(
            ParamDef("periodMs", "number", 1000, minimum=MIN_PERIOD_MS, maximum=F64_MAX),
            ParamDef("mode", "enum", "loop", choices=("loop", "pingpong")),
        ),
        lower=_lower_cyclic,
        role="time_root",
        rail_output="phase",
        formula="tMs = T; c = T/periodMs; loop: phase = frac(c); pingpong: w = frac(c/2), phase = 2w if "
        "w < 0.5 else 2 - 2w; wrap fires when floor(c) grows",
    )
)
