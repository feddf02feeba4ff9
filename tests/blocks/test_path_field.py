"""PathField (docs/language/rendering.md#paths): per-control-point position, index, tangent and arc length. Lane-coupled
(neighbour reads and a prefix sum), on the GPU Runtime and the ReferenceRuntime, against float64
numpy computed from the observed control points.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.formulas import assert_close
from support.reported import reported
from support.running import gpu_or_skip, run_frames

import oscilla as osc

TOL = 1e-5
OUTS = ["pf.position", "pf.index", "pf.tangent", "pf.arcLength"]


def expected(p: np.ndarray) -> dict[str, np.ndarray]:
    """The formulas of docs/language/rendering.md#paths in float64 for control points ``p`` (N, 2)."""
    p = np.asarray(p, np.float64)
    n = len(p)
    z = np.zeros((n, 1))
    if n == 1:
        tangent = np.zeros((1, 3))
    else:
        tangent = np.hstack([(np.roll(p, -1, 0) - np.roll(p, 1, 0)) / 2, z])
    seg = np.r_[0.0, np.hypot(*(p[1:] - p[:-1]).T)]
    return {
        "pf.position": np.hstack([p, z]),
        "pf.index": np.arange(n),
        "pf.tangent": tangent,
        "pf.arcLength": np.cumsum(seg),
    }


def check(r: dict, what: str, tol: float = TOL) -> None:
    exp = expected(r["pts"])
    assert r["pf.index"].dtype.kind == "i" and r["pf.index"].tolist() == exp["pf.index"].tolist()
    for k in ("pf.position", "pf.tangent", "pf.arcLength"):
        assert r[k].shape == exp[k].shape, (k, r[k].shape)
        assert_close(r[k], exp[k], tol, f"{what} {k}")


def test_hexagon(runtime_cls):
    """A regular hexagon of radius 0.1: every side is 0.1 long, so arcLength = 0.1 i."""
    blocks = [blk("poly", "ProceduralPolygon", sides=6), blk("pf", "PathField")]
    [r] = run_frames(runtime_cls, make_patch(blocks, [edge("poly.controlPoints", "pf.controlPoints")]), OUTS, [0.0])
    assert_close(r["pf.arcLength"], 0.1 * np.arange(6), TOL, "hexagon arc length")
    a = 2 * math.pi * np.arange(6) / 6 - math.pi / 2
    pts = np.stack([0.1 * np.cos(a), 0.1 * np.sin(a)], 1)
    assert_close(r["pf.position"], np.hstack([pts, np.zeros((6, 1))]), TOL, "hexagon position")
    # lane 0 (top) looks from lane 5 to lane 1: ((p1 - p5)/2, 0) = (0.0866, 0, 0)
    assert_close(r["pf.tangent"][0], [0.1 * math.cos(math.pi / 6), 0.0, 0.0], TOL, "tangent wraps at lane 0")
    r["pts"] = pts
    check(r, "hexagon")


def test_star_with_time_driven_radii(runtime_cls):
    blocks = [blk("star", "ProceduralStar", points=7), blk("k", "Multiply", b=0.0001), blk("pf", "PathField")]
    edges = [edge("time.tMs", "k.a"), edge("k.out", "star.innerRadius"), edge("star.controlPoints", "pf.controlPoints")]
    frames = run_frames(runtime_cls, make_patch(blocks, edges), OUTS + ["star.controlPoints"], (0.0, 500.0, 1700.0))
    for tm, r in zip((0.0, 500.0, 1700.0), frames):
        r["pts"] = r["star.controlPoints"]
        check(r, f"star t={tm}")


def _irregular(n: int):
    """Control points over Array ``a`` of n lanes: p_i = (0.3, 0.7)·t_i·s + Hash(t_i), s from time."""
    blocks = [
        blk("a", "Array", count=n),
        blk("c", "Const", value=[0.3, 0.7]),
        blk("b", "Broadcast"),
        blk("s", "Multiply", b=0.001),
        blk("m", "Multiply"),
        blk("ms", "Multiply"),
        blk("h", "Hash"),
        blk("p", "Add"),
        blk("pf", "PathField"),
    ]
    edges = [
        edge("c.out", "b.signal"),
        edge("b.field", "m.a"),
        edge("a.t", "m.b"),
        edge("time.tMs", "s.a"),
        edge("m.out", "ms.a"),
        edge("s.out", "ms.b"),
        edge("a.t", "h.value"),
        edge("ms.out", "p.a"),
        edge("h.out", "p.b"),
        edge("p.out", "pf.controlPoints"),
    ]
    return blocks, edges


@pytest.mark.parametrize("n", [1, 2, 3, 1000])
def test_irregular_paths(runtime_cls, n):
    blocks, edges = _irregular(n)
    times = (0.0, 1000.0, 2500.0)
    frames = run_frames(runtime_cls, make_patch(blocks, edges), OUTS + ["p.out"], times)
    for tm, r in zip(times, frames):
        r["pts"] = r["p.out"]
        assert r["pts"].shape == (n, 2)
        check(r, f"N={n} t={tm}")
    if n == 1:
        assert frames[-1]["pf.tangent"].tolist() == [[0.0, 0.0, 0.0]]
        assert frames[-1]["pf.arcLength"].tolist() == [0.0]
    if n == 2:  # both neighbours of each lane are the other lane: tangent 0
        assert_close(frames[-1]["pf.tangent"], np.zeros((2, 3)), TOL, "N = 2 tangent")


def test_long_path_arc_length(runtime_cls):
    """20 000 control points: the prefix sum spans many GPU chunks."""
    blocks = [blk("poly", "ProceduralPolygon", sides=20_000, radiusX=0.4, radiusY=0.2), blk("pf", "PathField")]
    [r] = run_frames(
        runtime_cls,
        make_patch(blocks, [edge("poly.controlPoints", "pf.controlPoints")]),
        OUTS + ["poly.controlPoints"],
        [0.0],
    )
    r["pts"] = r["poly.controlPoints"]
    check(r, "20k polygon")


def test_path_field_positions_render():
    gpu_or_skip()
    blocks = [
        blk("poly", "ProceduralPolygon", sides=4, radiusX=0.3, radiusY=0.3),
        blk("pf", "PathField"),
        blk("off", "Add", b=0.5),
        blk("dot", "Ellipse", rx=0.03, ry=0.03),
        blk("r", "RenderInstances2D"),
    ]
    edges = [
        edge("poly.controlPoints", "pf.controlPoints"),
        edge("pf.position", "off.a"),
        edge("off.out", "r.pos"),
        edge("dot.shape", "r.shape"),
    ]
    rt = osc.Runtime(osc.compile(make_patch(blocks, edges)))
    rt.step(0.0)
    img = rt.render(100, 100)
    # the square's vertices (top, right, bottom, left of the centre) are lit, the centre is not
    for x, y in ((50, 20), (80, 50), (50, 80), (20, 50)):
        assert img[y, x, :3].max() > 200, (x, y)
    assert img[50, 50, :3].max() == 0


def test_path_field_needs_control_points():
    exc = reported(make_patch([blk("pf", "PathField")]))
    assert ("E_MISSING_INPUT", "pf", "controlPoints") in [(d.code, d.block, d.port) for d in exc.value.diagnostics]


def test_signal_control_points_are_broadcast(runtime_cls):
    """A vec2 signal into controlPoints is the same point in every lane: tangent and arcLength are 0."""
    blocks = [
        blk("c", "Const", value=[0.1, 0.2]),
        blk("a", "Array", count=3),
        blk("pf", "PathField"),
        blk("r", "RenderInstances2D"),
    ]
    edges = [edge("c.out", "pf.controlPoints"), edge("pf.position", "r.pos"), edge("a.t", "r.size")]
    [r] = run_frames(runtime_cls, make_patch(blocks, edges), OUTS, [0.0])
    r["pts"] = np.tile(np.float32([0.1, 0.2]), (3, 1))
    check(r, "broadcast signal")
