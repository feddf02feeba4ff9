"""IO blocks: external channels (docs/language/external-channels.md#channels, #io-blocks).

A channel name is data: the compiler gives every distinct name a program reads a dense index
(``CompiledProgram.channels``, first-use order) and the IR ``external`` node carries only that
index. The runtimes snapshot the host's channel values into the frame uniform at the start of each
frame, so a kernel reads channel k as ``fu.ext[k / 4][k % 4]``.
"""

# channels one program may read: the frame uniform's ``ext`` holds MAX_CHANNELS f32 (re-exported here)
from oscilla.abi.uniforms import MAX_CHANNELS as MAX_CHANNELS
from oscilla.blocks.registry import BlockDef, ParamDef, PortDef, S, register


def block_channels(type_name: str, config: dict) -> tuple[str, ...]:
    """The channel names a block of ``type_name`` with resolved ``config`` reads (none for other
    blocks), in the order its lowering first reads them."""
    if type_name in ("ExternalInput", "ExternalGate"):
        ch = config.get("channel")
        return (ch,) if isinstance(ch, str) else ()
    if type_name == "ExternalVec2":
        base = config.get("channelBase")
        if not isinstance(base, str):
            return ()
        if base == "mouse.wheel":  # Δ the wheel channels are accumulators named .dx / .dy
            return (base + ".dx", base + ".dy")
        return (base + ".x", base + ".y")
    return ()


def _lower_input(ctx):
    return {"value": ctx.float(ctx.b.external(ctx.param("channel")))}


register(
    BlockDef(
        "ExternalInput",
        "io",
        inputs=(),
        outputs=(PortDef("value", "float", S),),
        params=(ParamDef("channel", "string", "mouse.x"),),
        lower=_lower_input,
        formula="the snapshot value of the channel (0 if never set)",
    )
)


def _lower_gate(ctx):
    value = ctx.b.external(ctx.param("channel"))
    return {"gate": ctx.float(ctx.o("b2f", ctx.o("ge", value, ctx.c(ctx.param("threshold")))))}


register(
    BlockDef(
        "ExternalGate",
        "io",
        inputs=(),
        outputs=(PortDef("gate", "float", S),),
        params=(ParamDef("channel", "string", "mouse.x"), ParamDef("threshold", "number", 0.5)),
        lower=_lower_gate,
        formula="1 if value >= threshold, else 0",
    )
)


def _lower_vec2(ctx):
    x, y = block_channels("ExternalVec2", ctx.blk.config)
    return {"position": ctx.value("vec2", ctx.b.external(x), ctx.b.external(y))}


register(
    BlockDef(
        "ExternalVec2",
        "io",
        inputs=(),
        outputs=(PortDef("position", "vec2", S),),
        params=(ParamDef("channelBase", "string", "mouse"),),
        lower=_lower_vec2,
        formula="(<base>.x, <base>.y); for base mouse.wheel (.dx, .dy)",
    )
)
