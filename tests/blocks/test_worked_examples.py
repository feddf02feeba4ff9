"""The worked examples W1-W8, W10-W12 and W16, on the GPU Runtime and the numpy
ReferenceRuntime. Expected values are the literal numbers of the worked examples
(docs/language/conventions.md#worked-examples; compared within 2e-5 absolute or relative); hashes are additionally
compared bit for bit with tests/support/formulas.py."""

from __future__ import annotations

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.formulas import assert_bits_equal, assert_close, hash01, hsv2rgb, mod, modulo, noise, pcg_hash, random_id
from support.reported import reported
from support.running import gpu_or_skip, run_frames

import oscilla as osc

pytestmark = pytest.mark.gpu

TOL = 2e-5


# -- the oracle itself against the worked examples (pure numpy, no oscilla) --------------------------------------
def test_formulas_match_worked_example_numbers():
    assert pcg_hash(np.array([0, 1, 2, 3, 0x3F000000])).tolist() == [
        129708002,
        2831084092,
        2055130248,
        2131687100,
        1034895725,
    ]
    assert hash01(0.5, 0.0) == np.float32(16019582 / 2**24)
    assert random_id(np.arange(4), 0).tolist() == [
        0.8592556118965149,
        0.03946274518966675,
        0.18840044736862183,
        0.17153775691986084,
    ]
    assert_close(noise([0, 0.25, 1.5, -0.75, 2.0]), [0.0301999, 0.128475, 0.56883, 0.76332, 0.478497], TOL)
    assert_close(hsv2rgb(1.3, 0.85, 0.9), [0.288, 0.9, 0.135, 1], TOL)
    assert_close(mod([-0.25, 5.5, -7], [1, -2, 3]), [-0.25, 1.5, -1], TOL)
    assert_close(modulo([-0.25, 5.5, -7], [1, -2, 3]), [0.75, -0.5, 2], TOL)


# -- W1 GridLayout --------------------------------------------------------------------------------
def _layout_patch(layout_type, count, **params):
    return make_patch(
        [blk("a", "Array", count=count), blk("g", layout_type, **params)], [edge("a.elements", "g.elements")]
    )


def test_w1_grid_layout(runtime_cls):
    [r] = run_frames(runtime_cls, _layout_patch("GridLayout", 6, cols=3, rows=2), ["g.position"], [0])
    x = [0.166667, 0.5, 0.833333, 0.166667, 0.5, 0.833333]
    y = [0.25, 0.25, 0.25, 0.75, 0.75, 0.75]
    assert_close(r["g.position"], np.stack([x, y, np.zeros(6)], 1), TOL, "W1 3x2")
    [r] = run_frames(runtime_cls, _layout_patch("GridLayout", 7, cols=3, rows=2), ["g.position"], [0])
    assert_close(r["g.position"][6], [0.166667, 0.25, 0], TOL, "W1 lane 6 wraps")
    [r] = run_frames(runtime_cls, _layout_patch("GridLayout", 400, cols=20, rows=20), ["g.position"], [0])
    assert_close(r["g.position"][0], [0.025, 0.025, 0], TOL, "W1 20x20 lane 0")
    assert_close(r["g.position"][399], [0.975, 0.975, 0], TOL, "W1 20x20 lane 399")


# -- W2 CircleLayout --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "phase, expected",
    [
        (0.0, [(0.8, 0.5), (0.5, 0.8), (0.2, 0.5), (0.5, 0.2)]),
        (0.125, [(0.712132, 0.712132), (0.287868, 0.712132), (0.287868, 0.287868), (0.712132, 0.287868)]),
    ],
)
def test_w2_circle_layout(runtime_cls, phase, expected):
    p = _layout_patch("CircleLayout", 4, radius=0.3, centerX=0.5, centerY=0.5, phase=phase)
    [r] = run_frames(runtime_cls, p, ["g.position"], [0])
    exp = np.array([(x, y, 0.0) for x, y in expected])
    assert_close(r["g.position"], exp, TOL, f"W2 phase {phase}")
    assert r["g.position"][1, 1] > 0.5 or phase != 0.0  # lane 1 is below the centre (y down)


# -- W3 LineLayout ----------------------------------------------------------------------------------
def test_w3_line_layout(runtime_cls):
    [r] = run_frames(runtime_cls, _layout_patch("LineLayout", 3), ["g.position"], [0])
    assert_close(r["g.position"], [[0.1, 0.5, 0], [0.5, 0.5, 0], [0.9, 0.5, 0]], TOL, "W3 N=3")
    [r] = run_frames(runtime_cls, _layout_patch("LineLayout", 1), ["g.position"], [0])
    assert_close(r["g.position"], [[0.5, 0.5, 0]], TOL, "W3 N=1")


# -- W4 hsv2rgb -------------------------------------------------------------------------------------
W4 = [
    ((0, 1, 1), (1, 0, 0, 1)),
    ((0.25, 1, 1), (0.5, 1, 0, 1)),
    ((0.5, 1, 1), (0, 1, 1, 1)),
    ((0.75, 1, 1), (0.5, 0, 1, 1)),
    ((-0.25, 1, 1), (0.5, 0, 1, 1)),
    ((1.3, 0.85, 0.9), (0.288, 0.9, 0.135, 1)),
    ((0.1, 0.5, 0.5), (0.5, 0.4, 0.25, 1)),
    ((0.6, 2, 1), (0, 0.4, 1, 1)),
]


def test_w4_hsv2rgb(runtime_cls):
    blocks = [blk(f"c{i}", "HsvToRgb", hue=h, sat=s, val=v) for i, ((h, s, v), _) in enumerate(W4)]
    [r] = run_frames(runtime_cls, make_patch(blocks), [f"c{i}.color" for i in range(len(W4))], [0])
    for i, (hsv, rgba) in enumerate(W4):
        assert_close(r[f"c{i}.color"], rgba, TOL, f"W4 hsv {hsv}")


# -- W5 hashes --------------------------------------------------------------------------------------
W5_HASH = [
    ((0.5, 0.0), 16019582 / 2**24),
    ((0.0, 0.0), 0.190399),
    ((-0.0, 0.0), 0.190399),
    ((1.0, 0.0), 0.817633),
    ((0.5, 1.0), 0.385826),
    ((0.0, 1.0), 0.195197),
    ((0.0, 2.0), 0.426249),
    ((0.0, 3.0), 0.373702),
    ((0.25, 1.0), 0.423195),
    ((0.25, 2.0), 0.396072),
    ((0.25, 3.0), 0.380403),
]


def test_w5_hash_block(runtime_cls):
    blocks = [blk(f"h{i}", "Hash", value=v, seed=s) for i, ((v, s), _) in enumerate(W5_HASH)]
    [r] = run_frames(runtime_cls, make_patch(blocks), [f"h{i}.out" for i in range(len(W5_HASH))], [0])
    for i, ((v, s), want) in enumerate(W5_HASH):
        got = r[f"h{i}.out"]
        assert_close(got, want, TOL, f"W5 Hash({v}, {s})")
        assert_bits_equal(got, hash01(v, s), f"W5 Hash({v}, {s}) bits")
    assert r["h0.out"] == np.float32(0.9548414945602417)
    assert_bits_equal(r["h1.out"], r["h2.out"], "Hash(-0.0) == Hash(0)")


@pytest.mark.parametrize(
    "seed, want",
    [
        (0, [0.8592556118965149, 0.03946274518966675, 0.18840044736862183, 0.17153775691986084]),
        (7, [0.690334, 0.0780165, 0.668473, 0.45466]),
        (-1, [0.953621, 0.0860452]),
    ],
)
def test_w5_random_id(runtime_cls, seed, want):
    n = len(want)
    p = make_patch([blk("a", "Array", count=n, seed=seed), blk("s", "StableIdHash")], [edge("a.elements", "s.domain")])
    [r] = run_frames(runtime_cls, p, ["s.rand"], [0])
    assert_close(r["s.rand"], want, TOL, f"W5 randomId seed {seed}")
    assert_bits_equal(r["s.rand"], random_id(np.arange(n), seed), f"randomId seed {seed} bits")
    if seed == 0:
        assert_bits_equal(r["s.rand"], np.array(want, np.float32), "randomId seed 0 literal bits")


# -- W6 noise -------------------------------------------------------------------------------------
def test_w6_noise(runtime_cls):
    xs = [0.0, 0.25, 1.5, -0.75, 2.0]
    want = [0.0301999, 0.128475, 0.56883, 0.76332, 0.478497]
    blocks = [blk(f"n{i}", "Noise", x=x) for i, x in enumerate(xs)]
    blocks.append(blk("o", "Oscillator", mode="noise", phase=0.1))
    [r] = run_frames(runtime_cls, make_patch(blocks), [f"n{i}.out" for i in range(5)] + ["o.out"], [0])
    for i, (x, w) in enumerate(zip(xs, want)):
        assert_close(r[f"n{i}.out"], w, TOL, f"W6 Noise({x})")
    assert_bits_equal(r["n0.out"], noise(0.0), "Noise at an integer is exactly h0")
    assert_bits_equal(r["n4.out"], noise(2.0), "Noise(2) is exactly h0")
    assert_close(r["o.out"], 0.187502, TOL, "W6 Oscillator noise at phase 0.1")


# -- W7 oscillator ----------------------------------------------------------------------------------
W7 = {
    0.1: dict(sin=0.587785, cos=0.809017, triangle=0.6, square=1, saw=-0.8),
    0.6: dict(sin=-0.587785, cos=-0.809017, triangle=-0.6, square=-1, saw=0.2),
    -0.25: dict(sin=-1, cos=0, triangle=0, square=-1, saw=0.5),
}


def test_w7_oscillator(runtime_cls):
    blocks, names, want = [], [], []
    for pi, (phase, row) in enumerate(W7.items()):
        for mode, w in row.items():
            bid = f"o{pi}{mode}"
            blocks.append(blk(bid, "Oscillator", mode=mode, phase=phase, amplitude=1, offset=0))
            names.append(f"{bid}.out")
            want.append(w)
    [r] = run_frames(runtime_cls, make_patch(blocks), names, [0])
    for n, w in zip(names, want):
        assert_close(r[n], w, TOL, f"W7 {n}")


# -- W8 InfiniteTimeRoot --------------------------------------------------------------------------------
W8_T = [0, 900, 1100, 3500, 3000, 4000]
W8 = [  # tMs, dt, phaseA, phaseB, wrapA, wrapB, energy, palette
    (0, 0, 0, 0, False, False, 0.5, (0.5, 0, 0, 1)),
    (900, 900, 0.9, 0.45, False, False, 0.206107, (0.5, 0, 0.3, 1)),
    (1100, 200, 0.1, 0.55, True, False, 0.793893, (0.5, 0.3, 0, 1)),
    (3500, 2400, 0.5, 0.75, True, True, 0.5, (0, 0.5, 0.5, 1)),
    (3500, 0, 0.5, 0.75, False, False, 0.5, (0, 0.5, 0.5, 1)),
    (4000, 500, 0, 0, True, True, 0.5, (0.5, 0, 0, 1)),
]


def test_w8_infinite_time_root(runtime_cls):
    ports = ["tMs", "dt", "phaseA", "phaseB", "pulse", "wrapA", "wrapB", "energy", "palette"]
    p = make_patch([], periodAMs=1000, periodBMs=2000)
    frames = run_frames(runtime_cls, p, [f"time.{x}" for x in ports], W8_T)
    for t, r, (tms, dt, pa, pb, wa, wb, energy, palette) in zip(W8_T, frames, W8):
        what = f"W8 tAbs={t}"
        assert_close(r["time.tMs"], tms, TOL, what + " tMs")
        assert_close(r["time.dt"], dt, TOL, what + " dt")
        assert_close(r["time.phaseA"], pa, TOL, what + " phaseA")
        assert_close(r["time.phaseB"], pb, TOL, what + " phaseB")
        assert r["time.pulse"].dtype == np.bool_ and r["time.pulse"].shape == ()
        assert bool(r["time.pulse"]) is True, what + " pulse fires every frame"
        assert bool(r["time.wrapA"]) is wa, what + " wrapA"
        assert bool(r["time.wrapB"]) is wb, what + " wrapB"
        assert_close(r["time.energy"], energy, TOL, what + " energy")
        assert_close(r["time.palette"], palette, TOL, what + " palette")


# -- W10 stateful sequences -----------------------------------------------------------------------------
def test_w10_stateful_sequences(runtime_cls):
    blocks = [
        blk("ph", "Phasor", frequency=2),
        blk("lag", "Lag", target=1, smoothing=0.5),
        blk("slew", "Slew", target=1, tauMs=100),
        # UnitDelay.in = 1, 2, 3, ... = tMs/16 + 1
        blk("ud_k", "Multiply", b=0.0625),
        blk("ud_in", "Add", b=1),
        blk("ud", "UnitDelay"),
        # DelayFrames.in = 10, 20, 30, ... = tMs * 0.625 + 10
        blk("df_k", "Multiply", b=0.625),
        blk("df_in", "Add", b=10),
        blk("df", "DelayFrames", frames=2),
        # Accumulator reset = 1 in frame 2 only (wrapA with periodAMs 30 fires at tMs 32 and 64)
        blk("mask", "EventToSignalMask"),
        blk("acc", "Accumulator", delta=0.5),
        # feedback: UnitDelay -> Add(b 0.3) -> Mod(b 1) -> UnitDelay.in
        blk("fd", "UnitDelay"),
        blk("fadd", "Add", b=0.3),
        blk("fmod", "Mod", b=1),
    ]
    edges = [
        edge("time.tMs", "ud_k.a"),
        edge("ud_k.out", "ud_in.a"),
        edge("ud_in.out", "ud.in"),
        edge("time.tMs", "df_k.a"),
        edge("df_k.out", "df_in.a"),
        edge("df_in.out", "df.in"),
        edge("time.wrapA", "mask.event"),
        edge("mask.out", "acc.reset"),
        edge("fd.out", "fadd.a"),
        edge("fadd.out", "fmod.a"),
        edge("fmod.result", "fd.in"),
    ]
    p = make_patch(blocks, edges, periodAMs=30)
    obs = ["ph.out", "lag.out", "slew.out", "ud.out", "df.out", "acc.value", "fd.out", "fmod.result", "mask.out"]
    frames = run_frames(runtime_cls, p, obs, [0, 16, 32, 48, 64])

    def seq(name, n=None):
        return [float(f[name]) for f in frames[:n]]

    assert_close(seq("ph.out", 4), [0, 0.032, 0.064, 0.096], TOL, "Phasor")
    assert_close(seq("lag.out", 4), [0.5, 0.75, 0.875, 0.9375], TOL, "Lag")
    assert_close(seq("slew.out", 4), [0, 0.147856, 0.273851, 0.381217], TOL, "Slew")
    assert_close(seq("ud.out", 3), [0, 1, 2], TOL, "UnitDelay")
    assert_close(seq("df.out"), [0, 0, 10, 20, 30], TOL, "DelayFrames")
    assert_close(seq("mask.out"), [0, 0, 1, 0, 1], TOL, "reset mask")
    assert_close(seq("acc.value", 4), [0.5, 1, 0, 0.5], TOL, "Accumulator")
    assert_close(seq("fd.out"), [0, 0.3, 0.6, 0.9, 0.2], TOL, "feedback UnitDelay.out")
    assert_close(seq("fmod.result"), [0.3, 0.6, 0.9, 0.2, 0.5], TOL, "feedback Mod.result")


def test_w10_sample_hold(runtime_cls):
    # value = 10·f (Accumulator(10) - 10); trigger = wrapA (period 100) fires in frames 1 and 3
    blocks = [
        blk("cnt", "Accumulator", delta=10),
        blk("val", "Subtract", b=10),
        blk("sh", "SampleHold"),
        blk("trig", "EventToSignalMask"),
    ]
    edges = [
        edge("cnt.value", "val.a"),
        edge("val.out", "sh.value"),
        edge("time.wrapA", "sh.trigger"),
        edge("time.wrapA", "trig.event"),
    ]
    frames = run_frames(
        runtime_cls,
        make_patch(blocks, edges, periodAMs=100),
        ["val.out", "sh.out", "trig.out"],
        [0, 100, 150, 250, 280],
    )
    assert_close([float(f["val.out"]) for f in frames], [0, 10, 20, 30, 40], TOL, "value = 10 f")
    assert [float(f["trig.out"]) for f in frames] == [0, 1, 0, 1, 0]
    assert_close([float(f["sh.out"]) for f in frames], [0, 10, 10, 30, 30], TOL, "SampleHold")


def test_w10_feedback_without_unit_delay_is_a_cycle():
    p = make_patch(
        [blk("fadd", "Add", b=0.3), blk("fmod", "Mod", b=1)],
        [edge("fadd.out", "fmod.a"), edge("fmod.result", "fadd.a")],
    )
    ei = reported(p)
    assert [d.code for d in ei.value.diagnostics if d.severity == "error"] == ["E_CYCLE_DETECTED"]


# -- W11 Mod / Modulo ---------------------------------------------------------------------------------
def test_w11_mod_modulo(runtime_cls):
    rows = [(-0.25, 1, -0.25, 0.75), (5.5, -2, 1.5, -0.5), (-7, 3, -1, 2), (1, 0, np.nan, np.nan)]
    blocks = []
    for i, (a, b, _, _) in enumerate(rows):
        blocks += [blk(f"m{i}", "Mod", a=a, b=b), blk(f"q{i}", "Modulo", a=a, b=b)]
    obs = [f"m{i}.result" for i in range(4)] + [f"q{i}.out" for i in range(4)]
    [r] = run_frames(runtime_cls, make_patch(blocks), obs, [0])
    for i, (a, b, m, q) in enumerate(rows[:3]):
        assert_close(r[f"m{i}.result"], m, TOL, f"Mod({a}, {b})")
        assert_close(r[f"q{i}.out"], q, TOL, f"Modulo({a}, {b})")
    # b = 0: NaN per W11; C13 lets WGSL produce an indeterminate value, so only the reference
    # interpreter is held to NaN (the GPU run must merely not fail)
    if runtime_cls is osc.ReferenceRuntime:
        assert np.isnan(r["m3.result"]) and np.isnan(r["q3.out"])


# -- W12 phyllotaxis chain ----------------------------------------------------------------------------
def test_w12_phyllotaxis_chain(runtime_cls):
    blocks = [
        blk("a", "Array", count=4),
        blk("golden", "GoldenAngle", turns=50),
        blk("spin", "AngularOffset", phase=0.1, spin=2),
        blk("angle", "Add"),
        blk("radius", "RadiusSqrt", radius=0.35),
        blk("polar", "FieldPolarToCartesian"),
        blk("hue", "HueFromPhase", phase=0.1),
        blk("pulse", "Pulse", id01=0.25, phase=0.1, base=0.4, amplitude=0.6, spread=2),
        blk("jit", "JitterVec", pos=[0.5, 0.5, 0], rand=0, amountX=0.02, amountY=0.02, amountZ=0),
        blk("off", "OffsetVec", posIn=[0, 0, 0], rand=0, amountX=0.5, amountY=0.5),
    ]
    edges = [
        edge("a.t", "golden.id01"),
        edge("a.t", "spin.id01"),
        edge("golden.angle", "angle.a"),
        edge("spin.offset", "angle.b"),
        edge("a.t", "radius.id01"),
        edge("angle.out", "polar.angle"),
        edge("radius.out", "polar.radius"),
        edge("a.t", "hue.id01"),
    ]
    obs = ["angle.out", "radius.out", "polar.pos", "hue.hue", "pulse.value", "jit.out", "off.posOut"]
    [r] = run_frames(runtime_cls, make_patch(blocks, edges), obs, [0])
    assert_close(r["angle.out"], [1.25664, 41.256, 81.2554, 121.255], TOL, "W12 angles")
    assert_close(r["radius.out"], [0, 0.202073, 0.285774, 0.35], TOL, "W12 radii")
    pos = [(0.5, 0.5, 0), (0.315106, 0.418467, 0), (0.760233, 0.38191, 0), (0.395404, 0.834006, 0)]
    assert_close(r["polar.pos"], pos, TOL, "W12 positions")
    assert_close(r["hue.hue"], [0.1, 0.433333, 0.766667, 0.1], TOL, "W12 hues")
    assert_close(r["pulse.value"], 0.0473288, TOL, "W12 Pulse")
    assert_close(r["jit.out"], [0.487808, 0.49705, 0], TOL, "W12 JitterVec")
    assert_close(r["off.posOut"], [-0.304803, -0.0737509, 0], TOL, "W12 OffsetVec")


# -- W16 viewport -----------------------------------------------------------------------------------
def test_w16_viewport():
    gpu_or_skip()
    # LineLayout from (0,0) to (1,1) over 3 lanes: ellipses at world (0,0), (0.5,0.5), (1,1)
    p = make_patch(
        [
            blk("dot", "Ellipse", rx=0.02, ry=0.02),
            blk("a", "Array", count=3),
            blk("line", "LineLayout", x0=0, y0=0, x1=1, y1=1),
            blk("draw", "RenderInstances2D"),
        ],
        [
            edge("dot.shape", "a.element"),
            edge("a.elements", "line.elements"),
            edge("line.position", "draw.pos"),
            edge("a.elements", "draw.shape"),
        ],
    )
    rt = osc.Runtime(osc.compile(p))
    rt.step(0)
    img = rt.render(800, 600)
    assert img.shape == (600, 800, 4) and img.dtype == np.uint8
    white, black = [255, 255, 255, 255], [0, 0, 0, 255]

    def px(x, y):
        return img[y, x].tolist()

    # centre (400, 300), radius 12 px: pixel centres 10.5 px away are covered, 13.5 px away are not
    for x, y in [(410, 300), (389, 300), (400, 310), (400, 289), (400, 300), (399, 299)]:
        assert px(x, y) == white, (x, y)
    for x, y in [(413, 300), (386, 300), (400, 313), (400, 286), (420, 320)]:
        assert px(x, y) == black, (x, y)
    # world (0, 0) -> pixel (100, 0); world (1, 1) -> pixel (700, 600)
    assert px(105, 5) == white and px(94, 5) == white and px(86, 5) == black and px(113, 5) == black
    assert px(695, 594) == white and px(705, 594) == white
    assert px(713, 594) == black and px(686, 594) == black
    assert px(50, 300) == black and px(750, 300) == black
