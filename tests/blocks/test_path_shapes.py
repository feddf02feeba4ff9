"""Path shapes (docs/language/rendering.md#paths: ProceduralPolygon / ProceduralStar): control point values on both
runtimes, their instance, and param validation. Drawing them is tested in tests/drawing/test_paths.py."""

from __future__ import annotations

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.geometry import polygon_points, star_points
from support.running import run_frames

import oscilla as osc

# ------------------------------------------------------------------ control points


def test_polygon_control_points(runtime_cls):
    p = make_patch(
        [
            blk("poly", "ProceduralPolygon", sides=5, radiusX=0.1, radiusY=0.2),
            blk("tri", "ProceduralPolygon", sides=3),
            blk("dflt", "ProceduralPolygon"),
        ]
    )
    [r] = run_frames(runtime_cls, p, ["poly.controlPoints", "tri.controlPoints", "dflt.controlPoints"], [0.0])
    assert r["poly.controlPoints"].shape == (5, 2)
    np.testing.assert_allclose(r["poly.controlPoints"], polygon_points(5, 0.1, 0.2), atol=1e-7)
    np.testing.assert_allclose(r["tri.controlPoints"], polygon_points(3, 0.1, 0.1), atol=1e-7)
    np.testing.assert_allclose(r["dflt.controlPoints"], polygon_points(5, 0.1, 0.1), atol=1e-7)
    # lane 0 is at the top (y down)
    assert abs(r["poly.controlPoints"][0, 0]) < 1e-7 and r["poly.controlPoints"][0, 1] == np.float32(-0.2)


def test_star_control_points(runtime_cls):
    p = make_patch(
        [blk("s", "ProceduralStar", points=4, outerRadius=0.2, innerRadius=0.05), blk("d", "ProceduralStar")]
    )
    [r] = run_frames(runtime_cls, p, ["s.controlPoints", "d.controlPoints"], [0.0])
    assert r["s.controlPoints"].shape == (8, 2) and r["d.controlPoints"].shape == (10, 2)
    np.testing.assert_allclose(r["s.controlPoints"], star_points(4, 0.2, 0.05), atol=1e-7)
    np.testing.assert_allclose(r["d.controlPoints"], star_points(5, 0.15, 0.06), atol=1e-7)
    radii = np.hypot(*r["d.controlPoints"].T)
    np.testing.assert_allclose(radii[0::2], 0.15, rtol=1e-6)
    np.testing.assert_allclose(radii[1::2], 0.06, rtol=1e-6)


def test_control_points_follow_signals(runtime_cls):
    """radiusX from an Oscillator: 0.2 + 0.1 sin(2 pi phaseA); the field kernel reruns per frame."""
    p = make_patch(
        [
            blk("osc", "Oscillator", amplitude=0.1, offset=0.2),
            blk("poly", "ProceduralPolygon", sides=4, radiusY=0.05),
            blk("st", "ProceduralStar", points=3),
        ],
        [edge("osc.out", "poly.radiusX"), edge("osc.out", "st.innerRadius")],
    )
    frames = run_frames(runtime_cls, p, ["poly.controlPoints", "st.controlPoints"], [0.0, 250.0, 750.0])
    for r, rx in zip(frames, (0.2, 0.3, 0.1)):
        np.testing.assert_allclose(r["poly.controlPoints"], polygon_points(4, rx, 0.05), atol=1e-6)
        np.testing.assert_allclose(r["st.controlPoints"], star_points(3, 0.15, rx), atol=1e-6)


def test_control_instance_is_new_with_seed_0(runtime_cls):
    """controlPoints is a field over the block's own instance of `sides` lanes with seed 0
    (docs/language/hashing-and-noise.md#randomid): StableIdHash over it gives W5's randomId values for seed 0."""
    p = make_patch(
        [blk("poly", "ProceduralPolygon", sides=4), blk("h", "StableIdHash")], [edge("poly.controlPoints", "h.domain")]
    )
    prog = osc.compile(p, observe=["h.rand"])
    assert prog.instances["poly"] == (4, 0)
    rt = runtime_cls(prog)
    rt.step(0.0)
    assert rt.read("h.rand").tolist() == [
        0.8592556118965149,
        0.03946274518966675,
        0.18840044736862183,
        0.17153775691986084,
    ]


@pytest.mark.parametrize(
    "btype, params, code",
    [
        ("ProceduralPolygon", {"sides": 2}, "E_PARAM_INVALID"),
        ("ProceduralPolygon", {"sides": 4.5}, "E_PARAM_INVALID"),
        ("ProceduralPolygon", {"sides": "5"}, "E_PARAM_INVALID"),
        ("ProceduralStar", {"points": 2}, "E_PARAM_INVALID"),
        ("ProceduralStar", {"points": -1}, "E_PARAM_INVALID"),
        ("ProceduralPolygon", {"sides": 2**24 + 1}, "E_LIMIT_EXCEEDED"),
        ("ProceduralStar", {"points": 2**23 + 1}, "E_LIMIT_EXCEEDED"),
        ("ProceduralPolygon", {"radius": 0.1}, "E_UNKNOWN_PARAM"),
    ],
)
def test_param_validation(btype, params, code):
    p = make_patch(
        [
            blk("x", btype, **params),
            blk("arr", "Array", count=2),
            blk("lay", "LineLayout"),
            blk("draw", "RenderInstances2D"),
        ],
        [edge("arr.elements", "lay.elements"), edge("lay.position", "draw.pos"), edge("x.shape", "draw.shape")],
    )
    with pytest.raises(osc.CompileError) as e:
        osc.compile(p)
    assert [(d.code, d.block) for d in e.value.diagnostics] == [(code, "x")]


def test_sides_is_a_param_not_a_port():
    p = make_patch(
        [
            blk("c", "Const", value=5),
            blk("poly", "ProceduralPolygon"),
            blk("arr", "Array", count=2),
            blk("lay", "LineLayout"),
            blk("draw", "RenderInstances2D"),
        ],
        [
            edge("c.out", "poly.sides"),
            edge("arr.elements", "lay.elements"),
            edge("lay.position", "draw.pos"),
            edge("poly.shape", "draw.shape"),
        ],
    )
    with pytest.raises(osc.CompileError) as e:
        osc.compile(p)
    (d,) = e.value.diagnostics
    assert d.code == "E_UNKNOWN_PORT" and "is a param, not a port" in d.message
