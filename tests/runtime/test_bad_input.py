"""Bad arguments to the runtime methods (issue 9): each raises a documented error before anything
changes, and the runtime takes its next valid step as if the bad call never happened."""

import dataclasses
import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.running import gpu_or_skip

import oscilla as osc
from oscilla.program import TimeRootSpec
from oscilla.runtime.clock import (
    MAX_T_MS,
    InputTypeError,
    TimeModel,
    UnknownChannelWarning,
    check_time,
    phase_f32,
    pingpong_f32,
)

TWO_53 = 9007199254740992.0  # 2**53 ms, written out: the documented bound of step's t_ms


def knob_lag_patch(smoothing=0.5):
    """ExternalInput "knob" -> Lag; a small ring so the patch also draws."""
    return make_patch(
        [
            blk("k", "ExternalInput", channel="knob"),
            blk("lag", "Lag", smoothing=smoothing),
            blk("arr", "Array", count=4),
            blk("ring", "CircleLayout"),
            blk("draw", "RenderInstances2D"),
        ],
        [
            edge("k.value", "lag.target"),
            edge("arr.elements", "ring.elements"),
            edge("ring.position", "draw.pos"),
            edge("lag.out", "ring.radius"),
        ],
        periodAMs=1000,
    )


OBSERVE = ["time.tMs", "time.dt", "time.phaseA", "lag.out"]


def snapshot(rt):
    """What a bad call must not change: the time state and the last frame's readable values."""
    return (
        rt.time.prev,
        rt.time.first,
        rt.time.frame,
        rt.frame_time,
        {p: float(rt.read(p)) for p in OBSERVE},
        dict(rt.channels),
    )


def test_the_documented_bound_is_2_to_the_53():
    assert MAX_T_MS == TWO_53
    assert float(TWO_53 - 1) + 1 == TWO_53 and float(TWO_53 + 1) == TWO_53  # float64 whole ms end here
    assert np.isfinite(np.float32(MAX_T_MS))  # and tMs fits the f32 the GPU sees


def test_step_1e39_raises_and_the_next_step_works(runtime_cls):
    rt = runtime_cls(osc.compile(knob_lag_patch(), observe=OBSERVE))
    rt.step(250.0)
    before = snapshot(rt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either (it used to poison every later step)
        with pytest.raises(ValueError, match="t_ms"):
            rt.step(1e39)
        assert snapshot(rt) == before, "a refused step changed the runtime"
        rt.step(400.0)
    assert float(rt.read("time.tMs")) == 400.0
    assert float(rt.read("time.dt")) == 150.0  # measured from the last good frame, 250 ms
    assert float(rt.read("time.phaseA")) == np.float32(0.4)
    assert rt.time.frame == 2


@pytest.mark.parametrize(
    "bad, kind",
    [
        ("100", InputTypeError),
        (b"100", InputTypeError),
        (None, InputTypeError),
        (True, InputTypeError),
        (np.bool_(True), InputTypeError),
        ([100.0], InputTypeError),
        (complex(1, 0), InputTypeError),
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        (float("-inf"), ValueError),
        (np.float64("nan"), ValueError),
        (9007199254740994.0, ValueError),  # the float after 2**53
        (10**400, ValueError),  # an int beyond the float range
    ],
)
def test_bad_times_are_refused_before_anything_changes(runtime_cls, bad, kind):
    rt = runtime_cls(osc.compile(knob_lag_patch(), observe=OBSERVE))
    rt.step(100.0)
    before = snapshot(rt)
    with pytest.raises(kind):
        rt.step(bad)
    assert snapshot(rt) == before
    rt.step(300.0)
    assert (float(rt.read("time.tMs")), float(rt.read("time.dt"))) == (300.0, 200.0)


def test_a_wrong_type_is_both_a_type_error_and_a_value_error():
    for exc in (TypeError, ValueError):
        with pytest.raises(exc, match="t_ms must be a number"):
            check_time("100")


def test_the_bound_itself_and_numpy_and_negative_times_are_accepted(runtime_cls):
    rt = runtime_cls(osc.compile(knob_lag_patch(), observe=OBSERVE))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rt.step(np.float32(-5.0))  # before 0: repeats the start (time never runs backwards)
        assert float(rt.read("time.tMs")) == 0.0
        rt.step(np.int64(10))
        assert float(rt.read("time.tMs")) == 10.0
        rt.step(Fraction(41, 2))
        assert float(rt.read("time.tMs")) == 20.5
        rt.step(2**53)
    assert float(rt.read("time.tMs")) == np.float32(TWO_53)
    assert np.isfinite(float(rt.read("time.dt")))


# -- set_input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad, kind",
    [
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        (np.float32("-inf"), ValueError),
        (1e39, ValueError),  # beyond f32: the GPU would see inf
        (10**400, ValueError),
        ("0.5", InputTypeError),
        (None, InputTypeError),
        ([0.5], InputTypeError),
    ],
)
def test_set_input_refuses_values_that_would_poison_state(runtime_cls, bad, kind):
    rt = runtime_cls(osc.compile(knob_lag_patch(smoothing=0.5), observe=OBSERVE))
    rt.set_input("knob", 1.0)
    rt.step(0.0)
    assert float(rt.read("lag.out")) == 0.5  # lerp(0, 1, 0.5)
    with pytest.raises(kind, match="knob"):
        rt.set_input("knob", bad)
    assert rt.channels["knob"] == 1.0, "the channel keeps its value"
    rt.step(16.0)
    rt.step(32.0)
    assert float(rt.read("lag.out")) == 0.875  # 0.5 -> 0.75 -> 0.875: the Lag is not poisoned


def test_set_input_needs_a_str_name(runtime_cls):
    rt = runtime_cls(osc.compile(knob_lag_patch(), observe=OBSERVE))
    with pytest.raises(TypeError, match="channel name"):
        rt.set_input(7, 1.0)
    assert rt.channels == {}


def test_set_input_bool_is_0_or_1(runtime_cls):
    rt = runtime_cls(osc.compile(knob_lag_patch(smoothing=1.0), observe=OBSERVE))
    rt.set_input("knob", True)
    rt.step(0.0)
    assert float(rt.read("lag.out")) == 1.0
    rt.set_input("knob", np.bool_(False))
    rt.step(16.0)
    assert float(rt.read("lag.out")) == 0.0


def test_unknown_channels_warn_once_per_name(runtime_cls):
    rt = runtime_cls(osc.compile(knob_lag_patch(), observe=OBSERVE))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rt.set_input("knob", 0.5)  # read by the program: no warning
        rt.set_input("mouse.x", 0.5)  # a window channel: no warning
        rt.set_input("knb", 0.1)
        rt.set_input("knb", 0.2)  # the same name again: no second warning
        rt.set_input("slider", 0.3)
    got = [(w.category, str(w.message)) for w in caught]
    assert [c for c, _ in got] == [UnknownChannelWarning, UnknownChannelWarning], got
    assert "'knb'" in got[0][1] and "knob" in got[0][1] and "'slider'" in got[1][1]
    assert caught[0].filename == __file__, "the warning points at the caller's line"
    assert rt.channels["knb"] == 0.2, "an unknown channel's value is kept for a later program"


# -- render ------------------------------------------------------------------------------------
@pytest.mark.gpu
@pytest.mark.parametrize("size", [(2.7, 3.2), (8.0, 8), (True, 8), ("8", 8), (8, None)])
def test_render_requires_integer_sizes(size):
    gpu_or_skip()
    rt = osc.Runtime(osc.compile(knob_lag_patch()))
    rt.step(0.0)
    with pytest.raises(TypeError, match="must be an int"):
        rt.render(*size)
    assert rt.render(np.int64(6), 4).shape == (4, 6, 4)


# -- periods the float64 division cannot handle -------------------------------------------------
def _exact_floor_frac(t: float, period: float) -> tuple[int, float]:
    """floor and fraction of t/period by integer arithmetic on the binary expansions."""
    tn, td = t.as_integer_ratio()
    pn, pd = period.as_integer_ratio()
    num, den = tn * pd, td * pn
    return num // den, (num % den) / den


@pytest.mark.parametrize("period", [1e-320, 5e-324, 1e-310])
@pytest.mark.parametrize("t", [0.0, 1.0, 16.6667, 123456.789, TWO_53])
def test_phases_of_a_subnormal_period_are_exact_and_finite(t, period):
    c, frac = _exact_floor_frac(t, period)
    p, count = phase_f32(t, period)
    assert count == c
    want = float(np.float32(frac))
    assert p == (float(np.nextafter(np.float32(1), np.float32(0))) if want >= 1.0 else want)
    assert 0.0 <= pingpong_f32(t, period) < 1.0


def test_a_time_model_with_a_subnormal_period_resolves_and_continues():
    m = TimeModel(TimeRootSpec(period_a_ms=1e-320, period_b_ms=2000.0))
    fts = [m.resolve(t) for t in (0.0, 1.0, 1.0, 2.5, TWO_53)]
    assert [ft.wrap_a for ft in fts] == [False, True, False, True, True]
    assert all(0.0 <= ft.phase_a < 1.0 for ft in fts)
    cyc = m.continued(TimeRootSpec(type="CyclicTimeRoot", period_ms=1e-320, mode="pingpong"))
    ft = cyc.resolve(TWO_53)
    assert not ft.wrap and 0.0 <= ft.phase < 1.0


def test_a_runtime_with_a_subnormal_period_steps_and_renders(runtime_cls):
    prog = osc.compile(knob_lag_patch(), observe=OBSERVE)
    # the compiler refuses such a period (a param range); the clock must hold even so
    tiny = dataclasses.replace(prog, time_root=dataclasses.replace(prog.time_root, period_a_ms=1e-320))
    rt = runtime_cls(tiny)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for t in (0.0, 16.0, 1e9, TWO_53):
            rt.step(t)
            assert 0.0 <= float(rt.read("time.phaseA")) < 1.0
        if runtime_cls is osc.Runtime:
            assert rt.render(8, 8).shape == (8, 8, 4)
    assert math.isfinite(float(rt.read("lag.out")))
