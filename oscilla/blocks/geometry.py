"""Geometry and per-element helpers (docs/language/signal-and-math-blocks.md#geometry); all lane-local."""

import math

from oscilla.blocks.registry import RAIL, BlockDef, E, PortDef, register

GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))  # 2.399963229728653 rad


def _lower_polar(ctx):
    a, r = ctx.f("angle"), ctx.f("radius")
    x = ctx.o("add", ctx.f("centerX"), ctx.o("mul", r, ctx.o("cos", a)))
    y = ctx.o("add", ctx.f("centerY"), ctx.o("mul", r, ctx.o("sin", a)))
    return {"pos": ctx.vec3(x, y, ctx.c(0.0))}


_POLAR_IN = (
    PortDef("angle", "float", E, default=0.0),
    PortDef("radius", "float", E, default=0.0),
    PortDef("centerX", "float", E, default=0.5),
    PortDef("centerY", "float", E, default=0.5),
)
for _name, _cat in (("PolarToCartesian", "geometry"), ("FieldPolarToCartesian", "field")):
    register(
        BlockDef(
            _name,
            _cat,
            inputs=_POLAR_IN,
            outputs=(PortDef("pos", "vec3", E),),
            lower=_lower_polar,
            formula="(centerX + radius cos angle, centerY + radius sin angle, 0)",
        )
    )


def _lower_cartesian_to_polar(ctx):
    pos = ctx.inp("pos").nodes
    dx = ctx.o("sub", pos[0], ctx.f("centerX"))
    dy = ctx.o("sub", pos[1], ctx.f("centerY"))
    radius = ctx.o("sqrt", ctx.o("add", ctx.o("mul", dx, dx), ctx.o("mul", dy, dy)))
    return {"angle": ctx.float(ctx.o("atan2", dy, dx)), "radius": ctx.float(radius)}


register(
    BlockDef(
        "FieldCartesianToPolar",
        "field",
        inputs=(
            PortDef("pos", "vec3", E, required=True),
            PortDef("centerX", "float", E, default=0.5),
            PortDef("centerY", "float", E, default=0.5),
        ),
        outputs=(PortDef("angle", "float", E), PortDef("radius", "float", E)),
        lower=_lower_cartesian_to_polar,
        formula="dx = x - centerX, dy = y - centerY; angle = atan2(dy, dx) with atan2(0,0) = 0; "
        "radius = sqrt(dx² + dy²)",
    )
)

register(
    BlockDef(
        "GoldenAngle",
        "field",
        inputs=(PortDef("id01", "float", E, default=0.0), PortDef("turns", "float", E, default=50.0)),
        outputs=(PortDef("angle", "float", E),),
        lower=lambda ctx: {
            "angle": ctx.float(ctx.o("mul", ctx.o("mul", ctx.f("id01"), ctx.f("turns")), ctx.c(GOLDEN_ANGLE)))
        },
        formula="id01 · turns · π(3 - √5)",
    )
)


def _lower_angular_offset(ctx):
    ctx.f("id01")  # supplies only the cardinality and instance
    return {"offset": ctx.float(ctx.o("mul", ctx.o("mul", ctx.c(ctx.TWO_PI), ctx.f("phase")), ctx.f("spin")))}


register(
    BlockDef(
        "AngularOffset",
        "field",
        inputs=(
            PortDef("id01", "float", E, default=0.0),
            PortDef("phase", "float", E, unit="phase01", default=RAIL),
            PortDef("spin", "float", E, default=1.0),
        ),
        outputs=(PortDef("offset", "float", E),),
        lower=_lower_angular_offset,
        formula="2π · phase · spin",
    )
)

register(
    BlockDef(
        "RadiusSqrt",
        "field",
        inputs=(PortDef("id01", "float", E, default=0.0), PortDef("radius", "float", E, default=0.35)),
        outputs=(PortDef("out", "float", E),),
        lower=lambda ctx: {"out": ctx.float(ctx.o("mul", ctx.f("radius"), ctx.o("sqrt", ctx.f("id01"))))},
        formula="radius · sqrt(id01)",
    )
)


def _lower_pulse(ctx):
    arg = ctx.o("mul", ctx.c(ctx.TWO_PI), ctx.o("add", ctx.f("phase"), ctx.o("mul", ctx.f("id01"), ctx.f("spread"))))
    return {"value": ctx.float(ctx.o("add", ctx.f("base"), ctx.o("mul", ctx.f("amplitude"), ctx.o("sin", arg))))}


register(
    BlockDef(
        "Pulse",
        "field",
        inputs=(
            PortDef("id01", "float", E, default=0.0),
            PortDef("phase", "float", E, unit="phase01", default=RAIL),
            PortDef("base", "float", E, default=0.5),
            PortDef("amplitude", "float", E, default=1.0),
            PortDef("spread", "float", E, default=1.0),
        ),
        outputs=(PortDef("value", "float", E),),
        lower=_lower_pulse,
        formula="base + amplitude · sin(2π(phase + id01 · spread))",
    )
)

register(
    BlockDef(
        "HueFromPhase",
        "field",
        inputs=(PortDef("id01", "float", E, default=0.0), PortDef("phase", "float", E, unit="phase01", default=RAIL)),
        outputs=(PortDef("hue", "float", E),),
        lower=lambda ctx: {"hue": ctx.float(ctx.o("frac", ctx.o("add", ctx.f("id01"), ctx.f("phase"))))},
        formula="frac(id01 + phase)",
    )
)


def _jitter(pos_port, out_port):
    def lower(ctx):
        pos = ctx.inp(pos_port).nodes
        rand = ctx.f("rand")
        comps = []
        for k, (_axis, amount) in enumerate((("x", "amountX"), ("y", "amountY"), ("z", "amountZ"))):
            h = ctx.o("hash", rand, ctx.c(float(k + 1)))
            d = ctx.o("mul", ctx.o("sub", ctx.o("mul", ctx.c(2.0), h), ctx.c(1.0)), ctx.f(amount))
            comps.append(ctx.o("add", pos[k], d))
        return {out_port: ctx.vec3(*comps)}

    return lower


register(
    BlockDef(
        "JitterVec",
        "field",
        inputs=(
            PortDef("pos", "vec3", E, required=True),
            PortDef("rand", "float", E, default=0.0),
            PortDef("amountX", "float", E, default=0.01),
            PortDef("amountY", "float", E, default=0.01),
            PortDef("amountZ", "float", E, default=0.0),
        ),
        outputs=(PortDef("out", "vec3", E),),
        lower=_jitter("pos", "out"),
        formula="pos + ((2H₁-1)·amountX, (2H₂-1)·amountY, (2H₃-1)·amountZ), H_k = Hash(rand, k)",
    )
)

register(
    BlockDef(
        "OffsetVec",
        "geometry",
        inputs=(
            PortDef("posIn", "vec3", E, required=True),
            PortDef("amountX", "float", E, default=0.0),
            PortDef("amountY", "float", E, default=0.0),
            PortDef("amountZ", "float", E, default=0.0),
            PortDef("rand", "float", E, default=0.0),
        ),
        outputs=(PortDef("posOut", "vec3", E),),
        lower=_jitter("posIn", "posOut"),
        formula="the JitterVec formula",
    )
)

register(
    BlockDef(
        "SetZ",
        "field",
        inputs=(PortDef("pos", "vec3", E, required=True), PortDef("z", "float", E, default=0.0)),
        outputs=(PortDef("out", "vec3", E),),
        lower=lambda ctx: {"out": ctx.vec3(ctx.inp("pos").nodes[0], ctx.inp("pos").nodes[1], ctx.f("z"))},
        formula="(pos.x, pos.y, z)",
    )
)
