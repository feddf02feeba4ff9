"""Per-lane shapes drawn (docs/language/rendering.md#per-lane-shapes): a row of lanes with index = lane mod 3 over
(Ellipse, Rect, ProceduralStar), each lane checked against the analytic shape its index names: pixels well
inside it are lit, pixels well outside it (but inside another of the three shapes) are background."""

from __future__ import annotations

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.geometry import path_pixels, polygon_sdf, star_points, to_px

import oscilla as osc

RX, RY = 0.065, 0.025  # Ellipse semi-axes: wide
W_, H_ = 0.05, 0.12  # Rect full extents: tall
OUTER, INNER = 0.07, 0.03  # ProceduralStar radii
N = 6
MARGIN = 1.5  # pixels kept away from every edge (anti-aliasing is 1 px wide)


def _xs(n, x0=0.1, x1=0.9):
    t = np.arange(n) * np.float32(1 / (n - 1))
    return (1 - t) * x0 + t * x1


def _inside_outside(kind, lx, ly, s, center):
    """(well inside, well outside) masks of shape ``kind`` at local pixel offsets (lx, ly) from its centre."""
    m = MARGIN
    if kind == 0:
        rx, ry = RX * s, RY * s
        q_in = (lx / (rx - m)) ** 2 + (ly / (ry - m)) ** 2
        q_out = (lx / (rx + m)) ** 2 + (ly / (ry + m)) ** 2
        return q_in < 1, q_out > 1
    if kind == 1:
        hx, hy = W_ / 2 * s, H_ / 2 * s
        return (np.abs(lx) < hx - m) & (np.abs(ly) < hy - m), (np.abs(lx) > hx + m) | (np.abs(ly) > hy + m)
    d = polygon_sdf(center[0] + lx, center[1] + ly, path_pixels(center, star_points(5, OUTER, INNER), s, 0.0))
    return d < -m, d > m


@pytest.mark.gpu
def test_each_lane_draws_the_shape_its_index_selects(device):
    w, h = 900, 300
    patch = make_patch(
        [
            blk("e", "Ellipse", rx=RX, ry=RY),
            blk("r", "Rect", width=W_, height=H_),
            blk("s", "ProceduralStar", outerRadius=OUTER, innerRadius=INNER),
            blk("arr", "Array", count=N),
            blk("idx", "Expression", expression="in0 % 3"),
            blk("sel", "ShapeSelect"),
            blk("lay", "LineLayout", x0=0.1, x1=0.9, y0=0.5, y1=0.5),
            blk("draw", "RenderInstances2D"),
        ],
        [
            edge("e.shape", "sel.shape0"),
            edge("r.shape", "sel.shape1"),
            edge("s.shape", "sel.shape2"),
            edge("arr.index", "idx.in0"),
            edge("idx.out", "sel.index"),
            edge("arr.elements", "lay.elements"),
            edge("lay.position", "draw.pos"),
            edge("sel.shape", "draw.shape"),
        ],
    )
    rt = osc.Runtime(osc.compile(patch))
    rt.step(0.0)
    img = rt.render(w, h)
    s = min(w, h)
    py, px = np.mgrid[0:h, 0:w] + 0.5
    lit = img[..., 0] > 250
    dark = img[..., :3].max(-1) < 5
    for lane, x in enumerate(_xs(N)):
        center = to_px(x, 0.5, w, h)
        lx, ly = px - center[0], py - center[1]
        near = (np.abs(lx) < 0.08 * s) & (np.abs(ly) < 0.08 * s)  # this lane's cell only
        own = lane % 3
        inside, outside = _inside_outside(own, lx, ly, s, center)
        assert lit[int(center[1]), int(center[0])], lane  # the lane centre is covered
        assert lit[inside & near].all(), lane
        assert dark[outside & near].all(), lane
        for other in {0, 1, 2} - {own}:  # where the other shapes would differ, this lane's own shape decides
            other_in, other_out = _inside_outside(other, lx, ly, s, center)
            assert (other_in & outside & near).sum() > 20, (lane, other)  # the test can tell the shapes apart
            assert dark[other_in & outside & near].all(), (lane, other)
            if (other_out & inside & near).any():
                assert lit[other_out & inside & near].all(), (lane, other)
