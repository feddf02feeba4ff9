"""Image sinks drawn on the GPU (docs/language/rendering.md#images; oscilla/drawing/images.py, image.wgsl),
checked against the texels of the PNG written here and the formulas of the language guide:
nearest sampling at 16x gives the texels exactly, times the tint; a sprite sheet's frame (negative
ones too) picks the cell; blend modes composite the texel colour; a Camera moves and scales the quad
as the independent projection model says; a non-finite width hides the lane; images never splat."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from support.builders import DEFAULT_CAMERA, blk, edge, make_patch
from support.geometry import project, to_px

import oscilla as osc

pytestmark = pytest.mark.gpu

RNG = np.random.default_rng(12)
#: a 4 x 4 opaque test image of random texels
TEX = RNG.integers(0, 256, (4, 4, 4), dtype=np.uint8)
TEX[..., 3] = 255
BG = (0.1, 0.2, 0.3, 1.0)


def _patch(folder, texels, *, lanes=1, x=(0.5, 0.5), y=0.5, img=None, draw=None, extra=(), edges=()):
    Image.fromarray(texels, "RGBA").save(folder / "tex.png")
    patch = make_patch(
        [
            blk("arr", "Array", count=lanes),
            blk("lay", "LineLayout", x0=x[0], y0=y, x1=x[1], y1=y),
            blk("img", "Image", **{"path": "tex.png", "filter": "nearest", **(img or {})}),
            blk("draw", "RenderInstances2D", **(draw or {})),
            *extra,
        ],
        [
            edge("arr.elements", "lay.elements"),
            edge("lay.position", "draw.pos"),
            edge("img.shape", "draw.shape"),
            *edges,
        ],
    )
    patch["settings"] = {"background": list(BG)}
    p = osc.Patch.from_dict(patch)
    p.base_dir = folder
    return p


def _render(patch, w, h):
    rt = osc.Runtime(osc.compile(patch))
    rt.step(0.0)
    return rt.render(w, h), rt


def _bg8():
    return np.round(np.array(BG) * 255).astype(int)


def test_nearest_at_16x_draws_the_texels_and_the_tint(device, tmp_path):
    # width 0.5 of a 128-pixel target: 64 pixels, x and y 32..96, 16 pixels per texel
    img, _ = _render(_patch(tmp_path, TEX, img={"width": 0.5}), 128, 128)
    want = np.repeat(np.repeat(TEX, 16, axis=0), 16, axis=1)
    np.testing.assert_array_equal(img[32:96, 32:96], want)
    outside = np.ones((128, 128), bool)
    outside[32:96, 32:96] = False
    assert np.all(img[outside] == _bg8())

    tint = (1.0, 0.5, 0.25, 1.0)
    img, _ = _render(_patch(tmp_path, TEX, img={"width": 0.5}, draw={"color": list(tint)}), 128, 128)
    tinted = np.round(want[..., :3] * np.array(tint[:3]))
    assert np.abs(img[32:96, 32:96, :3].astype(int) - tinted).max() <= 1


def test_the_sprite_frame_picks_its_cell_and_wraps(device, tmp_path):
    sheet = RNG.integers(0, 256, (8, 8, 4), dtype=np.uint8)  # 2 x 2 cells of 4 x 4 texels
    sheet[..., 3] = 255
    patch = _patch(
        tmp_path,
        sheet,
        lanes=4,
        x=(0.125, 0.875),
        img={"width": 0.25, "grid": [2, 2]},
        extra=[blk("f", "Expression", expression="in0 * 3 - 6")],
        edges=[edge("arr.index", "f.in0"), edge("f.out", "img.frame")],
    )
    img, _ = _render(patch, 128, 128)
    for lane, frame in enumerate((-6, -3, 0, 3)):
        cell = frame % 4
        r, c = divmod(cell, 2)
        texels = sheet[4 * r : 4 * r + 4, 4 * c : 4 * c + 4]
        want = np.repeat(np.repeat(texels, 8, axis=0), 8, axis=1)  # 32 pixels for 4 texels
        np.testing.assert_array_equal(img[48:80, 32 * lane : 32 * lane + 32], want, err_msg=f"lane {lane}")


@pytest.mark.parametrize("blend", ["over", "add", "multiply", "screen"])
def test_blend_modes_composite_the_texel_colour(device, tmp_path, blend):
    tex = TEX.copy()
    tex[..., 3] = 153  # alpha 0.6
    tint = (0.9, 0.8, 1.0, 0.5)
    img, _ = _render(_patch(tmp_path, tex, img={"width": 0.5}, draw={"blend": blend, "color": list(tint)}), 64, 64)
    c = tex[..., :3] / 255 * np.array(tint[:3])
    a = 0.6 * tint[3]
    C = _bg8()[:3] / 255
    want = {
        "over": c * a + C * (1 - a),
        "add": np.minimum(1, C + c * a),
        "multiply": C * (1 - a + c * a),
        "screen": C + c * a * (1 - C),
    }[blend]
    got = img[16:48, 16:48, :3].astype(float) / 255
    assert np.abs(got - np.repeat(np.repeat(want, 8, axis=0), 8, axis=1)).max() <= 2.5 / 255


def test_under_a_camera_the_quad_sits_at_the_projected_position(device, tmp_path):
    white = np.full((1, 1, 4), 255, np.uint8)
    patch = _patch(tmp_path, white, x=(0.6, 0.6), img={"width": 0.2}, extra=[blk("cam", "Camera")])
    img, rt = _render(patch, 200, 200)
    sx, sy, _, k, visible = project(DEFAULT_CAMERA, (0.6, 0.5, 0.0))
    assert visible
    cx, cy = to_px(sx, sy, 200, 200)
    half = 0.1 * k * 200  # half the width in pixels
    px = np.arange(200) + 0.5
    dx = np.abs(px[None, :] - cx) - half
    dy = np.abs(px[:, None] - cy) - half
    d = np.maximum(dx, dy)
    assert np.all(img[d <= -1.0] == 255)
    assert np.all(img[d >= 1.0] == _bg8())


def test_linear_sampling_blends_neighbouring_texels(device, tmp_path):
    two = np.zeros((1, 2, 4), np.uint8)
    two[0, 1] = 255
    two[..., 3] = 255
    img, _ = _render(_patch(tmp_path, two, img={"width": 0.5, "height": 0.5, "filter": "linear"}), 64, 64)
    row = img[32, 16:48, 0].astype(float) / 255  # 32 pixels across 2 texels
    u = (np.arange(32) + 0.5) / 32 * 2 - 0.5  # texel coordinate of each pixel centre
    want = np.clip(u, 0, 1)  # clamped to the edge texels
    assert np.abs(row - want).max() <= 2 / 255


def test_a_non_finite_width_hides_the_lane_and_images_never_splat(device, tmp_path):
    patch = _patch(
        tmp_path,
        TEX,
        lanes=5000,
        x=(0.2, 0.8),
        img={"width": 0.001},
        draw={"color": [1, 1, 1, 1]},
    )
    _, rt = _render(patch, 64, 64)
    renderer = rt._get_renderer()
    assert renderer.splats == {}

    nan_width = _patch(
        tmp_path,
        TEX,
        extra=[blk("nan", "Expression", expression="in0 / 0.0", in0=0.0)],
        edges=[edge("nan.out", "img.width")],
    )
    img, _ = _render(nan_width, 32, 32)
    assert np.all(img == _bg8())


def test_a_hot_swap_uploads_the_new_picture(device, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    red = np.zeros((1, 1, 4), np.uint8)
    red[..., [0, 3]] = 255
    blue = np.zeros((1, 1, 4), np.uint8)
    blue[..., [2, 3]] = 255
    rt = osc.Runtime(osc.compile(_patch(tmp_path / "a", red, img={"width": 0.5})))
    rt.step(0.0)
    assert tuple(rt.render(32, 32)[16, 16]) == (255, 0, 0, 255)
    rt.swap(osc.compile(_patch(tmp_path / "b", blue, img={"width": 0.5})))
    rt.step(16.0)
    assert tuple(rt.render(32, 32)[16, 16]) == (0, 0, 255, 255)
