"""The two-phase execution model (docs/language/time.md#frames, docs/language/state-and-cycles.md): UnitDelay and
feedback, cycle validation, per-lane state, the DelayFrames ring, wrap events, and the schedule validator. Runtime tests
run on the GPU Runtime and the numpy ReferenceRuntime; expected values come from the formulas of
docs/language/state-and-cycles.md."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from support import paths
from support.builders import blk, edge, make_patch
from support.formulas import assert_close, mod, normalized_index
from support.reported import reported
from support.running import run_frames

import oscilla as osc
from oscilla.compiler.schedule import ScheduleError, validate_schedule
from oscilla.program import Step

pytestmark = pytest.mark.gpu

TOL = 1e-5
ROOT = str(paths.ROOT)
EXAMPLES = [str(p) for p in paths.EXAMPLES]


# -- UnitDelay and feedback ----------------------------------------------------------------------
def test_unit_delay_outputs_previous_input(runtime_cls):
    times = [0, 10, 25, 40, 70]
    blocks = [
        blk("ud", "UnitDelay", initialValue=-3.0),
        blk("a", "Array", count=7),
        blk("x", "Add"),
        blk("udf", "UnitDelay"),
    ]
    edges = [edge("time.tMs", "ud.in"), edge("time.tMs", "x.a"), edge("a.t", "x.b"), edge("x.out", "udf.in")]
    frames = run_frames(runtime_cls, make_patch(blocks, edges), ["ud.out", "udf.out", "x.out"], times)
    t = normalized_index(7)
    for f, r in enumerate(frames):
        want = -3.0 if f == 0 else times[f - 1]
        assert_close(r["ud.out"], want, TOL, f"UnitDelay signal frame {f}")
        want_f = np.zeros(7) if f == 0 else times[f - 1] + t
        assert_close(r["udf.out"], want_f, TOL, f"UnitDelay field frame {f}")


def _time_phase_a(t_ms, period):
    return np.float32(t_ms / period - math.floor(t_ms / period))


def test_feedback_example_values(runtime_cls):
    path = os.path.join(ROOT, "examples", "feedback.json")
    times = [0.0, 1000 / 60, 2000 / 60, 50.0, 4000 / 60]
    frames = run_frames(runtime_cls, path, ["wrap.result", "delay.out", "osc.out", "acc.out"], times)
    prev = 0.0  # UnitDelay initial value
    for f, (tm, r) in enumerate(zip(times, frames)):
        phase = _time_phase_a(tm, 2000.0)  # periodAMs 2000; Oscillator.phase is the rail (phaseA)
        osc_v = 0.01 * math.sin(2 * math.pi * float(phase)) + 0.015
        assert_close(r["osc.out"], osc_v, TOL, f"osc frame {f}")
        assert_close(r["delay.out"], prev, TOL, f"delay frame {f}")
        acc = prev + osc_v
        assert_close(r["acc.out"], acc, TOL, f"acc frame {f}")
        wrap = float(mod(acc, 1.0))
        assert_close(r["wrap.result"], wrap, TOL, f"wrap frame {f}")
        prev = wrap


# -- cycles ----------------------------------------------------------------------------------------
def _errors(patch):
    ei = reported(patch)
    return [d for d in ei.value.diagnostics if d.severity == "error"]


def test_cycle_without_unit_delay_is_detected():
    blocks = [blk("mul", "Multiply", b=0.5), blk("sine", "Sin"), blk("adder", "Add")]
    edges = [
        edge("time.tMs", "adder.b"),
        edge("sine.result", "adder.a"),
        edge("adder.out", "mul.a"),
        edge("mul.out", "sine.input"),
    ]
    [d] = _errors(make_patch(blocks, edges))
    assert d.code == "E_CYCLE_DETECTED"
    assert d.block == "mul", "attributed to the SCC's first block in patch order"
    i = [d.message.index(x) for x in ("mul", "sine", "adder")]
    assert i == sorted(i), f"ids not listed in patch order: {d.message}"
    assert "insert a UnitDelay between sine.result and adder.a" in d.message, d.message


def test_cycle_lists_ids_in_patch_order():
    blocks = [blk("zeta", "Add"), blk("alpha", "Sin"), blk("mid", "Cos")]
    edges = [edge("mid.result", "zeta.a"), edge("zeta.out", "alpha.input"), edge("alpha.result", "mid.input")]
    [d] = _errors(make_patch(blocks, edges))
    assert d.code == "E_CYCLE_DETECTED" and d.block == "zeta"
    i = [d.message.index(x) for x in ("zeta", "alpha", "mid")]
    assert i == sorted(i), d.message
    assert "insert a UnitDelay between mid.result and zeta.a" in d.message, d.message


def test_self_loop_is_a_cycle():
    [d] = _errors(make_patch([blk("a", "Add", b=1)], [edge("a.out", "a.a")]))
    assert d.code == "E_CYCLE_DETECTED" and d.block == "a"
    assert "insert a UnitDelay between a.out and a.a" in d.message, d.message


def test_one_diagnostic_per_scc_and_stateful_blocks_do_not_close_cycles():
    blocks = [
        blk("lag", "Lag"),
        blk("p", "Add"),
        blk("ph", "Phasor"),
        blk("q", "Multiply"),
        blk("u", "UnitDelay"),
        blk("w", "Add"),
    ]
    edges = [
        edge("lag.out", "p.a"),
        edge("p.out", "lag.target"),  # Lag does not close a cycle
        edge("ph.out", "q.a"),
        edge("q.out", "ph.frequency"),  # nor does Phasor
        edge("u.out", "w.a"),
        edge("w.out", "u.in"),
    ]  # a UnitDelay does
    ds = _errors(make_patch(blocks, edges))
    assert sorted((d.code, d.block) for d in ds) == [("E_CYCLE_DETECTED", "lag"), ("E_CYCLE_DETECTED", "ph")]


def test_delay_frames_closes_cycles(runtime_cls):
    blocks = [blk("df", "DelayFrames", frames=3), blk("inc", "Add", b=1)]
    edges = [edge("df.out", "inc.a"), edge("inc.out", "df.in")]
    frames = run_frames(runtime_cls, make_patch(blocks, edges), ["df.out", "inc.out"], [16 * f for f in range(8)])
    ins, outs = [], []
    for f in range(8):
        out = 0.0 if f < 3 else ins[f - 3]
        outs.append(out)
        ins.append(out + 1)
    assert_close([float(r["df.out"]) for r in frames], outs, TOL, "DelayFrames feedback")
    assert_close([float(r["inc.out"]) for r in frames], ins, TOL, "DelayFrames feedback in")


def test_disabled_edge_does_not_close_a_cycle(runtime_cls):
    blocks = [blk("a", "Add", b=1), blk("m", "Multiply", b=2)]
    edges = [edge("a.out", "m.a"), edge("m.out", "a.a", enabled=False)]
    [r] = run_frames(runtime_cls, make_patch(blocks, edges), ["m.out"], [0])
    assert float(r["m.out"]) == 2.0


# -- per-lane state ------------------------------------------------------------------------------
def test_lag_per_lane_state_10000_lanes(runtime_cls):
    n = 10_000
    blocks = [blk("a", "Array", count=n), blk("tgt", "Add"), blk("lag", "Lag", smoothing=0.3, initialValue=0.5)]
    edges = [edge("a.t", "tgt.a"), edge("time.phaseA", "tgt.b"), edge("tgt.out", "lag.target")]
    prog = osc.compile(make_patch(blocks, edges, periodAMs=1000), observe=["lag.out", "tgt.out"])
    rt = runtime_cls(prog)
    t = normalized_index(n).astype(np.float64)
    cell = np.full(n, 0.5)
    for tm in [0, 100, 250, 400, 900]:
        rt.step(tm)
        target = t + float(_time_phase_a(tm, 1000.0))
        cell = cell * (1 - np.float32(0.3)) + target * np.float32(0.3)
        st = rt.read_state("lag:lag")
        assert st.size == n
        assert_close(st.reshape(n), cell, TOL, f"Lag state after t={tm}")
        assert_close(rt.read("lag.out"), cell, TOL, f"Lag out at t={tm}")


def test_delay_frames_ring_buffer(runtime_cls):
    lanes, frames_n = 5, 3
    blocks = [
        blk("a", "Array", count=lanes),
        blk("x", "Add"),
        blk("df", "DelayFrames", frames=frames_n, initialValue=7),
        blk("sdf", "DelayFrames", frames=frames_n),
    ]
    edges = [edge("a.index", "x.a"), edge("time.tMs", "x.b"), edge("x.out", "df.in"), edge("time.tMs", "sdf.in")]
    prog = osc.compile(make_patch(blocks, edges), observe=["df.out", "sdf.out", "x.out"])
    rt = runtime_cls(prog)
    assert_close(rt.read_state("df:ring"), np.full((frames_n, lanes), 7.0), TOL, "initial ring")
    ring = np.full((frames_n, lanes), 7.0)
    sring = np.zeros(frames_n)
    times = [0, 10, 20, 30, 40, 50, 60]
    for f, tm in enumerate(times):
        rt.step(tm)
        head = f % frames_n
        assert_close(rt.read("df.out"), ring[head], TOL, f"ring out frame {f}")
        assert_close(rt.read("sdf.out"), sring[head], TOL, f"signal ring out frame {f}")
        ring[head] = np.arange(lanes) + tm
        sring[head] = tm
        st = rt.read_state("df:ring")
        assert st.shape == (frames_n, lanes), st.shape
        assert_close(st, ring, TOL, f"ring after frame {f}")
        assert int(np.asarray(rt.read_state("df:head")).reshape(-1)[0]) == (f + 1) % frames_n
        assert_close(np.asarray(rt.read_state("sdf:ring")).reshape(frames_n), sring, TOL, "signal ring")
        assert int(np.asarray(rt.read_state("sdf:head")).reshape(-1)[0]) == (f + 1) % frames_n


def test_reset_restores_initial_state(runtime_cls):
    blocks = [blk("acc", "Accumulator", delta=1), blk("ud", "UnitDelay", initialValue=5)]
    edges = [edge("acc.value", "ud.in")]
    prog = osc.compile(make_patch(blocks, edges), observe=["acc.value", "ud.out"])
    rt = runtime_cls(prog)
    for tm in (0, 16, 32):
        rt.step(tm)
    assert float(rt.read("acc.value")) == 3 and float(rt.read("ud.out")) == 2
    rt.reset()
    rt.step(0)
    assert float(rt.read("acc.value")) == 1 and float(rt.read("ud.out")) == 5


# -- events --------------------------------------------------------------------------------------------
def test_wrap_events_mask_and_sample_hold(runtime_cls):
    # periodA 100, periodB 250; times skip cycles (fires once) and go backwards (no fire)
    times = [0, 50, 120, 260, 240, 530, 540, 760]
    blocks = [
        blk("ma", "EventToSignalMask"),
        blk("mb", "EventToSignalMask"),
        blk("mp", "EventToSignalMask"),
        blk("sh", "SampleHold", initialValue=-1),
        blk("sh2", "SampleHold"),
    ]
    edges = [
        edge("time.wrapA", "ma.event"),
        edge("time.wrapB", "mb.event"),
        edge("time.pulse", "mp.event"),
        edge("time.tMs", "sh.value"),
        edge("time.wrapB", "sh.trigger"),
        edge("time.tMs", "sh2.value"),
        edge("time.wrapA", "sh2.trigger"),
        edge("time.wrapB", "sh2.trigger"),
    ]
    obs = ["ma.out", "mb.out", "mp.out", "sh.out", "sh2.out", "time.wrapA", "time.wrapB"]
    frames = run_frames(runtime_cls, make_patch(blocks, edges, periodAMs=100, periodBMs=250), obs, times)
    prev_t, ca, cb = 0.0, 0, 0
    held, held2 = -1.0, 0.0
    for f, (tm, r) in enumerate(zip(times, frames)):
        T = max(tm, prev_t)
        na, nb = math.floor(T / 100), math.floor(T / 250)
        wa, wb = f > 0 and na > ca, f > 0 and nb > cb
        ca, cb, prev_t = na, nb, T
        assert bool(r["time.wrapA"]) is wa and bool(r["time.wrapB"]) is wb, f"frame {f}"
        assert float(r["ma.out"]) == float(wa) and float(r["mb.out"]) == float(wb), f"masks frame {f}"
        assert float(r["mp.out"]) == 1.0
        if wb:
            held = T
        if wa or wb:  # several edges into one event input are OR-ed
            held2 = T
        assert_close(r["sh.out"], held, TOL, f"SampleHold(wrapB) frame {f}")
        assert_close(r["sh2.out"], held2, TOL, f"SampleHold(wrapA or wrapB) frame {f}")


def test_several_edges_into_a_continuous_input_last_wins(runtime_cls):
    blocks = [
        blk("c1", "Const", value=1.0),
        blk("c2", "Const", value=2.0),
        blk("c3", "Const", value=3.0),
        blk("add", "Add"),
    ]
    edges = [edge("c1.out", "add.a"), edge("c3.out", "add.a", enabled=False), edge("c2.out", "add.a")]
    [r] = run_frames(runtime_cls, make_patch(blocks, edges), ["add.out"], [0])
    assert float(r["add.out"]) == 2.0


def test_rail_defaults_to_phase_a(runtime_cls):
    blocks = [
        blk("a", "Array", count=4),
        blk("o", "Oscillator"),
        blk("h", "HueFromPhase"),
        blk("o2", "Oscillator", phase=0.1),
        blk("ang", "AngularOffset", spin=1),
    ]
    edges = [edge("a.t", "h.id01"), edge("a.t", "ang.id01")]
    [r] = run_frames(
        runtime_cls, make_patch(blocks, edges, periodAMs=1000), ["o.out", "h.hue", "o2.out", "ang.offset"], [250.0]
    )
    assert_close(r["o.out"], 1.0, TOL, "Oscillator on the rail: sin(2pi 0.25)")
    assert_close(r["h.hue"], (normalized_index(4) + 0.25) % 1.0, TOL, "HueFromPhase on the rail")
    assert_close(r["o2.out"], math.sin(2 * math.pi * 0.1), TOL, "an inline param replaces the rail")
    assert_close(r["ang.offset"], np.full(4, 2 * math.pi * 0.25), TOL, "AngularOffset on the rail")


def test_time_is_monotonic_and_dt_uses_clamped_time(runtime_cls):
    frames = run_frames(runtime_cls, make_patch([]), ["time.tMs", "time.dt"], [100, 50, 80, 200])
    assert [float(r["time.tMs"]) for r in frames] == [100, 100, 100, 200]
    assert [float(r["time.dt"]) for r in frames] == [0, 0, 0, 100]


# -- the schedule validator ---------------------------------------------------------------------
def test_validator_rejects_state_write_in_phase_1():
    steps = [
        Step(kind="signalKernel", phase=1, kernel="signal", writes_slots=(0,)),
        Step(kind="stateWrite", phase=1, kernel="commit", reads_slots=(0,), writes_cells=("ud:delay",)),
    ]
    with pytest.raises(ScheduleError) as ei:
        validate_schedule(steps)
    assert "ud:delay" in str(ei.value)
    assert isinstance(ei.value, osc.CompileError)


def test_validator_rejects_two_writers():
    steps = [
        Step(kind="signalKernel", phase=1, kernel="signal", writes_slots=(0, 3)),
        Step(kind="fieldKernel", phase=1, kernel="field0", instance="a", lanes=4, writes_slots=(3,)),
    ]
    with pytest.raises(ScheduleError) as ei:
        validate_schedule(steps)
    assert "s3" in str(ei.value)


def test_validator_rejects_read_before_write():
    steps = [
        Step(kind="fieldKernel", phase=1, kernel="field0", instance="a", lanes=4, reads_slots=(5,), writes_slots=(6,)),
        Step(kind="signalKernel", phase=1, kernel="signal", writes_slots=(5,)),
    ]
    with pytest.raises(ScheduleError) as ei:
        validate_schedule(steps)
    assert "s5" in str(ei.value)


def test_validator_rejects_slot_writes_in_phase_2_and_phase_order():
    with pytest.raises(ScheduleError):
        validate_schedule([Step(kind="stateWrite", phase=2, kernel="commit", writes_slots=(1,), writes_cells=("x:y",))])
    with pytest.raises(ScheduleError):
        validate_schedule(
            [
                Step(kind="stateWrite", phase=2, kernel="commit", writes_cells=("x:y",)),
                Step(kind="signalKernel", phase=1, kernel="signal", writes_slots=(0,)),
            ]
        )


def test_validator_accepts_a_valid_schedule():
    validate_schedule(
        [
            Step(kind="signalKernel", phase=1, kernel="signal", writes_slots=(0, 1)),
            Step(
                kind="fieldKernel", phase=1, kernel="field0", instance="a", lanes=4, reads_slots=(0,), writes_slots=(2,)
            ),
            Step(kind="render", phase=1, instance="a", lanes=4, reads_slots=(2,), block="draw"),
            Step(kind="stateWrite", phase=2, kernel="commit", reads_slots=(1,), writes_cells=("ud:delay",)),
        ]
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=[os.path.basename(p) for p in EXAMPLES])
def test_example_schedules_are_valid(path):
    prog = osc.compile(path, observe="all")
    validate_schedule(prog.schedule)
    phases = [s.phase for s in prog.schedule]
    assert phases == sorted(phases)
    assert all(s.kind == "stateWrite" for s in prog.schedule if s.phase == 2)
    assert all(s.kind != "stateWrite" for s in prog.schedule if s.phase == 1)
    assert prog.dispatches_per_frame <= len(prog.instances) + 3
    written_cells = {c for s in prog.schedule for c in s.writes_cells}
    assert written_cells == {c.state_id for c in prog.state_layout.cells}, "every state cell is committed in phase 2"


def test_example_dispatch_count_on_the_gpu():
    from support.running import gpu_or_skip

    gpu_or_skip()
    for path in EXAMPLES:
        prog = osc.compile(path)
        rt = osc.Runtime(prog)
        assert rt.dispatches_per_frame <= len(prog.instances) + 3, path


def test_cycle_bypassing_the_unit_delay_of_its_scc_is_still_detected():
    """acc is wired to itself inside a legal UnitDelay loop: that self-loop never crosses state."""
    patch = make_patch(
        [blk("delay", "UnitDelay"), blk("acc", "Add", b=0.1), blk("wrap", "Mod", b=1)],
        [
            edge("delay.out", "acc.a"),
            edge("acc.out", "wrap.a"),
            edge("wrap.result", "delay.in"),
            edge("acc.out", "acc.a"),
        ],
    )
    e = reported(patch)
    [d] = [d for d in e.value.diagnostics if d.code == "E_CYCLE_DETECTED"]
    assert d.block == "acc"
    assert "insert a UnitDelay between acc.out and acc.a" in d.message


def test_unit_delay_wired_to_itself_is_legal():
    patch = make_patch([blk("d", "UnitDelay", initialValue=3)], [edge("d.out", "d.in")])
    rt = osc.ReferenceRuntime(osc.compile(patch, observe=["d.out"]))
    for t in (0, 16, 32):
        rt.step(t)
        assert rt.read("d.out") == 3
