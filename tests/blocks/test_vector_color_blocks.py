"""Length, Normalize (docs/language/signal-and-math-blocks.md#math), FieldCartesianToPolar (#geometry) and ColorLFO
(#color) on a signal and on a field of 1003 lanes (not a multiple of 4, so the partial lane group runs too), on the GPU
Runtime and the numpy ReferenceRuntime. Each output is compared with the formula of docs/language/, computed here
in numpy from the block's inputs as read back from the runtime (1e-5, docs/language/conventions.md#numerics)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.formulas import assert_close, frac, hsv2rgb
from support.running import frames_of, gpu_or_skip

import oscilla as osc

pytestmark = pytest.mark.gpu

N = 1003
TOL = 1e-5
TIMES = (0.0, 1234.5, 2871.25)


# -- independent formulas (docs/language/) ------------------------------------------------------------------
def length(x, y, z):
    x, y, z = (np.asarray(v, np.float64) for v in (x, y, z))
    return np.sqrt(x * x + y * y + z * z)


def normalize(x, y, z):
    x, y, z = (np.asarray(v, np.float64) for v in (x, y, z))
    n = np.maximum(np.sqrt(x * x + y * y + z * z), 1e-10)
    return x / n, y / n, z / n


def cartesian_to_polar(pos, cx, cy):
    pos = np.asarray(pos, np.float64)
    dx = pos[..., 0] - np.asarray(cx, np.float64)
    dy = pos[..., 1] - np.asarray(cy, np.float64)
    angle = np.where((dx == 0) & (dy == 0), 0.0, np.arctan2(dy, dx))
    return angle, np.sqrt(dx * dx + dy * dy)


def color_lfo(phase, hue, sat, val):
    return hsv2rgb(frac(np.float32(phase) + np.float32(hue)), sat, val)


# -- the patch: sources and the blocks under test ------------------------------------------------------------
def _patch():
    blocks = [
        blk("a", "Array", count=N),
        # field sources: fv in [-5, 5], fw in [-1, 2.7], fu = t in [0, 1]
        blk("fv_k", "Multiply", b=10.0),
        blk("fv", "Subtract", b=5.0),
        blk("fw_k", "Multiply", b=3.7),
        blk("fw", "Subtract", b=1.0),
        blk("fu", "Add", b=0.0),
        # signal sources from time: sv = tMs/1000 - 2, su = tMs/5000
        blk("sv_k", "Multiply", b=0.001),
        blk("sv", "Subtract", b=2.0),
        blk("su", "Multiply", b=0.0002),
        # a vec3 field over all angles and a vec2 field
        blk("ang", "Multiply", b=2 * math.pi * 3),
        blk("fp", "FieldPolarToCartesian"),
        blk("v2", "Multiply", a=[1.0, -0.5]),
        # blocks under test
        blk("len_f", "Length"),
        blk("len_s", "Length", z=-1.5),
        blk("len_0", "Length"),
        blk("nrm_f", "Normalize"),
        blk("nrm_s", "Normalize", y=2.0),
        blk("nrm_0", "Normalize"),
        blk("pol_f", "FieldCartesianToPolar"),
        blk("pol_v2", "FieldCartesianToPolar", centerX=0.0, centerY=0.0),
        blk("pol_s", "FieldCartesianToPolar", pos=[0.2, 0.9], centerY=0.3),
        blk("lfo_f", "ColorLFO", sat=0.8),
        blk("lfo_s", "ColorLFO", hue=0.3, val=0.6),
        blk("lfo_mix", "ColorLFO"),
    ]
    edges = [
        edge("a.t", "fv_k.a"),
        edge("fv_k.out", "fv.a"),
        edge("a.t", "fw_k.a"),
        edge("fw_k.out", "fw.a"),
        edge("a.t", "fu.a"),
        edge("time.tMs", "sv_k.a"),
        edge("sv_k.out", "sv.a"),
        edge("time.tMs", "su.a"),
        edge("a.t", "ang.a"),
        edge("ang.out", "fp.angle"),
        edge("fu.out", "fp.radius"),
        edge("fv.out", "v2.b"),
        # Length: field x, field y, signal z (broadcast); signal x, y
        edge("fv.out", "len_f.x"),
        edge("fw.out", "len_f.y"),
        edge("sv.out", "len_f.z"),
        edge("sv.out", "len_s.x"),
        edge("su.out", "len_s.y"),
        edge("fv.out", "nrm_f.x"),
        edge("sv.out", "nrm_f.y"),
        edge("fw.out", "nrm_f.z"),
        edge("sv.out", "nrm_s.x"),
        edge("su.out", "nrm_s.z"),
        # FieldCartesianToPolar: vec3 field around a moving centre; vec2 field (promoted)
        edge("fp.pos", "pol_f.pos"),
        edge("su.out", "pol_f.centerX"),
        edge("fw.out", "pol_f.centerY"),
        edge("v2.out", "pol_v2.pos"),
        # ColorLFO: field phase and hue; the rail with signal inputs; a signal hue over a field val
        edge("fu.out", "lfo_f.phase"),
        edge("fv.out", "lfo_f.hue"),
        edge("sv.out", "lfo_f.val"),
        edge("sv.out", "lfo_mix.hue"),
        edge("fu.out", "lfo_mix.val"),
    ]
    return make_patch(blocks, edges)


OBSERVE = [
    "len_f.x",
    "len_f.y",
    "len_f.z",
    "len_f.out",
    "len_s.x",
    "len_s.y",
    "len_s.z",
    "len_s.out",
    "len_0.out",
    "nrm_f.x",
    "nrm_f.y",
    "nrm_f.z",
    "nrm_f.outX",
    "nrm_f.outY",
    "nrm_f.outZ",
    "nrm_s.x",
    "nrm_s.y",
    "nrm_s.z",
    "nrm_s.outX",
    "nrm_s.outY",
    "nrm_s.outZ",
    "nrm_0.outX",
    "nrm_0.outY",
    "nrm_0.outZ",
    "pol_f.pos",
    "pol_f.centerX",
    "pol_f.centerY",
    "pol_f.angle",
    "pol_f.radius",
    "pol_v2.pos",
    "pol_v2.angle",
    "pol_v2.radius",
    "pol_s.angle",
    "pol_s.radius",
    "lfo_f.phase",
    "lfo_f.hue",
    "lfo_f.sat",
    "lfo_f.val",
    "lfo_f.color",
    "lfo_s.phase",
    "lfo_s.color",
    "lfo_mix.phase",
    "lfo_mix.hue",
    "lfo_mix.val",
    "lfo_mix.color",
    "time.phaseA",
]


@pytest.fixture(scope="module")
def program():
    return osc.compile(_patch(), observe=OBSERVE)


def _frames(cls, program):
    return frames_of(cls(program), OBSERVE, TIMES)


def test_shapes_and_cardinality(program):
    rt = osc.ReferenceRuntime(program)
    rt.step(0)
    for name, shape in [
        ("len_f.out", (N,)),
        ("len_s.out", ()),
        ("nrm_f.outZ", (N,)),
        ("nrm_s.outX", ()),
        ("pol_f.angle", (N,)),
        ("pol_v2.radius", (N,)),
        ("pol_s.angle", ()),
        ("lfo_f.color", (N, 4)),
        ("lfo_s.color", (4,)),
        ("lfo_mix.color", (N, 4)),
    ]:
        assert rt.read(name).shape == shape, name


def test_length(runtime_cls, program):
    for f, r in enumerate(_frames(runtime_cls, program)):
        for b in ("len_f", "len_s"):
            assert_close(r[f"{b}.out"], length(r[f"{b}.x"], r[f"{b}.y"], r[f"{b}.z"]), TOL, f"{b} frame {f}")
        assert_close(r["len_s.z"], -1.5, TOL)
        assert_close(r["len_0.out"], 0.0, TOL, "defaults")
    assert_close(length(3, 4, 12), 13.0, 0)


def test_normalize(runtime_cls, program):
    for f, r in enumerate(_frames(runtime_cls, program)):
        for b in ("nrm_f", "nrm_s"):
            want = normalize(r[f"{b}.x"], r[f"{b}.y"], r[f"{b}.z"])
            for axis, w in zip("XYZ", want):
                assert_close(r[f"{b}.out{axis}"], w, TOL, f"{b}.out{axis} frame {f}")
            unit = length(r[f"{b}.outX"], r[f"{b}.outY"], r[f"{b}.outZ"])
            assert_close(unit, np.ones_like(unit), 1e-5, f"{b} unit length frame {f}")
        for axis in "XYZ":  # L = max(0, 1e-10): the zero vector stays zero, no NaN
            assert float(r[f"nrm_0.out{axis}"]) == 0.0


def test_field_cartesian_to_polar(runtime_cls, program):
    for f, r in enumerate(_frames(runtime_cls, program)):
        angle, radius = cartesian_to_polar(r["pol_f.pos"], r["pol_f.centerX"], r["pol_f.centerY"])
        assert_close(r["pol_f.angle"], angle, TOL, f"angle frame {f}")
        assert_close(r["pol_f.radius"], radius, TOL, f"radius frame {f}")
        assert r["pol_v2.pos"].shape == (N, 3) and not r["pol_v2.pos"][:, 2].any(), "vec2 promoted, z = 0"
        angle, radius = cartesian_to_polar(r["pol_v2.pos"], 0.0, 0.0)
        assert_close(r["pol_v2.angle"], angle, TOL, f"vec2 angle frame {f}")
        assert_close(r["pol_v2.radius"], radius, TOL, f"vec2 radius frame {f}")
        assert_close(r["pol_s.angle"], math.atan2(0.6, -0.3), TOL)
        assert_close(r["pol_s.radius"], math.hypot(0.6, 0.3), TOL)
    a = r["pol_f.angle"]
    assert (a >= -math.pi - 1e-6).all() and (a <= math.pi + 1e-6).all()
    assert (a < -2).any() and (a > 2).any() and (abs(a) < 1).any(), "all quadrants are covered"


@pytest.mark.parametrize(
    "pos, want",
    [
        ([0.5, 0.5], (0.0, 0.0)),
        ([0.5, 0.8], (math.pi / 2, 0.3)),
        ([0.2, 0.5], (math.pi, 0.3)),
        ([0.5, 0.2], (-math.pi / 2, 0.3)),
        ([0.9, 0.5, 7.0], (0.0, 0.4)),
    ],
)
def test_cartesian_to_polar_axes_and_origin(runtime_cls, pos, want):
    """atan2(0, 0) = 0 (the centre itself), and the four axis directions; z is ignored."""
    prog = osc.compile(make_patch([blk("p", "FieldCartesianToPolar", pos=pos)]), observe=["p.angle", "p.radius"])
    rt = runtime_cls(prog)
    rt.step(0)
    assert_close(rt.read("p.angle"), want[0], TOL)
    assert_close(rt.read("p.radius"), want[1], TOL)


def test_cartesian_to_polar_origin_lanes_of_a_field(runtime_cls):
    """Lanes sitting exactly on the centre give angle 0 and radius 0 on a field too."""
    blocks = [
        blk("a", "Array", count=9),
        blk("g", "GridLayout", cols=3, rows=3),
        blk("z", "Multiply", b=0.0),
        blk("p", "FieldCartesianToPolar"),
    ]
    edges = [edge("a.elements", "g.elements"), edge("g.position", "z.a"), edge("z.out", "p.pos")]
    prog = osc.compile(make_patch(blocks, edges), observe=["p.angle", "p.radius", "z.out"])
    rt = runtime_cls(prog)
    rt.step(0)
    pos = rt.read("z.out")
    assert not pos.any()
    prog2 = osc.compile(
        make_patch(blocks[:-1] + [blk("p", "FieldCartesianToPolar", centerX=0.0, centerY=0.0)], edges),
        observe=["p.angle", "p.radius"],
    )
    rt2 = runtime_cls(prog2)
    rt2.step(0)
    assert not rt2.read("p.angle").any() and not rt2.read("p.radius").any()
    assert_close(rt.read("p.angle"), np.full(9, math.atan2(-0.5, -0.5)), TOL)


def test_color_lfo(runtime_cls, program):
    for f, r in enumerate(_frames(runtime_cls, program)):
        assert_close(
            r["lfo_f.color"],
            color_lfo(r["lfo_f.phase"], r["lfo_f.hue"], r["lfo_f.sat"], r["lfo_f.val"]),
            TOL,
            f"field frame {f}",
        )
        assert_close(r["lfo_s.phase"], r["time.phaseA"], 0, "the phase defaults to the rail")
        assert_close(r["lfo_s.color"], color_lfo(r["time.phaseA"], 0.3, 1.0, 0.6), TOL, f"signal frame {f}")
        assert_close(
            r["lfo_mix.color"],
            color_lfo(r["lfo_mix.phase"], r["lfo_mix.hue"], 1.0, r["lfo_mix.val"]),
            TOL,
            f"mix frame {f}",
        )
        assert_close(r["lfo_f.color"][:, 3], np.ones(N), 0, "alpha is 1")


def test_color_lfo_worked_values(runtime_cls):
    """hsv2rgb(frac(phase + hue), sat, val) with the W4 table: phase 0.9 + hue 0.4 = 1.3 -> (0.288, 0.9, 0.135)."""
    blocks = [blk("c", "ColorLFO", phase=0.9, hue=0.4, sat=0.85, val=0.9), blk("d", "ColorLFO", phase=0.5, hue=-0.75)]
    prog = osc.compile(make_patch(blocks), observe=["c.color", "d.color"])
    rt = runtime_cls(prog)
    rt.step(0)
    assert_close(rt.read("c.color"), [0.288, 0.9, 0.135, 1], 2e-5)
    assert_close(rt.read("d.color"), [0.5, 0, 1, 1], 2e-5)  # frac(-0.25) = 0.75


def test_runtimes_agree(program):
    gpu_or_skip()
    gpu, ref = _frames(osc.Runtime, program), _frames(osc.ReferenceRuntime, program)
    for f, (g, r) in enumerate(zip(gpu, ref)):
        for name in OBSERVE:
            assert_close(g[name], r[name], TOL, f"{name} frame {f}")
