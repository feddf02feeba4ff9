"""Time roots (docs/language/time.md#time-roots). Time is resolved on the host in float64 and arrives as frame
uniforms; the blocks only read them."""

from oscilla.blocks.registry import EV, BlockDef, ParamDef, PortDef, S, register


def _lower_infinite(ctx):
    b = ctx.b
    phase_a = b.time("phaseA")
    two_pi_a = ctx.o("mul", ctx.c(ctx.TWO_PI), phase_a)
    energy = ctx.o("add", ctx.c(0.5), ctx.o("mul", ctx.c(0.5), ctx.o("sin", two_pi_a)))
    return {
        "tMs": ctx.float(b.time("tMs")),
        "dt": ctx.float(b.time("dt")),
        "phaseA": ctx.float(phase_a),
        "phaseB": ctx.float(b.time("phaseB")),
        "pulse": ctx.event(b.time("pulse")),
        "wrapA": ctx.event(b.time("wrapA")),
        "wrapB": ctx.event(b.time("wrapB")),
        "palette": ctx.hsv(phase_a, ctx.c(1.0), ctx.c(0.5)),
        "energy": ctx.float(energy),
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
            ParamDef("periodAMs", "number", 1000, minimum=0, exclusive=True),
            ParamDef("periodBMs", "number", 2000, minimum=0, exclusive=True),
        ),
        lower=_lower_infinite,
        time_root=True,
        formula="T = max(tAbs, prev); phase = T/P - floor(T/P); wrap fires when floor(T/P) grows; "
        "palette = hsv2rgb(phaseA, 1, 0.5); energy = 0.5 + 0.5 sin(2π phaseA)",
    )
)


def _lower_finite(ctx):
    b = ctx.b
    return {
        "tMs": ctx.float(b.time("tMs")),
        "dt": ctx.float(b.time("dt")),
        "progress": ctx.float(b.time("progress")),
        "ended": ctx.event(b.time("ended")),
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
        params=(ParamDef("durationMs", "number", 10000, minimum=0, exclusive=True),),
        lower=_lower_finite,
        time_root=True,
        formula="tMs = min(T, durationMs); dt = tMs - previous tMs; progress = tMs/durationMs; "
        "ended fires on the first frame with T >= durationMs, once",
    )
)


def _lower_cyclic(ctx):
    b = ctx.b
    return {
        "tMs": ctx.float(b.time("tMs")),
        "dt": ctx.float(b.time("dt")),
        "phase": ctx.float(b.time("phase")),
        "wrap": ctx.event(b.time("wrap")),
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
            ParamDef("periodMs", "number", 1000, minimum=0, exclusive=True),
            ParamDef("mode", "enum", "loop", choices=("loop", "pingpong")),
        ),
        lower=_lower_cyclic,
        time_root=True,
        formula="tMs = T; c = T/periodMs; loop: phase = frac(c); pingpong: w = frac(c/2), phase = 2w if "
        "w < 0.5 else 2 - 2w; wrap fires when floor(c) grows",
    )
)
