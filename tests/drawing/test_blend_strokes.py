"""Blend modes and strokes of RenderInstances2D (docs/language/rendering.md#blend-modes, #strokes), rendered
through patches and checked against the formulas and analytic distances written here:

* blend: one disc of known colour c and alpha a over a known background C (8-bit, as the target
  stores it); the pixel at its centre (coverage 1, alpha = a) must equal
  over cα + C(1−α), add min(1, C + cα), multiply C(1 − α + cα), screen C + cα(1 − C), and
  A ← α + A(1−α) for all, within 1/255.
* strokes: pixel centres >= 1 px inside the band |d| <= strokeWidth·S/2 (d the exact signed distance
  to the shape's edge, pixels) are exactly the stroke colour, >= 1 px outside it exactly the fill
  or the background; a connected strokeWidth of 0 draws exactly the image without one.
"""

from __future__ import annotations

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.geometry import polygon_sdf, star_points

import oscilla as osc

pytestmark = pytest.mark.gpu

BG = (0.2, 0.5, 0.9, 0.4)
ELEMENT = (0.8, 0.3, 0.6, 0.5)


def _disc_patch(blend: str | None, color, background, **draw) -> dict:
    params = {"color": list(color), **draw}
    if blend is not None:
        params["blend"] = blend
    patch = make_patch(
        [
            blk("arr", "Array", count=1),
            blk("lay", "LineLayout", x0=0.5, y0=0.5, x1=0.5, y1=0.5),
            blk("disc", "Ellipse", rx=0.3, ry=0.3),
            blk("draw", "RenderInstances2D", **params),
        ],
        [edge("arr.elements", "lay.elements"), edge("lay.position", "draw.pos"), edge("disc.shape", "draw.shape")],
    )
    patch["settings"] = {"background": list(background)}
    return patch


def _render(patch: dict, w: int, h: int) -> np.ndarray:
    rt = osc.Runtime(osc.compile(patch))
    rt.step(0.0)
    return rt.render(w, h)


def _expected(mode: str, c, a: float, target) -> np.ndarray:
    """The blend formulas of the language guide, float64, on an 8-bit target colour."""
    c = np.asarray(c[:3], float)
    C = np.asarray(target[:3], float)
    A = float(target[3])
    rgb = {
        "over": c * a + C * (1 - a),
        "add": np.minimum(1.0, C + c * a),
        "multiply": C * (1 - a + c * a),
        "screen": C + c * a * (1 - C),
    }[mode]
    return np.append(rgb, a + A * (1 - a))


@pytest.mark.parametrize("mode", ["over", "add", "multiply", "screen"])
@pytest.mark.parametrize(
    ("color", "background"),
    [(ELEMENT, BG), ((0.9, 0.7, 0.1, 0.8), (0.6, 0.6, 0.3, 1.0)), ((1.0, 1.0, 1.0, 1.0), (0.5, 0.25, 0.0, 1.0))],
)
def test_blend_mode_formula_at_a_covered_pixel(device, mode, color, background):
    img = _render(_disc_patch(mode, color, background), 64, 64)
    target = np.round(np.asarray(background) * 255) / 255  # the cleared target holds 8-bit values
    want = _expected(mode, color, color[3], target)
    got = img[32, 32].astype(float) / 255
    np.testing.assert_allclose(got, want, atol=1.0 / 255 + 1e-9, err_msg=f"{mode}: {got * 255} vs {want * 255}")
    # outside the disc the target is untouched
    np.testing.assert_array_equal(img[1, 1], np.round(np.asarray(background) * 255).astype(np.uint8))


def test_over_is_the_default_and_unchanged(device):
    plain = _render(_disc_patch(None, ELEMENT, BG), 64, 64)
    over = _render(_disc_patch("over", ELEMENT, BG), 64, 64)
    np.testing.assert_array_equal(plain, over)


def test_sinks_blend_in_patch_order(device):
    """A red over sink, then a green additive sink on the same disc: green adds onto red."""
    patch = _disc_patch("over", (1.0, 0.0, 0.0, 1.0), (0.0, 0.0, 0.0, 1.0))
    patch["blocks"].append(blk("draw2", "RenderInstances2D", color=[0.0, 0.5, 0.0, 1.0], blend="add"))
    patch["edges"] += [edge("lay.position", "draw2.pos"), edge("disc.shape", "draw2.shape")]
    img = _render(patch, 64, 64)
    assert abs(int(img[32, 32, 0]) - 255) <= 1 and abs(int(img[32, 32, 1]) - 128) <= 1 and img[32, 32, 2] == 0


# ------------------------------------------------------------------ strokes

FILL = (1.0, 0.0, 0.0, 1.0)
STROKE = (0.0, 1.0, 0.0, 1.0)
W = H = 200  # S = 200 pixels per world unit, the element at pixel (100, 100)


def _stroke_patch(shape_block: dict, **draw) -> dict:
    patch = make_patch(
        [
            shape_block,
            blk("arr", "Array", count=1),
            blk("lay", "LineLayout", x0=0.5, y0=0.5, x1=0.5, y1=0.5),
            blk("draw", "RenderInstances2D", color=list(FILL), **draw),
        ],
        [
            edge("arr.elements", "lay.elements"),
            edge("lay.position", "draw.pos"),
            edge(f"{shape_block['id']}.shape", "draw.shape"),
        ],
    )
    patch["settings"] = {"background": [0.0, 0.0, 0.0, 1.0]}
    return patch


def _ellipse_sdf(px, py, a, b):
    """Exact signed distance (pixels) to the ellipse x²/a² + y²/b² = 1: the nearest of 40,000
    boundary samples (spacing < 0.01 px here), negative inside."""
    t = np.linspace(0, 2 * np.pi, 40000, endpoint=False)
    bx, by = a * np.cos(t), b * np.sin(t)
    x, y = px.ravel(), py.ravel()
    d = np.empty(len(x))
    for k in range(0, len(x), 256):
        d[k : k + 256] = np.sqrt(((x[k : k + 256, None] - bx) ** 2 + (y[k : k + 256, None] - by) ** 2).min(1))
    inside = (x / a) ** 2 + (y / b) ** 2 < 1
    return np.where(inside, -d, d).reshape(px.shape)


def _check_band(img: np.ndarray, d: np.ndarray, hw: float) -> None:
    """Pixels >= 1 px inside the band |d| <= hw are the stroke colour; >= 1 px outside it, the fill
    (inside the shape) or the background (outside)."""
    band = np.abs(d) <= hw - 1
    fill = d <= -hw - 1
    out = d >= hw + 1
    assert band.sum() > 100 and fill.sum() > 100 and out.sum() > 100
    for mask, rgba, what in (
        (band, (0, 255, 0, 255), "stroke"),
        (fill, (255, 0, 0, 255), "fill"),
        (out, (0, 0, 0, 255), "bg"),
    ):
        bad = np.argwhere(np.any(img[mask] != np.array(rgba, np.uint8), axis=-1))
        assert len(bad) == 0, f"{what}: {len(bad)} pixels differ, e.g. {img[mask][bad[0][0]]}"


def _pixel_grid():
    py, px = np.mgrid[0:H, 0:W] + 0.5
    return px - 100.0, py - 100.0


def test_ellipse_stroke_is_a_ring_of_the_given_width(device):
    img = _render(_stroke_patch(blk("e", "Ellipse", rx=0.3, ry=0.18), strokeWidth=0.05, strokeColor=list(STROKE)), W, H)
    px, py = _pixel_grid()
    _check_band(img, _ellipse_sdf(px, py, 0.3 * 200, 0.18 * 200), 0.05 * 200 / 2)


def test_stroke_width_is_world_units_with_scale_and_size(device):
    """size scales the shape, not the stroke: a circle of radius 0.1 * 2 with a 0.03-wide band."""
    patch = _stroke_patch(blk("e", "Ellipse", rx=0.1, ry=0.1), strokeWidth=0.03, strokeColor=list(STROKE), size=2.0)
    img = _render(patch, W, H)
    px, py = _pixel_grid()
    _check_band(img, np.hypot(px, py) - 0.2 * 200, 0.03 * 200 / 2)


def test_rect_stroke(device):
    img = _render(
        _stroke_patch(blk("r", "Rect", width=0.5, height=0.3), strokeWidth=0.04, strokeColor=list(STROKE)), W, H
    )
    px, py = _pixel_grid()
    qx, qy = np.abs(px) - 50.0, np.abs(py) - 30.0
    d = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0)) + np.minimum(np.maximum(qx, qy), 0)
    _check_band(img, d, 0.04 * 200 / 2)


def test_star_stroke(device):
    patch = _stroke_patch(
        blk("s", "ProceduralStar", points=5, outerRadius=0.4, innerRadius=0.2),
        strokeWidth=0.04,
        strokeColor=list(STROKE),
    )
    img = _render(patch, W, H)
    px, py = _pixel_grid()
    _check_band(img, polygon_sdf(px, py, star_points(5, 0.4, 0.2) * 200), 0.04 * 200 / 2)


def test_zero_stroke_width_draws_exactly_the_fill(device):
    shape = blk("e", "Ellipse", rx=0.3, ry=0.18)
    plain = _render(_stroke_patch(shape), W, H)
    zero = _render(_stroke_patch(shape, strokeWidth=0.0, strokeColor=list(STROKE)), W, H)
    np.testing.assert_array_equal(plain, zero)


def test_stroke_with_an_additive_blend(device):
    """The stroke is composited over the fill first, then the blend mode applies to the result."""
    patch = _stroke_patch(
        blk("e", "Ellipse", rx=0.3, ry=0.3), strokeWidth=0.05, strokeColor=[0.0, 0.0, 1.0, 0.5], blend="add"
    )
    patch["settings"] = {"background": [0.0, 0.4, 0.0, 1.0]}
    img = _render(patch, W, H).astype(int)
    # pixel centre 155.5: d = -4.5, in the band and the fill: stroke (0, 0, 1) alpha 0.5 over red
    # -> premultiplied (0.5, 0, 0.5, 1), added to the background
    np.testing.assert_allclose(img[100, 155], [128, 102, 128, 255], atol=1)
    # pixel centre 162.5: d = 2.5, in the band outside the fill: (0, 0, 0.5) added
    np.testing.assert_allclose(img[100, 162], [0, 102, 128, 255], atol=1)
    np.testing.assert_allclose(img[100, 100], [255, 102, 0, 255], atol=1)  # fill only: red added
