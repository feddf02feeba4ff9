"""Stateful and event blocks (docs/language/state-and-cycles.md#stateful-blocks): per lane with a field input.

Phase 1 reads the committed cell and computes the output (and the next-state value); the
compiler materializes each next-state value into a ValueStore slot, and the Phase 2 commit
copies it into the cell. UnitDelay and DelayFrames output only committed state, so they are
the only blocks that may close a feedback cycle.
"""

import numpy as np

from oscilla.blocks.registry import EV, BlockDef, E, ParamDef, PortDef, S, register
from oscilla.ir.opcodes import frac

_INIT = ParamDef("initialValue", "number", 0.0)


def _lower_unit_delay(ctx):
    cell = ctx.state("delay", init=ctx.param("initialValue"))
    ctx.later(lambda: ctx.commit(cell, ctx.f("in")))
    return {"out": ctx.float(ctx.b.state_read(cell))}


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


def _lower_delay_frames(ctx):
    frames = ctx.param("frames")
    ring = ctx.state("ring", init=ctx.param("initialValue"), frames=frames)
    head_cell = ctx.state("head", init=0, storage="i32", per_lane=False)
    head = ctx.b.state_read(head_cell)

    def commit():
        ctx.commit(ring, ctx.f("in"), ring_pos=head)
        ctx.commit(head_cell, ctx.o("mod_i", ctx.o("add_i", head, ctx.c(1, "i32")), ctx.c(frames, "i32")))

    ctx.later(commit)
    return {"out": ctx.float(ctx.b.ring_read(ring, head))}


register(
    BlockDef(
        "DelayFrames",
        "signal",
        inputs=(PortDef("in", "float", E, default=0.0),),
        outputs=(PortDef("out", "float", E),),
        params=(ParamDef("frames", "int", 1, minimum=1), _INIT),
        lower=_lower_delay_frames,
        closes_cycles=True,
        stateful=True,
        state=(("ring", "frames × lanes, initialValue"), ("head", "1 int, 0")),
        formula="out = ring[head]; commit ring[head] <- in, head <- (head + 1) mod frames",
    )
)


def _lower_lag(ctx):
    cell = ctx.state("lag", init=ctx.param("initialValue"))
    prev = ctx.b.state_read(cell)
    s = ctx.f("smoothing")
    y = ctx.o("add", ctx.o("mul", prev, ctx.o("sub", ctx.c(1.0), s)), ctx.o("mul", ctx.f("target"), s))
    ctx.commit(cell, y)
    return {"out": ctx.float(y)}


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


def _lower_slew(ctx):
    cell = ctx.state("slew", init=ctx.param("initialValue"))
    prev = ctx.b.state_read(cell)
    tau = ctx.f("tauMs")
    decay = ctx.o("sub", ctx.c(1.0), ctx.o("exp", ctx.o("div", ctx.o("neg", ctx.b.time("dt")), tau)))
    alpha = ctx.o("select", ctx.o("ge", ctx.c(0.0), tau), ctx.c(1.0), decay, dtype="f32")
    y = ctx.o("add", prev, ctx.o("mul", alpha, ctx.o("sub", ctx.f("target"), prev)))
    ctx.commit(cell, y)
    return {"out": ctx.float(y)}


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


def _lower_phasor(ctx):
    cell = ctx.state("phasor", init=float(frac(np.float32(ctx.param("initialPhase")))))
    step = ctx.o("div", ctx.o("mul", ctx.f("frequency"), ctx.b.time("dt")), ctx.c(1000.0))
    y = ctx.o("frac", ctx.o("add", ctx.b.state_read(cell), step))
    ctx.commit(cell, y)
    return {"out": ctx.float(y)}


register(
    BlockDef(
        "Phasor",
        "signal",
        inputs=(PortDef("frequency", "float", E, default=0.0),),
        outputs=(PortDef("out", "float", E, unit="phase01"),),
        params=(ParamDef("initialPhase", "number", 0.0),),
        lower=_lower_phasor,
        stateful=True,
        state=(("phasor", "lanes × 1, wrap01(initialPhase)"),),
        formula="y = wrap01(cell + frequency·dt/1000)",
    )
)


def _lower_accumulator(ctx):
    cell = ctx.state("accumulator", init=0.0)
    summed = ctx.o("add", ctx.b.state_read(cell), ctx.f("delta"))
    y = ctx.o("select", ctx.o("ge", ctx.f("reset"), ctx.c(0.5)), ctx.c(0.0), summed, dtype="f32")
    ctx.commit(cell, y)
    return {"value": ctx.float(y)}


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


def _lower_sample_hold(ctx):
    cell = ctx.state("sample", init=ctx.param("initialValue"))
    trig = ctx.inp("trigger").node
    y = ctx.o("select", trig, ctx.f("value"), ctx.b.state_read(cell), dtype="f32")
    ctx.commit(cell, y)
    return {"out": ctx.float(y)}


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
        lower=lambda ctx: {"out": ctx.float(ctx.o("b2f", ctx.inp("event").node))},
        formula="1 if the event fired this frame else 0",
    )
)
