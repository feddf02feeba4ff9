"""Signal sources: Const, Oscillator, Hash, Noise (docs/language/signal-and-math-blocks.md#signal-sources)."""

from oscilla.blocks.registry import ANY, RAIL, BlockDef, E, ParamDef, PortDef, S, register

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


def _lower_const(ctx):
    return {"out": ctx.const_value(ctx.param("value"), ctx.out_payload("out"))}


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
        formula="out = value",
    )
)


def _lower_oscillator(ctx):
    p = ctx.o("frac", ctx.f("phase"))
    mode = ctx.param("mode")
    c = ctx.c
    if mode == 0:
        w = ctx.o("sin", ctx.o("mul", c(ctx.TWO_PI), p))
    elif mode == 1:
        w = ctx.o("sub", ctx.o("mul", c(2.0), p), c(1.0))
    elif mode == 2:
        w = ctx.o("select", ctx.o("lt", p, c(0.5)), c(1.0), c(-1.0), dtype="f32")
    elif mode == 3:
        w = ctx.o("sub", ctx.o("mul", c(2.0), ctx.o("noise", ctx.o("mul", c(8.0), p))), c(1.0))
    elif mode == 4:
        w = ctx.o("cos", ctx.o("mul", c(ctx.TWO_PI), p))
    else:
        w = ctx.o("sub", ctx.o("mul", c(4.0), ctx.o("abs", ctx.o("sub", p, c(0.5)))), c(1.0))
    out = ctx.o("add", ctx.o("mul", ctx.f("amplitude"), w), ctx.f("offset"))
    return {"out": ctx.float(out)}


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
        params=(ParamDef("mode", "enum", 0, choices=tuple(range(6)) + tuple(OSC_MODES)),),
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
        lower=lambda ctx: {"out": ctx.float(ctx.o("hash", ctx.f("value"), ctx.f("seed")))},
        formula="to01(pcg_hash(bits(value) ^ pcg_hash(bits(seed))))",
    )
)

register(
    BlockDef(
        "Noise",
        "math",
        inputs=(PortDef("x", "float", E, default=0.0),),
        outputs=(PortDef("out", "float", E),),
        lower=lambda ctx: {"out": ctx.float(ctx.o("noise", ctx.f("x")))},
        formula="1-D value noise: h0 + (h1 - h0)·u, u = f²(3 - 2f)",
    )
)
