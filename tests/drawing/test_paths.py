"""Path shapes drawn (docs/language/rendering.md#geometry): filled ProceduralPolygon / ProceduralStar paths rendered
against an independent float64 rasterizer (nonzero winding, exact edge distance, coverage
clamp(0.5 - d, 0, 1)) in tests/support/geometry.py. Their control points are tested in
tests/blocks/test_path_shapes.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
from support.builders import Scene, blk, edge, make_patch
from support.geometry import (
    assert_close_image,
    model_paths,
    path_pixels,
    polygon_points,
    polygon_sdf,
    project,
    star_points,
    to_px,
)

import oscilla as osc

ORANGE = (1.0, 0.5, 0.0, 1.0)


# ------------------------------------------------------------------ rendering through patches


def _row_patch(shape_block, n, y, sink="draw", arr="arr", **draw):
    blocks = [
        shape_block,
        blk(arr, "Array", count=n),
        blk(f"{arr}_lay", "LineLayout", y0=y, y1=y),
        blk(sink, "RenderInstances2D", **draw),
    ]
    edges = [
        edge(f"{arr}.elements", f"{arr}_lay.elements"),
        edge(f"{arr}_lay.position", f"{sink}.pos"),
        edge(f"{shape_block['id']}.shape", f"{sink}.shape"),
    ]
    return blocks, edges


def _xs(n, x0=0.1, x1=0.9):
    t = np.arange(n) * np.float32(1 / (n - 1)) if n > 1 else np.array([0.5])
    return (1 - t) * x0 + t * x1


@pytest.mark.gpu
def test_filled_pentagon_and_star_rows(device):
    w, h = 240, 160
    b1, e1 = _row_patch(blk("poly", "ProceduralPolygon", radiusX=0.12, radiusY=0.1), 3, 0.3, color=list(ORANGE))
    b2, e2 = _row_patch(
        blk("star", "ProceduralStar", outerRadius=0.14, innerRadius=0.05),
        4,
        0.72,
        sink="draw2",
        arr="arr2",
        color=[0.2, 0.6, 1.0, 0.8],
    )
    rt = osc.Runtime(osc.compile(make_patch(b1 + b2, e1 + e2)))
    rt.step(0.0)
    img = rt.render(w, h)
    s = min(w, h)
    els = [(to_px(x, 0.3, w, h), polygon_points(5, 0.12, 0.1), s, 0.0, ORANGE) for x in _xs(3)]
    els += [(to_px(x, 0.72, w, h), star_points(5, 0.14, 0.05), s, 0.0, (0.2, 0.6, 1.0, 0.8)) for x in _xs(4)]
    want = model_paths(w, h, els)
    assert_close_image(img, want, tol=2)
    # inside pixels coloured, outside untouched, a 1 px anti-aliasing band between
    py, px = np.mgrid[0:h, 0:w] + 0.5
    center, ctl = els[1][0], els[1][1]
    d = polygon_sdf(px, py, path_pixels(center, ctl, s, 0.0))
    assert (img[d <= -1.0] == [255, 128, 0, 255]).all()
    near = np.hypot(px - center[0], py - center[1]) < 0.2 * s
    assert (img[(d >= 1.0) & near][:, :3] == 0).all()
    band = (np.abs(d) < 0.5) & near
    assert band.any() and (img[band][:, 0] > 0).all() and (img[band][:, 0] < 255).any()


@pytest.mark.gpu
def test_rotation_size_scale_apply_to_paths(device):
    """θ = shape.rotation + rotation_i (here a per-lane field), g = scale * size_i, negative size
    point-reflects the path."""
    w, h = 300, 120
    blocks, edges = _row_patch(
        blk("star", "ProceduralStar", points=3, outerRadius=0.2, innerRadius=0.07),
        3,
        0.5,
        scale=0.8,
        color=[1, 1, 1, 1],
    )
    blocks += [blk("rot", "Multiply", b=1.3), blk("sz", "Add", b=-1.2)]
    edges += [
        edge("arr.t", "rot.a"),
        edge("rot.out", "draw.rotation"),
        edge("arr.t", "sz.a"),
        edge("sz.out", "draw.size"),
    ]
    rt = osc.Runtime(osc.compile(make_patch(blocks, edges)))
    rt.step(0.0)
    img = rt.render(w, h)
    t = np.array([0.0, 0.5, 1.0])
    els = [
        (to_px(x, 0.5, w, h), star_points(3, 0.2, 0.07), 0.8 * (ti - 1.2) * min(w, h), 1.3 * ti, (1, 1, 1, 1))
        for x, ti in zip(_xs(3), t)
    ]
    assert_close_image(img, model_paths(w, h, els), tol=2)
    # lane 0 (size -1.2, no rotation) is upside down: its outer tip points down (+y)
    cx, cy = els[0][0]
    half = 0.5 * 0.2 * 0.8 * 1.2 * min(w, h)  # half the outer radius; the inner radius is 0.35 of it
    assert img[int(cy + half), int(cx)].tolist() == [255, 255, 255, 255]
    assert img[int(cy - half), int(cx), 0] == 0


@pytest.mark.gpu
def test_w16_viewport_unchanged_without_camera(device):
    """W16 (800x600): an ellipse of rx 0.02 is 12 px around (400, 300); world (0, 0) maps to pixel
    (100, 0); a square path (sides 4) is placed by the same mapping."""
    w, h = 800, 600
    blocks = [
        blk("arr", "Array", count=1),
        blk("e", "Ellipse", rx=0.02, ry=0.02),
        blk("sq", "ProceduralPolygon", sides=4, radiusX=0.05, radiusY=0.05),
    ]
    edges = [edge("e.shape", "draw0.shape"), edge("sq.shape", "draw2.shape")]
    for i, (xy, col) in enumerate(
        (([0.5, 0.5], [1, 0, 0, 1]), ([0.0, 0.0], [0, 1, 0, 1]), ([0.75, 0.5], [0, 0, 1, 1]))
    ):
        blocks += [
            blk(f"c{i}", "Const", value=xy),
            blk(f"b{i}", "Broadcast"),
            blk(f"draw{i}", "RenderInstances2D", color=col),
        ]
        # active (bool true -> size 1.0) puts the Broadcast on the Array's instance
        edges += [
            edge(f"c{i}.out", f"b{i}.signal"),
            edge(f"b{i}.field", f"draw{i}.pos"),
            edge("arr.active", f"draw{i}.size"),
        ]
    p = make_patch(blocks, edges)
    prog = osc.compile(p)
    assert all(s.camera is None for s in prog.sinks)
    rt = osc.Runtime(prog)
    rt.step(0.0)
    img = rt.render(w, h)
    assert img[300, 400 + 10].tolist() == [255, 0, 0, 255] and img[300, 400 - 11].tolist() == [255, 0, 0, 255]
    assert img[300, 400 + 13, 0] == 0 and img[300, 400 - 14, 0] == 0
    assert img[0, 100].tolist()[:3] == [0, 255, 0] and img[0, 89].tolist()[:3] == [0, 255, 0]
    assert img[0, 100 + 13, 1] == 0 and img[0, 100 - 14, 1] == 0 and img[13, 100, 1] == 0
    els = [((550.0, 300.0), polygon_points(4, 0.05, 0.05), 600.0, 0.0, (0, 0, 1, 1))]  # world (0.75, 0.5)
    sub = model_paths(w, h, els)
    assert_close_image(img[240:360, 490:610], sub[240:360, 490:610], tol=2)
    assert img[300, 550].tolist() == [0, 0, 255, 255] and img[300 - 28, 550, 2] == 255


# ------------------------------------------------------------------ nonzero fill and edge cases


@pytest.mark.gpu
def test_nonzero_fill_self_intersecting(device):
    """A pentagram (vertices 0, 2, 4, 1, 3 of a pentagon) has winding 2 in its centre: filled under
    the nonzero rule (even-odd would leave a hole). A square with a reversed inner square has a
    hole (winding 0); with a same-direction inner square it has none (winding 2)."""
    w = h = 120
    penta = polygon_points(5, 0.3, 0.3)[[0, 2, 4, 1, 3]]
    outer = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * 0.3
    inner_rev = np.array([[-1, -1], [-1, 1], [1, 1], [1, -1]]) * 0.12
    inner_same = inner_rev[::-1]
    # connect the loops through a shared vertex: outer loop, back to its start, then the inner loop
    holed = np.concatenate([outer, outer[:1], inner_rev, inner_rev[:1]])
    solid = np.concatenate([outer, outer[:1], inner_same, inner_same[:1]])
    for ctl, centre_filled in ((penta, True), (holed, False), (solid, True)):
        sc = Scene()
        sc.sink([(0.5, 0.5)], path=ctl, color=(1, 1, 1, 1))
        img, _ = sc.render(device, w, h)
        assert (img[60, 60, 0] == 255) == centre_filled
        want = model_paths(w, h, [((60.0, 60.0), ctl, float(w), 0.0, (1, 1, 1, 1))])
        assert_close_image(img, want, tol=2)
    # even-odd would differ from nonzero at the pentagram's centre: the model agrees with nonzero
    assert polygon_sdf(np.array([60.5]), np.array([60.5]), path_pixels((60.0, 60.0), penta, w, 0.0))[0] < 0


@pytest.mark.gpu
def test_path_with_non_finite_point_or_position_is_hidden(device):
    ctl = polygon_points(5, 0.3, 0.3)
    bad = ctl.copy()
    bad[2, 0] = np.nan
    sc = Scene()
    sc.sink([(0.25, 0.5)], path=bad)
    sc.sink([(0.75, 0.5), (np.inf, 0.5)], path=ctl)
    img, _ = sc.render(device, 200, 100)
    assert img[50, 75, 0] == 0 and img[50, 125, 0] == 255 and img[..., 0].sum() > 0


@pytest.mark.gpu
def test_paths_under_a_perspective_camera(device):
    """With a Camera a path is drawn at the projected position with g = scale * size * k."""
    w = h = 200
    sc = Scene()
    cam = sc.set_camera()
    ctl = star_points(5, 0.1, 0.04)
    pts = [(0.3, 0.35, 0.0), (0.7, 0.65, 0.05)]
    sc.sink(pts, path=ctl, color=[(1, 0, 0, 1), (0, 1, 0, 0.7)], size=[1.0, 0.8], rotation=[0.2, -0.4])
    img, r = sc.render(device, w, h)
    els = []
    for p, size, rot, col in zip(pts, (1.0, 0.8), (0.2, -0.4), ((1, 0, 0, 1), (0, 1, 0, 0.7))):
        sx, sy, depth, k, _ = project(cam, p)
        els.append((depth, (to_px(sx, sy, w, h), ctl, size * k * min(w, h), rot, col)))
    els = [e for _, e in sorted(els, key=lambda x: -x[0])]
    assert_close_image(img, model_paths(w, h, els), tol=2)
    assert math.isclose(r.read_projection(0)[1, 2], project(cam, pts[1])[3], rel_tol=1e-5)
