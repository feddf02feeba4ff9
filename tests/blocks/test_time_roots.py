"""FiniteTimeRoot and CyclicTimeRoot (docs/language/time.md#time-resolution, #time-roots, #example-cyclic-and-finite) on
the GPU Runtime and the numpy ReferenceRuntime: the W9 rows, `ended` once per time state, pingpong `wrap` at every turn,
dt, monotonic time, reset, the rails (docs/language/time.md#rail) and param validation. Expected values come from the
oracle below, written from docs/language/time.md in float64 (nothing from oscilla)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from support.builders import blk, edge
from support.formulas import TWO_PI, assert_close, frac, hsv2rgb, normalized_index
from support.reported import reported
from support.running import run_frames

import oscilla as osc

pytestmark = pytest.mark.gpu

TOL = 2e-5
F32_BELOW_ONE = float(np.nextafter(np.float32(1.0), np.float32(0.0)))


# -- oracle (docs/language/time.md) ----------------------------------------------------------------------
def _phase_f32(x: float) -> float:
    """A phase as the GPU sees it: f32, and a value that rounds to 1.0 becomes 0.99999994."""
    p = float(np.float32(x))
    return F32_BELOW_ONE if p >= 1.0 else p


def cyclic_oracle(times, period, mode="loop"):
    """Per frame: (tMs, dt, phase, wrap)."""
    prev, first, c_prev, out = 0.0, True, 0, []
    for t_abs in times:
        t = max(float(t_abs), prev)
        dt = 0.0 if first else t - prev
        c = t / period
        if mode == "loop":
            phase = c - math.floor(c)
        else:
            w = c / 2 - math.floor(c / 2)
            phase = 2 * w if w < 0.5 else 2 - 2 * w
        cycles = math.floor(c)
        out.append((t, dt, _phase_f32(phase), (not first) and cycles > c_prev))
        prev, first, c_prev = t, False, cycles
    return out


def finite_oracle(times, duration):
    """Per frame: (tMs, dt, progress, ended)."""
    prev, fired, out, prev_tms = 0.0, False, [], None
    for t_abs in times:
        t = max(float(t_abs), prev)
        tms = min(t, duration)
        dt = 0.0 if prev_tms is None else tms - prev_tms
        ended = t >= duration and not fired
        fired = fired or ended
        out.append((tms, dt, tms / duration, ended))
        prev, prev_tms = t, tms
    return out


def _root_patch(root_type, blocks=(), edges=(), **params):
    return {"oscilla": 1, "blocks": [blk("time", root_type, **params)] + list(blocks), "edges": list(edges)}


def _check_cyclic(frames, expected, what):
    for f, (r, (tms, dt, phase, wrap)) in enumerate(zip(frames, expected)):
        assert_close(r["time.tMs"], tms, TOL, f"{what} frame {f} tMs")
        assert_close(r["time.dt"], dt, TOL, f"{what} frame {f} dt")
        assert_close(r["time.phase"], phase, TOL, f"{what} frame {f} phase")
        assert 0.0 <= float(r["time.phase"]) < 1.0, f"{what} frame {f}: phase {r['time.phase']} not in [0,1)"
        assert r["time.wrap"].dtype == np.bool_ and r["time.wrap"].shape == ()
        assert bool(r["time.wrap"]) is wrap, f"{what} frame {f} wrap"


CYCLIC_PORTS = ["time.tMs", "time.dt", "time.phase", "time.wrap"]
FINITE_PORTS = ["time.tMs", "time.dt", "time.progress", "time.ended"]


# -- the oracle itself against W9 ------------------------------------------------------------------------
def test_oracle_matches_w9():
    assert [round(p, 6) for _, _, p, _ in cyclic_oracle([0, 250, 1250, 2100], 1000, "pingpong")] == [0, 0.25, 0.75, 0.1]
    assert [w for *_, w in cyclic_oracle([0, 250, 1250, 2100], 1000, "pingpong")] == [False, False, True, True]
    fin = finite_oracle([0, 500, 1000, 1500], 1000)
    assert [x[:3] for x in fin] == [(0, 0, 0), (500, 500, 0.5), (1000, 500, 1), (1000, 0, 1)]
    assert [x[3] for x in fin] == [False, False, True, False]


# -- W9 -----------------------------------------------------------------------------------------------------
def test_w9_cyclic_pingpong(runtime_cls):
    times = [0, 250, 1250, 2100]
    frames = run_frames(runtime_cls, _root_patch("CyclicTimeRoot", periodMs=1000, mode="pingpong"), CYCLIC_PORTS, times)
    for r, phase, wrap in zip(frames, [0, 0.25, 0.75, 0.1], [False, False, True, True]):  # W9 literally
        assert_close(r["time.phase"], phase, TOL, "W9 pingpong phase")
        assert bool(r["time.wrap"]) is wrap
    _check_cyclic(frames, cyclic_oracle(times, 1000, "pingpong"), "W9 pingpong")


def test_w9_finite(runtime_cls):
    times = [0, 500, 1000, 1500]
    frames = run_frames(runtime_cls, _root_patch("FiniteTimeRoot", durationMs=1000), FINITE_PORTS, times)
    w9 = [(0, 0, 0, False), (500, 500, 0.5, False), (1000, 500, 1, True), (1000, 0, 1, False)]
    for f, (r, (tms, dt, progress, ended)) in enumerate(zip(frames, w9)):
        assert_close(r["time.tMs"], tms, TOL, f"W9 finite frame {f} tMs")
        assert_close(r["time.dt"], dt, TOL, f"W9 finite frame {f} dt")
        assert_close(r["time.progress"], progress, TOL, f"W9 finite frame {f} progress")
        assert r["time.ended"].dtype == np.bool_
        assert bool(r["time.ended"]) is ended, f"W9 finite frame {f} ended"


# -- CyclicTimeRoot -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["loop", "pingpong"])
def test_cyclic_wrap_fires_at_every_turn(runtime_cls, mode):
    times = [0, 40, 80, 100, 130, 199, 200, 260, 330, 470, 475, 1000, 1000, 1001, 3000.5]
    frames = run_frames(runtime_cls, _root_patch("CyclicTimeRoot", periodMs=100, mode=mode), CYCLIC_PORTS, times)
    expected = cyclic_oracle(times, 100, mode)
    _check_cyclic(frames, expected, f"cyclic {mode}")
    # wrap at every multiple of the period crossed (once per frame however many were skipped),
    # in pingpong both at the top (odd turns) and at the bottom (even turns)
    assert [bool(r["time.wrap"]) for r in frames] == [
        False,
        False,
        False,
        True,
        False,
        False,
        True,
        False,
        True,
        True,
        False,
        True,
        False,
        False,
        True,
    ]


def test_cyclic_defaults_are_a_1000ms_loop(runtime_cls):
    times = [0, 300, 999, 1000, 2500]
    frames = run_frames(runtime_cls, _root_patch("CyclicTimeRoot"), CYCLIC_PORTS, times)
    _check_cyclic(frames, cyclic_oracle(times, 1000, "loop"), "default cyclic")


def test_pingpong_peak_stays_below_one(runtime_cls):
    times = [0, 1000, 1999.999, 2000, 3000]
    frames = run_frames(runtime_cls, _root_patch("CyclicTimeRoot", periodMs=1000, mode="pingpong"), CYCLIC_PORTS, times)
    _check_cyclic(frames, cyclic_oracle(times, 1000, "pingpong"), "pingpong peak")
    assert float(frames[1]["time.phase"]) == F32_BELOW_ONE  # the top of the triangle is 0.99999994
    assert float(frames[4]["time.phase"]) == F32_BELOW_ONE


def test_cyclic_phase_exact_at_large_t(runtime_cls):
    times = [1e9 + 250, 1e9 + 1750]
    for mode, want in (("loop", [0.25, 0.75]), ("pingpong", [0.25, 0.25])):
        frames = run_frames(runtime_cls, _root_patch("CyclicTimeRoot", periodMs=1000, mode=mode), CYCLIC_PORTS, times)
        assert_close([float(r["time.phase"]) for r in frames], want, 1e-6, f"{mode} at T = 1e9")


# -- FiniteTimeRoot ------------------------------------------------------------------------------------------
def test_finite_ended_fires_once_per_time_state(runtime_cls):
    patch = _root_patch("FiniteTimeRoot", durationMs=300)
    prog = osc.compile(patch, observe=FINITE_PORTS)
    rt = runtime_cls(prog)
    times = [0, 100, 299.5, 350, 300, 900, 5000]
    fired = []
    for t in times:
        rt.step(t)
        fired.append(bool(rt.read("time.ended")))
    assert fired == [False, False, False, True, False, False, False]
    rt.reset()  # a new time state: ended fires again, and frame 0 counts when T >= duration
    fired = []
    for t in (400, 500, 600):
        rt.step(t)
        fired.append(bool(rt.read("time.ended")))
        assert_close(rt.read("time.progress"), 1.0, TOL)
        assert_close(rt.read("time.tMs"), 300.0, TOL)
    assert fired == [True, False, False]
    assert_close(rt.read("time.dt"), 0.0, TOL, "dt after the end")


def test_finite_dt_is_the_tms_difference(runtime_cls):
    times = [0, 123.25, 700, 950, 1200, 1100, 5000]
    frames = run_frames(runtime_cls, _root_patch("FiniteTimeRoot", durationMs=1000), FINITE_PORTS, times)
    expected = finite_oracle(times, 1000)
    for f, (r, (tms, dt, progress, ended)) in enumerate(zip(frames, expected)):
        assert_close(r["time.tMs"], tms, TOL, f"finite frame {f} tMs")
        assert_close(r["time.dt"], dt, TOL, f"finite frame {f} dt")
        assert_close(r["time.progress"], progress, TOL, f"finite frame {f} progress")
        assert bool(r["time.ended"]) is ended, f"finite frame {f} ended"
    # dt 950 -> 1200 is 50 (tMs stops at the duration), not 250
    assert_close(frames[4]["time.dt"], 50.0, TOL)


def test_finite_default_duration(runtime_cls):
    frames = run_frames(runtime_cls, _root_patch("FiniteTimeRoot"), FINITE_PORTS, [0, 2500, 10000])
    assert_close([float(r["time.progress"]) for r in frames], [0, 0.25, 1], TOL)
    assert [bool(r["time.ended"]) for r in frames] == [False, False, True]


# -- monotonic time and reset --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "root, params",
    [
        ("CyclicTimeRoot", {"periodMs": 400, "mode": "pingpong"}),
        ("CyclicTimeRoot", {"periodMs": 400}),
        ("FiniteTimeRoot", {"durationMs": 1000}),
    ],
)
def test_time_is_monotonic_and_reset_restarts(runtime_cls, root, params):
    times = [100, 600, 300, 300, 900, float("nan"), 1300]
    ports = CYCLIC_PORTS if root == "CyclicTimeRoot" else FINITE_PORTS
    prog = osc.compile(_root_patch(root, **params), observe=ports)
    rt = runtime_cls(prog)
    seen = []
    for t in times:
        if not math.isfinite(t):  # refused before anything changes; stepping the last time again repeats it
            with pytest.raises(ValueError):
                rt.step(t)
            t = 900
        rt.step(t)
        seen.append({p: np.array(rt.read(p)) for p in ports})
    clean = [t if math.isfinite(t) else 900 for t in times]
    if root == "CyclicTimeRoot":
        _check_cyclic(seen, cyclic_oracle(clean, params["periodMs"], params.get("mode", "loop")), root)
    else:
        for f, (r, (tms, dt, _progress, ended)) in enumerate(zip(seen, finite_oracle(clean, 1000))):
            assert_close(r["time.tMs"], tms, TOL, f"frame {f}")
            assert_close(r["time.dt"], dt, TOL, f"frame {f}")
            assert bool(r["time.ended"]) is ended
    tms = [float(r["time.tMs"]) for r in seen]
    assert tms == sorted(tms), "tMs never decreases"
    assert_close(seen[2]["time.dt"], 0.0, TOL, "a smaller tAbs gives dt = 0")
    rt.reset()
    rt.step(50)
    assert_close(rt.read("time.tMs"), 50.0, TOL, "reset: time restarts")
    assert_close(rt.read("time.dt"), 0.0, TOL, "reset: frame 0 has dt = 0")


# -- rails (docs/language/time.md#rail) --------------------------------------------------------------------------------
def _rail_patch(root, **params):
    blocks = [
        blk("osc", "Oscillator"),
        blk("saw", "Oscillator", mode="saw"),
        blk("a", "Array", count=10),
        blk("hue", "HueFromPhase"),
        blk("lfo", "ColorLFO", hue=0.25),
    ]
    return _root_patch(root, blocks, [edge("a.t", "hue.id01")], **params)


RAIL_PORTS = ["osc.out", "saw.out", "hue.hue", "lfo.color"]


def _check_rail(frames, rails, what):
    id01 = normalized_index(10)
    for f, (r, rail) in enumerate(zip(frames, rails)):
        p = float(frac(rail))
        assert_close(r["osc.out"], math.sin(TWO_PI * p), TOL, f"{what} frame {f} Oscillator")
        assert_close(r["saw.out"], 2 * p - 1, TOL, f"{what} frame {f} saw")
        assert_close(r["hue.hue"], frac(id01 + np.float32(rail)), TOL, f"{what} frame {f} HueFromPhase")
        assert_close(
            r["lfo.color"], hsv2rgb(frac(np.float32(rail) + np.float32(0.25)), 1, 1), TOL, f"{what} frame {f} ColorLFO"
        )


@pytest.mark.parametrize("mode", ["loop", "pingpong"])
def test_cyclic_rail_is_phase(runtime_cls, mode):
    times = [0, 130, 470, 1260, 1780]
    frames = run_frames(runtime_cls, _rail_patch("CyclicTimeRoot", periodMs=500, mode=mode), RAIL_PORTS, times)
    _check_rail(frames, [p for _, _, p, _ in cyclic_oracle(times, 500, mode)], f"cyclic {mode} rail")


def test_finite_rail_is_progress_without_adapter(runtime_cls):
    times = [0, 100, 420, 800, 1000, 1500]
    frames = run_frames(runtime_cls, _rail_patch("FiniteTimeRoot", durationMs=800), RAIL_PORTS, times)
    _check_rail(frames, [p for _, _, p, _ in finite_oracle(times, 800)], "finite rail")
    # progress 0.525 at 420 ms, used as the phase as it is (no norm01 -> phase01 adapter)
    assert_close(frames[2]["saw.out"], 2 * 0.525 - 1, TOL)


def test_events_feed_event_consumers(runtime_cls):
    blocks = [blk("m", "EventToSignalMask"), blk("sh", "SampleHold")]
    edges = [edge("time.wrap", "m.event"), edge("time.wrap", "sh.trigger"), edge("time.tMs", "sh.value")]
    times = [0, 60, 120, 130, 250]
    frames = run_frames(
        runtime_cls,
        _root_patch("CyclicTimeRoot", blocks, edges, periodMs=100, mode="pingpong"),
        ["m.out", "sh.out"],
        times,
    )
    assert [float(r["m.out"]) for r in frames] == [0, 0, 1, 0, 1]
    assert_close([float(r["sh.out"]) for r in frames], [0, 0, 120, 120, 250], TOL)
    blocks = [blk("m", "EventToSignalMask")]
    frames = run_frames(
        runtime_cls,
        _root_patch("FiniteTimeRoot", blocks, [edge("time.ended", "m.event")], durationMs=100),
        ["m.out"],
        [0, 50, 100, 150],
    )
    assert [float(r["m.out"]) for r in frames] == [0, 0, 1, 0]


# -- params ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "root, params",
    [
        ("FiniteTimeRoot", {"durationMs": 0}),
        ("FiniteTimeRoot", {"durationMs": -5}),
        ("FiniteTimeRoot", {"durationMs": "long"}),
        ("CyclicTimeRoot", {"periodMs": 0}),
        ("CyclicTimeRoot", {"periodMs": float("inf")}),
        ("CyclicTimeRoot", {"mode": "bounce"}),
        ("CyclicTimeRoot", {"mode": 1}),
        ("CyclicTimeRoot", {"mode": True}),
    ],
)
def test_bad_time_root_params(root, params):
    e = reported(_root_patch(root, **params))
    [d] = e.value.diagnostics
    assert (d.code, d.block, d.port) == ("E_PARAM_INVALID", "time", next(iter(params)))


def test_time_root_spec_and_multiple_roots():
    prog = osc.compile(_root_patch("CyclicTimeRoot", periodMs=250, mode="pingpong"))
    assert (prog.time_root.type, prog.time_root.period_ms, prog.time_root.mode) == ("CyclicTimeRoot", 250.0, "pingpong")
    prog = osc.compile(_root_patch("FiniteTimeRoot", durationMs=1234))
    assert (prog.time_root.type, prog.time_root.duration_ms) == ("FiniteTimeRoot", 1234.0)
    e = reported(_root_patch("FiniteTimeRoot", [blk("c", "CyclicTimeRoot")]))
    assert [(d.code, d.block) for d in e.value.diagnostics] == [("E_TIME_ROOT_MULTIPLE", "c")]


# -- the frame uniform layout -----------------------------------------------------------------------------------
def test_frame_uniforms_struct_matches_the_host_format():
    """The FrameUniforms struct every kernel starts with has the fields, order and size of the host
    packing (oscilla/abi/uniforms.py FRAME_UNIFORMS, as packed by oscilla/runtime/clock.py)."""
    from oscilla.abi.uniforms import FRAME_UNIFORMS
    from oscilla.codegen.wgsl import kernel_prelude
    from oscilla.runtime.clock import HEADER_SIZE, MAX_CHANNELS, UNIFORM_SIZE

    body = re.search(r"struct FrameUniforms \{(.*?)\n\}", kernel_prelude(), re.S).group(1)
    body = re.sub(r"//.*", "", body)
    fields = re.findall(r"^\s*(\w+)\s*:\s*([\w<>, ]+?),?\s*$", body, re.M)
    kinds = {"f32": "f", "u32": "I"}
    offset, fmt = 0, "<"
    for name, typ in fields:
        if typ in kinds:
            fmt += kinds[typ]
            offset += 4
        else:
            assert name == "ext" and typ.replace(" ", "") == "array<vec4<f32>,16>", (name, typ)
            assert offset == HEADER_SIZE and offset % 16 == 0
            fmt += f"{MAX_CHANNELS}f"
            offset += 16 * 16
    import struct

    host = "<" + "".join({"f": "f", "u": "I"}[FRAME_UNIFORMS.dtype[n].kind] for n in FRAME_UNIFORMS.dtype.names[:-1])
    host += f"{MAX_CHANNELS}f"  # ext
    assert struct.calcsize(fmt) == struct.calcsize(host) == UNIFORM_SIZE == offset == 320
    assert fmt == host and fmt.replace("ffff", "4f").replace("IIIIIIII", "8I") == "<4f8I4f64f"
    names = [n for n, _ in fields]
    assert names[:4] == ["t_ms", "dt", "phase_a", "phase_b"] and names[8] == "opaque_zero"
    assert names.index("wrap") < names.index("ended") < names.index("phase") < names.index("progress")
