"""Geometry and per-element helpers (docs/language/signal-and-math-blocks.md#geometry); all lane-local."""

import math

from oscilla.blocks.context import LowerContext
from oscilla.blocks.registry import RAIL, BlockDef, E, Lowering, PortDef, register
from oscilla.blocks.values import Value

GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))  # 2.399963229728653 rad


def _lower_polar(ctx: LowerContext) -> dict[str, Value]:
    a, r = ctx.input_node("angle"), ctx.input_node("radius")
    x = ctx.op("add", ctx.input_node("centerX"), ctx.op("mul", r, ctx.op("cos", a)))
    y = ctx.op("add", ctx.input_node("centerY"), ctx.op("mul", r, ctx.op("sin", a)))
    return {"pos": ctx.vec3_value(x, y, ctx.const(0.0))}


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


def _lower_cartesian_to_polar(ctx: LowerContext) -> dict[str, Value]:
    pos = ctx.input_value("pos").nodes
    dx = ctx.op("sub", pos[0], ctx.input_node("centerX"))
    dy = ctx.op("sub", pos[1], ctx.input_node("centerY"))
    radius = ctx.op("sqrt", ctx.op("add", ctx.op("mul", dx, dx), ctx.op("mul", dy, dy)))
    return {"angle": ctx.float_value(ctx.op("atan2", dy, dx)), "radius": ctx.float_value(radius)}


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
            "angle": ctx.float_value(
                ctx.op("mul", ctx.op("mul", ctx.input_node("id01"), ctx.input_node("turns")), ctx.const(GOLDEN_ANGLE))
            )
        },
        formula="id01 · turns · π(3 - √5)",
    )
)


def _lower_angular_offset(ctx: LowerContext) -> dict[str, Value]:
    ctx.input_node("id01")  # supplies only the cardinality and instance
    return {
        "offset": ctx.float_value(
            ctx.op("mul", ctx.op("mul", ctx.const(math.tau), ctx.input_node("phase")), ctx.input_node("spin"))
        )
    }


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
        lower=lambda ctx: {
            "out": ctx.float_value(ctx.op("mul", ctx.input_node("radius"), ctx.op("sqrt", ctx.input_node("id01"))))
        },
        formula="radius · sqrt(id01)",
    )
)


def _lower_pulse(ctx: LowerContext) -> dict[str, Value]:
    arg = ctx.op(
        "mul",
        ctx.const(math.tau),
        ctx.op("add", ctx.input_node("phase"), ctx.op("mul", ctx.input_node("id01"), ctx.input_node("spread"))),
    )
    return {
        "value": ctx.float_value(
            ctx.op("add", ctx.input_node("base"), ctx.op("mul", ctx.input_node("amplitude"), ctx.op("sin", arg)))
        )
    }


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
        lower=lambda ctx: {
            "hue": ctx.float_value(ctx.op("frac", ctx.op("add", ctx.input_node("id01"), ctx.input_node("phase"))))
        },
        formula="frac(id01 + phase)",
    )
)


def _jitter(pos_port: str, out_port: str) -> Lowering:
    def lower(ctx: LowerContext) -> dict[str, Value]:
        pos = ctx.input_value(pos_port).nodes
        rand = ctx.input_node("rand")
        comps = []
        for k, (_axis, amount) in enumerate((("x", "amountX"), ("y", "amountY"), ("z", "amountZ"))):
            h = ctx.op("hash", rand, ctx.const(float(k + 1)))
            d = ctx.op("mul", ctx.op("sub", ctx.op("mul", ctx.const(2.0), h), ctx.const(1.0)), ctx.input_node(amount))
            comps.append(ctx.op("add", pos[k], d))
        return {out_port: ctx.vec3_value(*comps)}

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
        lower=lambda ctx: {
            "out": ctx.vec3_value(ctx.input_value("pos").nodes[0], ctx.input_value("pos").nodes[1], ctx.input_node("z"))
        },
        formula="(pos.x, pos.y, z)",
    )
)
