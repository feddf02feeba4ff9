"""The compute splat rasterizer (docs/language/rendering.md#splat; oscilla/drawing/splat.py), checked
against values computed here:

* coverage: dots a fraction of a pixel to 1.5 px in radius at known positions (LineLayout's formula,
  blocks.md) must give, per pixel, c·α + B(1 − α) with α = a·clamp(0.5 − d, 0, 1), d the distance from
  the pixel centre to the dot's centre minus its radius in pixels (docs/language/rendering.md#anti-aliasing), within
  1/255 plus rounding;
* overlap: N identical dots on one pixel follow the order-independent formulas of each blend mode
  (add min(1, B + N cα), screen 1 − (1 − B)(1 − cα)^N, multiply B(1 − α + cα)^N, over
  c(1 − (1 − α)^N) + B(1 − α)^N, target alpha 1 − (1 − A)(1 − α)^N), exactly computed in float64;
* the automatic choice: a sink whose lanes are too big draws exactly the quads' image; the
  eligibility rules (camera, strokes, paths, few lanes) and saturation (70,000 opaque dots on one
  pixel) and determinism (two runtimes, same bytes).
"""

from __future__ import annotations

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.drawing.instances import InstanceRenderer
from oscilla.drawing.splat import MAX_SPLAT_SINKS, SPLAT_MAX_RADIUS, SPLAT_MIN_LANES, pick_splat_sinks

pytestmark = pytest.mark.gpu

W = H = 64


def _dots(count: int, radius_px: float, *, ends=(0.1, 0.3, 0.9, 0.7), color=(1, 1, 1, 1), blend="over", bg=None):
    """``count`` circles of ``radius_px`` pixels on a W x H target along a LineLayout from (x0, y0) to (x1, y1)."""
    x0, y0, x1, y1 = ends
    params = {"color": list(color), "blend": blend}
    patch = make_patch(
        [
            blk("arr", "Array", count=count),
            blk("lay", "LineLayout", x0=x0, y0=y0, x1=x1, y1=y1),
            blk("dot", "Ellipse", rx=radius_px / W, ry=radius_px / W),
            blk("draw", "RenderInstances2D", **params),
        ],
        [edge("arr.elements", "lay.elements"), edge("lay.position", "draw.pos"), edge("dot.shape", "draw.shape")],
    )
    patch["settings"] = {"background": list(bg or (0.0, 0.0, 0.0, 1.0))}
    return patch


def _runtime(patch: dict, raster: str) -> osc.Runtime:
    program = osc.compile(patch)
    rt = osc.Runtime(program)
    rt._renderers["rgba8unorm"] = InstanceRenderer(
        rt.device, rt.values.buffers["f32"], program.slot_meta, program.sinks, nodes=program.nodes, raster=raster
    )
    rt.step(0.0)
    return rt


def _render(patch: dict, raster: str, w: int = W, h: int = H) -> tuple[np.ndarray, InstanceRenderer]:
    rt = _runtime(patch, raster)
    img = rt.render(w, h)
    return img, rt._renderers["rgba8unorm"]


def _line_positions(count: int, ends) -> np.ndarray:
    """LineLayout (docs/language/fields-and-instances.md): t = i / (N − 1), 0.5 for N = 1; world -> pixel
    with S = W = H."""
    x0, y0, x1, y1 = ends
    t = np.arange(count) / (count - 1) if count > 1 else np.array([0.5])
    return np.stack([(1 - t) * x0 + t * x1, (1 - t) * y0 + t * y1], axis=1) * W


@pytest.mark.parametrize("radius_px", [0.3, 0.7, 1.5])
def test_splat_coverage_matches_the_distance_rule(device, radius_px):
    ends = (0.1, 0.23, 0.87, 0.71)  # off the pixel grid, 9 dots > 5 px apart
    img, renderer = _render(_dots(9, radius_px, ends=ends, color=(1.0, 0.5, 0.25, 1.0)), "splat")
    assert renderer.splats, "the sink should splat"
    centres = _line_positions(9, ends)
    ys, xs = np.mgrid[0:H, 0:W] + 0.5
    alpha = np.zeros((H, W))
    for cx, cy in centres:
        d = np.hypot(xs - cx, ys - cy) - radius_px
        alpha = np.maximum(alpha, np.clip(0.5 - d, 0.0, 1.0))  # the dots do not overlap
    want = np.stack([alpha * 1.0, alpha * 0.5, alpha * 0.25], axis=-1) * 255
    got = img[..., :3].astype(float)
    assert np.abs(got - want).max() <= 1.0 + 1e-6, np.abs(got - want).max()
    assert (img[..., 3] == 255).all()


def test_splat_equals_quads_for_separate_small_dots(device):
    # 20 dots 4.4 px apart: no pixel is touched by two of them
    patch = _dots(20, 0.8, ends=(0.05, 0.1, 0.95, 0.9), color=(0.2, 0.9, 0.6, 0.7), bg=(0.1, 0.1, 0.3, 1.0))
    splat, _ = _render(patch, "splat")
    quads, r = _render(patch, "quads")
    assert not r.splats
    assert np.abs(splat.astype(int) - quads.astype(int)).max() <= 1


def _overlap_expected(mode: str, c, a: float, n: int, bg) -> np.ndarray:
    c = np.asarray(c[:3], float)
    B = np.round(np.asarray(bg[:3], float) * 255) / 255
    A = round(bg[3] * 255) / 255
    t = (1 - a) ** n
    rgb = {
        "add": np.minimum(1.0, B + n * c * a),
        "screen": 1 - (1 - B) * (1 - c * a) ** n,
        "multiply": B * (1 - a + c * a) ** n,
        "over": c * (1 - t) + B * t,
    }[mode]
    return np.append(rgb, 1 - (1 - A) * t)


@pytest.mark.parametrize("mode", ["over", "add", "multiply", "screen"])
@pytest.mark.parametrize("n", [1, 3, 7])
def test_overlapping_dots_follow_the_blend_formulas(device, mode, n):
    color, bg = (0.9, 0.4, 0.2, 0.3), (0.3, 0.5, 0.7, 0.5)
    # n dots of radius 1 px at one pixel centre (32.5, 32.5): coverage 1 there
    patch = _dots(n, 1.0, ends=(32.5 / W, 32.5 / H, 32.5 / W, 32.5 / H), color=color, blend=mode, bg=bg)
    img, _ = _render(patch, "splat")
    want = _overlap_expected(mode, color, color[3], n, bg)
    got = img[32, 32].astype(float) / 255
    # 2/255: the blend unit takes the fragment's colour and alpha as 8-bit values (the quad path's
    # single-element test in test_blend_strokes.py is off by up to 1.3/255 the same way)
    np.testing.assert_allclose(got, want, atol=2.0 / 255 + 1e-9, err_msg=f"{mode} x{n}: {got * 255} vs {want * 255}")
    np.testing.assert_array_equal(img[2, 2], np.round(np.asarray(bg) * 255).astype(np.uint8))


def test_a_lane_too_big_draws_the_whole_sink_as_quads(device):
    big = SPLAT_MAX_RADIUS["over"] + 3.0
    patch = _dots(SPLAT_MIN_LANES, big, ends=(0.2, 0.2, 0.8, 0.8), color=(0.3, 0.6, 0.9, 0.5))
    auto, renderer = _render(patch, "auto")
    assert renderer.splats, "eligible and enough lanes: the sink has a splat path"
    quads, _ = _render(patch, "quads")
    np.testing.assert_array_equal(auto, quads)


def test_auto_splats_many_small_dots_and_changes_nothing_visible(device):
    patch = _dots(SPLAT_MIN_LANES, 0.4, ends=(0.05, 0.5, 0.95, 0.5), color=(0.5, 0.8, 1.0, 0.9))
    auto, renderer = _render(patch, "auto", 256, 256)
    assert renderer.splats
    quads, _ = _render(patch, "quads", 256, 256)
    # 4,096 dots 0.055 px apart on one row: heavy overlap of one colour, the two paths agree
    assert np.abs(auto.astype(int) - quads.astype(int)).max() <= 3


def test_saturation_many_opaque_dots_on_one_pixel(device):
    n = 70_000
    patch = _dots(n, 0.6, ends=(0.5, 0.5, 0.5, 0.5), color=(0.25, 0.5, 1.0, 1.0))
    img, _ = _render(patch, "auto")
    np.testing.assert_array_equal(img[32, 32], [64, 128, 255, 255])  # the colour itself, no wrap-around
    add, _ = _render(_dots(n, 0.6, ends=(0.5, 0.5, 0.5, 0.5), color=(0.25, 0.5, 1.0, 1.0), blend="add"), "auto")
    np.testing.assert_array_equal(add[32, 32], [255, 255, 255, 255])


def test_two_runtimes_give_the_same_bytes_and_resize_reallocates(device):
    patch = _dots(SPLAT_MIN_LANES, 0.5, ends=(0.05, 0.05, 0.95, 0.95), color=(1.0, 0.2, 0.5, 0.6), blend="add")
    rt1, rt2 = _runtime(patch, "auto"), _runtime(patch, "auto")
    a = rt1.render(128, 96)
    assert a.tobytes() == rt2.render(128, 96).tobytes()
    small = rt1.render(32, 32)  # another size, then back: accumulators are per size and zeroed
    assert small.shape == (32, 32, 4)
    assert rt1.render(128, 96).tobytes() == a.tobytes()


def test_eligibility(device):
    n = SPLAT_MIN_LANES
    base = _dots(n, 0.5)
    assert _render(base, "auto")[1].splats
    assert not _render(_dots(n // 2, 0.5), "auto")[1].splats, "few lanes: quads"
    stroked = _dots(n, 0.5)
    stroked["blocks"].append(blk("sw", "Const", value=0.001))
    stroked["edges"].append(edge("sw.out", "draw.strokeWidth"))
    assert not _render(stroked, "auto")[1].splats, "strokes: quads"
    cam = _dots(n, 0.5)
    cam["blocks"].append(blk("cam", "Camera"))
    assert not _render(cam, "auto")[1].splats, "camera: quads"


def test_pick_splat_sinks():
    cands = [(0, 10), (1, 5000), (2, 90_000), (3, 5000), (4, 6000), (5, 7000), (6, 8000)]
    assert pick_splat_sinks(cands, "quads") == set()
    auto = pick_splat_sinks(cands, "auto")
    assert len(auto) == MAX_SPLAT_SINKS and auto == {2, 6, 5, 4}
    assert pick_splat_sinks([(0, 10)], "splat") == {0}
    with pytest.raises(ValueError, match="raster mode"):
        pick_splat_sinks(cands, "fast")


def test_non_finite_lanes_are_skipped(device):
    # size = RadiusSqrt(id01 = -1) = sqrt(-1) = NaN hides every lane: nothing drawn, no garbage
    patch = _dots(SPLAT_MIN_LANES, 0.5)
    patch["blocks"] += [blk("neg", "Const", value=-1.0), blk("nan", "RadiusSqrt", radius=1.0)]
    patch["edges"] += [edge("neg.out", "nan.id01"), edge("nan.out", "draw.size")]
    img, _ = _render(patch, "splat")
    np.testing.assert_array_equal(img[..., :3], 0)
