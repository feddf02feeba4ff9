"""The claims of docs/runtime/execution-model.md, executed.

The page's examples are real: (a) the state of the feedback loop over three frames, (b) the
violation (the state write moved into Phase 1) and the validator rejecting it, (c) the full
schedule of examples/feedback.json. These tests recompute them and check that the page still shows
what the code does, so a compiler or runtime change that alters them fails here until the page is
updated. The failure-mode demonstrations of section 10 drive the ReferenceRuntime's kernels in a
deliberately wrong order (what a misplaced step would compute) and check the numbers.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.paths import ROOT

import oscilla as osc
from oscilla.compiler.schedule import ScheduleError, validate_schedule

PAGE = ROOT / "docs" / "runtime" / "execution-model.md"
FEEDBACK = ROOT / "examples" / "feedback.json"
TIMES = [0.0, 1000 / 60, 2000 / 60]


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def flat(text: str) -> str:
    """``text`` with every run of whitespace collapsed to one space (for wrapped messages)."""
    return re.sub(r"\s+", " ", text)


def f32(v) -> str:
    """A float32 as the page prints it: the shortest round-trip digits, no trailing '.0'."""
    s = str(np.float32(v))
    return s[:-2] if s.endswith(".0") else s


def short(v) -> str:
    """A value rounded to 4 decimals as the tables of section 10 print it (− for negatives)."""
    s = f"{float(v):.4f}".rstrip("0").rstrip(".")
    s = "0" if s in ("-0", "") else s
    return s.replace("-", "−")


def _step_in_order(ref, t_ms: float, order: list, commit_at: int | None) -> None:
    """One frame of the ReferenceRuntime with its per-frame kernels run in ``order`` (kernel
    names) and the Phase 2 commit inserted before position ``commit_at`` (None: at the end)."""
    ft = ref.time.resolve(t_ms)
    ref.frame_time = ft
    plans = {k.name: (k, o, m) for k, o, m in ref._plans}
    seq = [plans[n] for n in order]
    at = len(seq) if commit_at is None else commit_at
    ref._run_kernels(seq[:at], ft)
    with np.errstate(all="ignore"):
        ref._commit()
    ref._run_kernels(seq[at:], ft)


def _kernel_names(program) -> list[str]:
    return [k.name for k in program.kernels if not k.once and k.kind != "commit"]


# -- example (a) -------------------------------------------------------------------------------------
def test_example_a_three_frames(runtime_cls):
    """The table of example (a): delay.out(f) = wrap.result(f - 1), the cell holds frame f's value
    after Phase 2, and the page prints exactly these float32 values."""
    program = osc.compile(FEEDBACK, observe=["time.phaseA", "osc.out", "delay.out", "acc.out", "wrap.result"])
    rt = runtime_cls(program)
    assert float(rt.read_state("delay:delay")) == 0.0, "initial value"
    text = page()
    prev = np.float32(0.0)
    for f, t in enumerate(TIMES):
        rt.step(t)
        r = {k: np.float32(rt.read(k)) for k in ("time.phaseA", "osc.out", "delay.out", "acc.out", "wrap.result")}
        cell = np.float32(rt.read_state("delay:delay"))
        assert r["delay.out"] == prev, f"frame {f}: the delay outputs the previous frame's value"
        assert r["acc.out"] == r["wrap.result"] == cell, f"frame {f}: Phase 2 committed this frame's value"
        prev = cell
        if runtime_cls is osc.ReferenceRuntime:  # the page prints the reference's float32 values
            t_txt = f"{t:.3f}".rstrip("0").rstrip(".")
            row = (
                f"| {f} | {t_txt} | {f32(r['time.phaseA'])} | {f32(r['delay.out'])} | {f32(r['osc.out'])} | "
                f"{f32(r['acc.out'])} | **{f32(cell)}** |"
            )
            assert row in text, f"execution-model.md example (a) lacks the row {row!r}"
        else:  # the GPU's sin may differ in the last bit
            want = {"delay.out": [0.0, 0.015, 0.03052336][f], "wrap.result": [0.015, 0.03052336, 0.046568643][f]}
            for k, v in want.items():
                assert abs(float(r[k]) - v) <= 1e-6, (f, k, float(r[k]), v)


# -- example (c) -------------------------------------------------------------------------------------
def test_example_c_is_the_real_inspect_output():
    listing = osc.compile(FEEDBACK).inspect()
    assert listing in page(), "execution-model.md example (c) is not `oscilla inspect examples/feedback.json`"


# -- example (b): the violation -------------------------------------------------------------------------
def _misplaced_commits(program):
    """The feedback schedule with its stateWrite step in Phase 1: at the front, right after the
    signal kernel, and left at the end with only its phase changed."""
    steps = list(program.schedule)
    [i] = [k for k, s in enumerate(steps) if s.kind == "stateWrite"]
    moved = dataclasses.replace(steps[i], phase=1)
    rest = steps[:i] + steps[i + 1 :]
    return {
        "front": [moved] + rest,
        "after the signal kernel": rest[:1] + [moved] + rest[1:],
        "at the end, phase 1": rest + [moved],
    }


def test_violation_schedule_is_rejected_naming_the_cell():
    program = osc.compile(FEEDBACK)
    validate_schedule(program.schedule)  # the compiled one is fine
    text = flat(page())
    for where, steps in _misplaced_commits(program).items():
        with pytest.raises(ScheduleError) as ei:
            validate_schedule(steps)
        msg = str(ei.value)
        assert "delay:delay" in msg and "phase 1" in msg, (where, msg)
        assert isinstance(ei.value, osc.CompileError) and ei.value.diagnostics[0].code == "E_SCHEDULE_INVALID"
        if where == "after the signal kernel":  # the listing and the message shown on the page
            listing = dataclasses.replace(program, schedule=tuple(steps)).inspect()
            for line in listing.splitlines():
                if line.startswith("  ") and " phase " in line:
                    assert line in page(), f"example (b) lacks the schedule line {line!r}"
            assert flat(msg) in text, f"example (b) does not show the validator's message {msg!r}"


# the loop of example (b), per lane, with a second reader of the delay's cell in stage 1
PER_LANE_LOOP = make_patch(
    [
        blk("lanes", "Array", count=4),
        blk("delay", "UnitDelay"),
        blk("speed", "Multiply", b=0.25),
        blk("acc", "Add"),
        blk("wrap", "Mod", b=1),
        blk("mean", "Reduce", op="avg"),
        blk("spread", "Subtract"),
    ],
    [
        edge("lanes.t", "speed.a"),
        edge("delay.out", "acc.a"),
        edge("speed.out", "acc.b"),
        edge("acc.out", "wrap.a"),
        edge("wrap.result", "delay.in"),
        edge("wrap.result", "mean.field"),
        edge("delay.out", "spread.a"),
        edge("mean.signal", "spread.b"),
    ],
)
PORTS = ["delay.out", "wrap.result", "mean.signal", "spread.out"]


def test_committing_between_stages_turns_the_delay_into_a_wire():
    program = osc.compile(PER_LANE_LOOP, observe=PORTS)
    steps = list(program.schedule)
    readers = [s.kernel for s in steps if "delay:delay" in s.reads_cells]
    assert readers == ["field0", "field0_s1"], "the cell is read in both stages"
    text = page()
    for s in program.inspect().splitlines():
        if s.startswith("  ") and " phase " in s:
            assert s in text, f"section 10.1 lacks the schedule line {s!r}"

    # the schedule with the commit between the stages is rejected
    commit = next(s for s in steps if s.kind == "stateWrite")
    bad = steps[:1] + [dataclasses.replace(commit, phase=1)] + [s for s in steps[1:] if s is not commit]
    with pytest.raises(ScheduleError, match="delay:delay"):
        validate_schedule(bad)

    # what it would compute: the second stage sees this frame's value
    order = _kernel_names(program)
    assert order == ["field0", "signal_s1", "field0_s1"]
    good, wire = osc.ReferenceRuntime(program), osc.ReferenceRuntime(program)
    for f, t in enumerate([0.0, 16.0, 33.0]):
        good.step(t)
        _step_in_order(wire, t, order, commit_at=1)
        g = {k: np.asarray(good.read(k), np.float64) for k in PORTS}
        w = {k: np.asarray(wire.read(k), np.float64) for k in PORTS}
        for k in ("delay.out", "wrap.result", "mean.signal"):  # stage 0 and the Reduce agree
            np.testing.assert_array_equal(g[k], w[k])
        np.testing.assert_allclose(g["spread.out"], g["delay.out"] - g["mean.signal"], atol=1e-6)
        np.testing.assert_allclose(
            w["spread.out"],
            g["wrap.result"] - g["mean.signal"],
            atol=1e-6,
            err_msg="stage 1 read the new value: the delay is a wire",
        )
        assert not np.allclose(g["spread.out"], w["spread.out"]), f"frame {f}"
        row = (
            f"| {f} | {', '.join(map(short, g['delay.out']))} | {', '.join(map(short, g['wrap.result']))} | "
            f"{short(g['mean.signal'])} | {', '.join(map(short, g['spread.out']))} | "
            f"{', '.join(map(short, w['spread.out']))} |"
        )
        assert row in text, f"section 10.1's table lacks the row {row!r}"


# -- section 10.3: a read before the writer --------------------------------------------------------
def test_reading_a_slot_before_its_writer_is_rejected_and_lags():
    program = osc.compile(FEEDBACK, observe=["circA.position"])
    plain = osc.compile(FEEDBACK)
    swapped = [plain.schedule[1], plain.schedule[0]] + list(plain.schedule[2:])
    with pytest.raises(ScheduleError) as ei:
        validate_schedule(swapped)
    assert "reads slot s8 before the step that writes it" in str(ei.value)
    assert str(ei.value) in page()

    order = _kernel_names(program)
    assert order == ["signal", "field0", "field1"]
    good, late = osc.ReferenceRuntime(program), osc.ReferenceRuntime(program)
    prev = None
    text = page()
    for t in TIMES:
        good.step(t)
        _step_in_order(late, t, ["field0", "signal", "field1"], commit_at=None)
        g, w = good.read("circA.position")[0], late.read("circA.position")[0]
        if prev is None:
            np.testing.assert_allclose(w[:2], [0.46, 0.5], atol=1e-6)  # the zeroed slot: phase 0
        else:
            np.testing.assert_array_equal(w, prev)  # one frame behind
        assert f"({f32(g[0])}, {f32(g[1])})" in text
        prev = g


# -- section 10.4: committing first ------------------------------------------------------------------------
def test_committing_first_loses_the_initial_value_and_survives_reset():
    patch = make_patch(
        [blk("delay", "UnitDelay", initialValue=0.5), blk("acc", "Add", b=0.125), blk("wrap", "Mod", b=1)],
        [
            edge("delay.out", "acc.a"),
            edge("acc.out", "wrap.a"),
            edge("wrap.result", "delay.in"),
        ],
    )
    program = osc.compile(patch, observe=["delay.out"])
    order = _kernel_names(program)
    good, first = osc.ReferenceRuntime(program), osc.ReferenceRuntime(program)
    outs_good, outs_first = [], []
    for f in range(4):
        if f == 3:
            good.reset()
            first.reset()
        good.step(16.0 * f)
        _step_in_order(first, 16.0 * f, order, commit_at=0)
        outs_good.append(float(good.read("delay.out")))
        outs_first.append(float(first.read("delay.out")))
    assert outs_good == [0.5, 0.625, 0.75, 0.5]
    assert outs_first == [0.0, 0.125, 0.25, 0.375], "the slot acted as state: no initial value, no reset"


# -- the mechanisms ---------------------------------------------------------------------------------------------
@pytest.mark.gpu
def test_phase_1_kernels_cannot_write_state(device):
    """Phase 1 binds the StateBuffer read-only, so a kernel that stores into it does not compile."""
    program = osc.compile(FEEDBACK)
    good = program.wgsl["signal"]
    assert "    vf[120u] = v7;" in good, "the page quotes this store of slot s7"
    device.create_shader_module(code=good)
    bad = good.replace("    vf[120u] = v7;", "    sf[0u] = v7;")
    with pytest.raises(Exception, match="writing to this location is not permitted"):
        device.create_shader_module(code=bad)


def test_replay_after_reset_is_bit_identical(runtime_cls):
    """Deterministic replay: after reset() the same times give the same bits, state included."""
    for name, cells in (("feedback", ["delay:delay"]), ("lag-grid", ["lag:lag"])):
        program = osc.compile(ROOT / "examples" / f"{name}.json", observe="all")
        rt = runtime_cls(program)
        runs = []
        for _ in range(2):
            frames = []
            for f in range(12):
                rt.step(f * 1000 / 60)
                frames.append(
                    {k: np.array(rt.read(k)) for k in sorted(program.ports)}
                    | {c: np.array(rt.read_state(c)) for c in cells}
                )
            runs.append(frames)
            rt.reset()
        for f, (a, b) in enumerate(zip(*runs)):
            for k in a:
                assert a[k].tobytes() == b[k].tobytes(), f"{name} frame {f} {k}"
