"""Stateful and event blocks (docs/language/state-and-cycles.md#stateful-blocks): per lane with a field input.

Phase 1 reads the committed cell and computes the output (and the next-state value); the
compiler materializes each next-state value into a ValueStore slot, and the Phase 2 commit
copies it into the cell. UnitDelay and DelayFrames output only committed state, so they are
the only blocks that may close a feedback cycle.
"""

import numpy as np

from oscilla.blocks.context import LowerContext
from oscilla.blocks.registry import EV, FLOAT32, INT32, BlockDef, E, ParamDef, PortDef, S, register
from oscilla.blocks.values import Value
from oscilla.ir.opcodes import frac

#: the longest DelayFrames ring: one lane of 2^30 f32 frames is 4 GiB, and no device binds a
#: storage buffer that large (WebGPU limits a binding to less than 2^32 bytes)
MAX_RING_FRAMES = 2**30 - 1

_INIT = ParamDef("initialValue", "number", 0.0, minimum=FLOAT32[0], maximum=FLOAT32[1])


def _lower_unit_delay(ctx: LowerContext) -> dict[str, Value]:
    cell = ctx.state_cell("delay", init=ctx.param("initialValue"))
    ctx.defer(lambda: ctx.commit(cell, ctx.input_node("in")))
    return {"out": ctx.float_value(ctx.read_state(cell))}


register(
    BlockDef(
        "UnitDelay",
        "signal",
        inputs=(PortDef("in", "float", E, default=0.0),),
        outputs=(PortDef("out", "float", E),),
        params=(_INIT,),
        lower=_lower_unit_delay,
        closes_cycles=True,
        stateful=True,
        state=(("delay", "lanes × 1, initialValue"),),
        formula="out = cell; commit cell <- in",
    )
)


def _lower_delay_frames(ctx: LowerContext) -> dict[str, Value]:
    frames = ctx.param("frames")
    ring = ctx.state_cell("ring", init=ctx.param("initialValue"), frames=frames)
    head_cell = ctx.state_cell("head", init=0, storage="i32", per_lane=False)
    head = ctx.read_state(head_cell)

    def commit() -> None:
        ctx.commit(ring, ctx.input_node("in"), ring_pos=head)
        ctx.commit(head_cell, ctx.op("mod_i", ctx.op("add_i", head, ctx.const(1, "i32")), ctx.const(frames, "i32")))

    ctx.defer(commit)
    return {"out": ctx.float_value(ctx.read_ring(ring, head))}


register(
    BlockDef(
        "DelayFrames",
        "signal",
        inputs=(PortDef("in", "float", E, default=0.0),),
        outputs=(PortDef("out", "float", E),),
        params=(
            ParamDef(
                "frames",
                "int",
                1,
                minimum=1,
                maximum=INT32[1],
                limit=MAX_RING_FRAMES,
                limit_reason="a ring of 4 GiB or more per lane, more than any device can bind",
            ),
            _INIT,
        ),
        lower=_lower_delay_frames,
        closes_cycles=True,
        stateful=True,
        state=(("ring", "frames × lanes, initialValue"), ("head", "1 int, 0")),
        formula="out = ring[head]; commit ring[head] <- in, head <- (head + 1) mod frames",
    )
)


def _lower_lag(ctx: LowerContext) -> dict[str, Value]:
    cell = ctx.state_cell("lag", init=ctx.param("initialValue"))
    prev = ctx.read_state(cell)
    s = ctx.input_node("smoothing")
    y = ctx.op("add", ctx.op("mul", prev, ctx.op("sub", ctx.const(1.0), s)), ctx.op("mul", ctx.input_node("target"), s))
    ctx.commit(cell, y)
    return {"out": ctx.float_value(y)}


register(
    BlockDef(
        "Lag",
        "signal",
        inputs=(PortDef("target", "float", E, default=0.0), PortDef("smoothing", "float", E, default=0.5)),
        outputs=(PortDef("out", "float", E),),
        params=(_INIT,),
        lower=_lower_lag,
        stateful=True,
        state=(("lag", "lanes × 1, initialValue"),),
        formula="y = lerp(cell, target, smoothing); out = y; commit y",
    )
)


def _lower_slew(ctx: LowerContext) -> dict[str, Value]:
    cell = ctx.state_cell("slew", init=ctx.param("initialValue"))
    prev = ctx.read_state(cell)
    tau = ctx.input_node("tauMs")
    decay = ctx.op("sub", ctx.const(1.0), ctx.op("exp", ctx.op("div", ctx.op("neg", ctx.time_input("dt")), tau)))
    alpha = ctx.op("select", ctx.op("ge", ctx.const(0.0), tau), ctx.const(1.0), decay, dtype="f32")
    y = ctx.op("add", prev, ctx.op("mul", alpha, ctx.op("sub", ctx.input_node("target"), prev)))
    ctx.commit(cell, y)
    return {"out": ctx.float_value(y)}


register(
    BlockDef(
        "Slew",
        "signal",
        inputs=(PortDef("target", "float", E, default=0.0), PortDef("tauMs", "float", E, default=100.0)),
        outputs=(PortDef("out", "float", E),),
        params=(_INIT,),
        lower=_lower_slew,
        stateful=True,
        state=(("slew", "lanes × 1, initialValue"),),
        formula="α = 1 - exp(-dt/tauMs) (1 if tauMs <= 0); y = cell + α(target - cell)",
    )
)


def _lower_phasor(ctx: LowerContext) -> dict[str, Value]:
    cell = ctx.state_cell("phasor", init=float(frac(np.float32(ctx.param("initialPhase")))))
    step = ctx.op("div", ctx.op("mul", ctx.input_node("frequency"), ctx.time_input("dt")), ctx.const(1000.0))
    y = ctx.op("frac", ctx.op("add", ctx.read_state(cell), step))
    ctx.commit(cell, y)
    return {"out": ctx.float_value(y)}


register(
    BlockDef(
        "Phasor",
        "signal",
        inputs=(PortDef("frequency", "float", E, default=0.0),),
        outputs=(PortDef("out", "float", E, unit="phase01"),),
        params=(ParamDef("initialPhase", "number", 0.0, minimum=FLOAT32[0], maximum=FLOAT32[1]),),
        lower=_lower_phasor,
        stateful=True,
        state=(("phasor", "lanes × 1, wrap01(initialPhase)"),),
        formula="y = wrap01(cell + frequency·dt/1000)",
    )
)


def _lower_accumulator(ctx: LowerContext) -> dict[str, Value]:
    cell = ctx.state_cell("accumulator", init=0.0)
    summed = ctx.op("add", ctx.read_state(cell), ctx.input_node("delta"))
    y = ctx.op("select", ctx.op("ge", ctx.input_node("reset"), ctx.const(0.5)), ctx.const(0.0), summed, dtype="f32")
    ctx.commit(cell, y)
    return {"value": ctx.float_value(y)}


register(
    BlockDef(
        "Accumulator",
        "signal",
        inputs=(PortDef("delta", "float", E, default=0.0), PortDef("reset", "float", E, default=0.0)),
        outputs=(PortDef("value", "float", E),),
        lower=_lower_accumulator,
        stateful=True,
        state=(("accumulator", "lanes × 1, 0"),),
        formula="y = 0 if reset >= 0.5 else cell + delta",
    )
)


def _lower_sample_hold(ctx: LowerContext) -> dict[str, Value]:
    cell = ctx.state_cell("sample", init=ctx.param("initialValue"))
    trig = ctx.input_node("trigger")
    y = ctx.op("select", trig, ctx.input_node("value"), ctx.read_state(cell), dtype="f32")
    ctx.commit(cell, y)
    return {"out": ctx.float_value(y)}


register(
    BlockDef(
        "SampleHold",
        "event",
        inputs=(PortDef("value", "float", E, default=0.0), PortDef("trigger", "bool", EV, required=True)),
        outputs=(PortDef("out", "float", E),),
        params=(_INIT,),
        lower=_lower_sample_hold,
        stateful=True,
        state=(("sample", "lanes × 1, initialValue"),),
        formula="y = value if trigger fired this frame else cell",
    )
)

register(
    BlockDef(
        "EventToSignalMask",
        "event",
        inputs=(PortDef("event", "bool", EV, required=True),),
        outputs=(PortDef("out", "float", S),),
        lower=lambda ctx: {"out": ctx.float_value(ctx.op("b2f", ctx.input_node("event")))},
        formula="1 if the event fired this frame else 0",
    )
)
