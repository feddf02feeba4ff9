"""Colour blocks (docs/language/signal-and-math-blocks.md#color)."""

from oscilla.blocks.context import LowerContext
from oscilla.blocks.registry import RAIL, BlockDef, E, PortDef, register
from oscilla.blocks.values import Value


def _lower_hsv(ctx: LowerContext) -> dict[str, Value]:
    return {"color": ctx.hsv_color(ctx.input_node("hue"), ctx.input_node("sat"), ctx.input_node("val"))}


register(
    BlockDef(
        "HsvToRgb",
        "color",
        inputs=(
            PortDef("hue", "float", E, required=True),
            PortDef("sat", "float", E, default=1.0),
            PortDef("val", "float", E, default=1.0),
        ),
        outputs=(PortDef("color", "color", E),),
        lower=_lower_hsv,
        formula="hsv2rgb(hue, sat, val)",
    )
)

register(
    BlockDef(
        "HSVToColor",
        "color",
        inputs=(
            PortDef("hue", "float", E, default=0.0),
            PortDef("sat", "float", E, default=1.0),
            PortDef("val", "float", E, default=1.0),
        ),
        outputs=(PortDef("color", "color", E),),
        lower=_lower_hsv,
        formula="hsv2rgb(hue, sat, val)",
    )
)


def _lower_color_lfo(ctx: LowerContext) -> dict[str, Value]:
    return {
        "color": ctx.hsv_color(
            ctx.op("frac", ctx.op("add", ctx.input_node("phase"), ctx.input_node("hue"))),
            ctx.input_node("sat"),
            ctx.input_node("val"),
        )
    }


register(
    BlockDef(
        "ColorLFO",
        "color",
        inputs=(
            PortDef("phase", "float", E, unit="phase01", default=RAIL),
            PortDef("hue", "float", E, default=0.0),
            PortDef("sat", "float", E, default=1.0),
            PortDef("val", "float", E, default=1.0),
        ),
        outputs=(PortDef("color", "color", E),),
        lower=_lower_color_lfo,
        formula="hsv2rgb(frac(phase + hue), sat, val)",
    )
)


def _lower_apply_opacity(ctx: LowerContext) -> dict[str, Value]:
    r, g, b, _ = ctx.input_value("color").nodes
    a = ctx.op("max", ctx.const(0.0), ctx.op("min", ctx.const(1.0), ctx.input_node("opacity")))
    return {"out": ctx.make_value("color", r, g, b, a)}


register(
    BlockDef(
        "ApplyOpacity",
        "color",
        inputs=(PortDef("color", "color", E, required=True), PortDef("opacity", "float", E, default=1.0)),
        outputs=(PortDef("out", "color", E),),
        lower=_lower_apply_opacity,
        formula="(r, g, b, clamp(opacity, 0, 1))",
    )
)
