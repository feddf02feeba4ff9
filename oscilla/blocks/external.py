"""IO blocks: external channels (docs/language/external-channels.md#channels, #io-blocks).

A channel name is data: the compiler gives every distinct name a program reads a dense index
(``CompiledProgram.channels``, first-use order) and the IR ``external`` node carries only that
index. The runtimes snapshot the host's channel values into the frame uniform at the start of each
frame, so a kernel reads channel k as ``fu.ext[k / 4][k % 4]``.
"""

# channels one program may read: the frame uniform's ``ext`` holds MAX_CHANNELS f32 (re-exported here)
from oscilla.abi.uniforms import MAX_CHANNELS as MAX_CHANNELS
from oscilla.blocks.context import LowerContext
from oscilla.blocks.registry import FLOAT32, BlockDef, Config, ParamDef, PortDef, S, register
from oscilla.blocks.values import Value


def _channel(config: Config) -> tuple[str, ...]:
    """ExternalInput / ExternalGate read their ``channel``."""
    ch = config.get("channel")
    return (ch,) if isinstance(ch, str) else ()


def _vec2_names(base: str) -> tuple[str, str]:
    """ExternalVec2 reads ``<base>.x`` and ``<base>.y``; Δ the wheel channels are accumulators
    named ``mouse.wheel.dx`` / ``.dy``."""
    if base == "mouse.wheel":
        return (base + ".dx", base + ".dy")
    return (base + ".x", base + ".y")


def _vec2_channels(config: Config) -> tuple[str, ...]:
    base = config.get("channelBase")
    return _vec2_names(base) if isinstance(base, str) else ()


def _lower_input(ctx: LowerContext) -> dict[str, Value]:
    return {"value": ctx.float_value(ctx.external_channel(ctx.param("channel")))}


register(
    BlockDef(
        "ExternalInput",
        "io",
        inputs=(),
        outputs=(PortDef("value", "float", S),),
        params=(ParamDef("channel", "string", "mouse.x"),),
        lower=_lower_input,
        external_channels=_channel,
        formula="the snapshot value of the channel (0 if never set)",
    )
)


def _lower_gate(ctx: LowerContext) -> dict[str, Value]:
    value = ctx.external_channel(ctx.param("channel"))
    return {"gate": ctx.float_value(ctx.op("b2f", ctx.op("ge", value, ctx.const(ctx.param("threshold")))))}


register(
    BlockDef(
        "ExternalGate",
        "io",
        inputs=(),
        outputs=(PortDef("gate", "float", S),),
        params=(
            ParamDef("channel", "string", "mouse.x"),
            ParamDef("threshold", "number", 0.5, minimum=FLOAT32[0], maximum=FLOAT32[1]),
        ),
        lower=_lower_gate,
        external_channels=_channel,
        formula="1 if value >= threshold, else 0",
    )
)


def _lower_vec2(ctx: LowerContext) -> dict[str, Value]:
    x, y = _vec2_names(ctx.param("channelBase"))
    return {"position": ctx.make_value("vec2", ctx.external_channel(x), ctx.external_channel(y))}


register(
    BlockDef(
        "ExternalVec2",
        "io",
        inputs=(),
        outputs=(PortDef("position", "vec2", S),),
        params=(ParamDef("channelBase", "string", "mouse"),),
        lower=_lower_vec2,
        external_channels=_vec2_channels,
        formula="(<base>.x, <base>.y); for base mouse.wheel (.dx, .dy)",
    )
)
