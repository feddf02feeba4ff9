"""Colour blocks (docs/language/signal-and-math-blocks.md#color)."""

from oscilla.blocks.registry import RAIL, BlockDef, E, PortDef, register


def _lower_hsv(ctx):
    return {"color": ctx.hsv(ctx.f("hue"), ctx.f("sat"), ctx.f("val"))}


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


def _lower_color_lfo(ctx):
    return {"color": ctx.hsv(ctx.o("frac", ctx.o("add", ctx.f("phase"), ctx.f("hue"))), ctx.f("sat"), ctx.f("val"))}


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


def _lower_apply_opacity(ctx):
    r, g, b, _ = ctx.inp("color").nodes
    a = ctx.o("max", ctx.c(0.0), ctx.o("min", ctx.c(1.0), ctx.f("opacity")))
    return {"out": ctx.value("color", r, g, b, a)}


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
