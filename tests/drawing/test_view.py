"""The view transform (oscilla/drawing/view.py): pan and zoom applied by the renderer, never model
state. The pixel positions expected here are computed from the viewport formula of
docs/language/rendering.md#viewport by hand, not by ViewTransform."""

import math

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.drawing.view import IDENTITY, MAX_ZOOM, ViewTransform


def test_identity_is_the_plain_viewport():
    assert ViewTransform().is_identity and IDENTITY.zoom == 1.0 and IDENTITY.center == (0.5, 0.5)
    # 800 x 600: S = 600, world (0, 0) -> (400 - 300, 300 - 300)
    assert IDENTITY.to_pixels(0.0, 0.0, 800, 600) == (100.0, 0.0)
    assert IDENTITY.to_world(700.0, 600.0, 800, 600) == (1.0, 1.0)


def test_zoom_and_center_map_world_to_pixels():
    v = ViewTransform(zoom=2.0, center=(0.25, 0.75))
    # S z = 200 * 2 = 400 on a 200 x 200 target: (0.5, 0.5) -> 100 + 0.25 * 400, 100 - 0.25 * 400
    assert v.to_pixels(0.5, 0.5, 200, 200) == (200.0, 0.0)
    assert v.to_world(200.0, 0.0, 200, 200) == (0.5, 0.5)
    assert v.scale(300, 200) == 400.0


def test_zoom_about_a_pixel_keeps_the_world_point_under_it():
    v = ViewTransform().zoomed_about(150.0, 40.0, 4.0, 200, 100)
    assert v.zoom == 4.0
    before = (0.5 + (150 - 100) / 100, 0.5 + (40 - 50) / 100)  # identity inverse mapping by hand
    after = v.to_world(150.0, 40.0, 200, 100)
    assert after == pytest.approx(before, abs=1e-12)
    assert ViewTransform().zoomed_about(0, 0, 1e9, 10, 10).zoom == MAX_ZOOM


def test_pan_moves_content_by_the_drag():
    v = ViewTransform(zoom=2.0).panned(30.0, -10.0, 200, 200)
    # the drag moves the picture: world point (0.5, 0.5) was at (100, 100), is now at (130, 90)
    assert v.to_pixels(0.5, 0.5, 200, 200) == pytest.approx((130.0, 90.0), abs=1e-9)


@pytest.mark.parametrize("bad", [dict(zoom=0.0), dict(zoom=-1.0), dict(zoom=math.nan), dict(center=(0.5, math.inf))])
def test_bad_views_are_refused(bad):
    with pytest.raises(ValueError, match="view transform"):
        ViewTransform(**bad)


def _dot(x: float, y: float, r: float) -> dict:
    return make_patch(
        [
            blk("arr", "Array", count=1),
            blk("lay", "LineLayout", x0=x, y0=y, x1=x, y1=y),
            blk("disc", "Ellipse", rx=r, ry=r),
            blk("draw", "RenderInstances2D", color=[1.0, 1.0, 1.0, 1.0]),
        ],
        [edge("arr.elements", "lay.elements"), edge("lay.position", "draw.pos"), edge("disc.shape", "draw.shape")],
    )


def _centroid_and_radius(img: np.ndarray) -> tuple[float, float, float]:
    w = img[..., 0].astype(np.float64) / 255.0
    ys, xs = np.mgrid[0 : img.shape[0], 0 : img.shape[1]] + 0.5  # pixel centres
    m = w.sum()
    return float((w * xs).sum() / m), float((w * ys).sum() / m), math.sqrt(m / math.pi)


@pytest.mark.gpu
def test_a_view_moves_a_dot_by_the_expected_pixels_and_leaves_values_alone(device):
    rt = osc.Runtime(osc.compile(_dot(0.6, 0.45, 0.05), observe=["lay.position"]), device)
    rt.step(0.0)
    before = rt.read("lay.position").copy()
    cx, cy, r = _centroid_and_radius(rt.render(200, 200))
    # identity: (100 + 0.1 * 200, 100 - 0.05 * 200), radius 0.05 * 200
    assert (cx, cy, r) == pytest.approx((120.0, 90.0, 10.0), abs=0.05)

    rt.view = ViewTransform(zoom=2.0, center=(0.55, 0.5))
    cx, cy, r = _centroid_and_radius(rt.render(200, 200))
    # S z = 400: (100 + 0.05 * 400, 100 - 0.05 * 400), radius 0.05 * 400
    assert (cx, cy, r) == pytest.approx((120.0, 80.0, 20.0), abs=0.05)
    rt.step(16.0)  # values and replay never see the view
    np.testing.assert_array_equal(rt.read("lay.position"), before)

    rt.view = IDENTITY
    ref = osc.Runtime(osc.compile(_dot(0.6, 0.45, 0.05)), device)
    ref.step(0.0)
    np.testing.assert_array_equal(rt.render(200, 200), ref.render(200, 200))  # identity: bit for bit


@pytest.mark.gpu
def test_lines_follow_the_view(device):
    patch = make_patch(
        [
            blk("arr", "Array", count=2),
            blk("la", "LineLayout", x0=0.3, y0=0.5, x1=0.7, y1=0.5),
            blk("line", "RenderLines2D", connect="strip", width=0.02, color=[1.0, 1.0, 1.0, 1.0]),
        ],
        [edge("arr.elements", "la.elements"), edge("la.position", "line.a")],
    )
    rt = osc.Runtime(osc.compile(patch), device)
    rt.step(0.0)
    rt.view = ViewTransform(zoom=1.0, center=(0.5, 0.4))  # the picture moves down by 0.1 * 100 px
    img = rt.render(100, 100)
    rows = np.nonzero(img[..., 0].max(axis=1) > 127)[0]
    assert (rows.min(), rows.max()) == (59, 60)  # the 2 px line centred on y = 60
    cols = np.nonzero(img[60, :, 0] > 127)[0]
    assert (cols.min(), cols.max()) == (30, 69)  # x from 0.3 * 100 to 0.7 * 100


def test_runtime_view_must_be_a_view_transform():
    from oscilla.runtime.executor import Runtime

    with pytest.raises(TypeError, match="ViewTransform"):
        Runtime.view.fset(object.__new__(Runtime), (2.0, (0.5, 0.5)))
