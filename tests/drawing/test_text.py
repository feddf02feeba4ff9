"""Text sinks drawn on the GPU (docs/language/rendering.md#text; oscilla/drawing/text.py, text.wgsl),
checked against Pillow's own rendering of the same strings with the same font: at one font pixel
per screen pixel a known string's ink lies where Pillow puts it (bounding box within a pixel) and
looks the same; ``texts`` cycle over the lanes; a per-lane value changing between frames renders
the digits Python's formatting of it gives; text sinks never splat."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from support.builders import DEFAULT_CAMERA, blk, edge, make_patch
from support.geometry import project, to_px

import oscilla as osc
from oscilla.blocks.text_format import format_reference, parse_format

pytestmark = pytest.mark.gpu

W, H = 256, 128  # S = 128 pixels per world unit: size 0.5 at em 64 is one font pixel per pixel
EM = 64


def _patch(text_params, *, lanes=1, x=(0.5, 0.5), y=(0.5, 0.5), value=None):
    blocks = [
        blk("arr", "Array", count=lanes),
        blk("lay", "LineLayout", x0=x[0], y0=y[0], x1=x[1], y1=y[1]),
        blk("t", "Text", **{"em": EM, "size": 0.5, **text_params}),
        blk("draw", "RenderInstances2D", color=[1, 1, 1, 1]),
    ]
    edges = [edge("arr.elements", "lay.elements"), edge("lay.position", "draw.pos"), edge("t.shape", "draw.shape")]
    if value is not None:
        blocks.append(blk("val", "Expression", expression=value))
        edges += [
            edge("arr.t", "val.refs", alias="i"),
            edge("time.tMs", "val.refs", alias="ms"),
            edge("val.out", "t.value"),
        ]
    p = make_patch(blocks, edges)
    p["settings"] = {"background": [0, 0, 0, 1]}
    return osc.Patch.from_dict(p)


def _pillow(strings_at, align="center"):
    """Pillow's rendering of each (string, (x, y)) with the default font at EM pixels, anchored
    at the line's vertical middle (anchor l/m/r + m): coverage 0..255, (H, W)."""
    font = ImageFont.load_default(size=EM)
    im = Image.new("L", (W, H), 0)
    d = ImageDraw.Draw(im)
    for s, xy in strings_at:
        d.text(xy, s, font=font, fill=255, anchor={"left": "lm", "center": "mm", "right": "rm"}[align])
    return np.asarray(im).astype(float)


def _bbox(a, thresh=128):
    ys, xs = np.nonzero(a >= thresh)
    return xs.min(), ys.min(), xs.max(), ys.max()


def _differing(img, ref):
    """Pixels whose coverage differs by more than a quarter."""
    return int(np.count_nonzero(np.abs(img - ref) > 64))


def _render(patch, times=(0.0,)):
    rt = osc.Runtime(osc.compile(patch))
    out = []
    for t in times:
        rt.step(t)
        out.append(rt.render(W, H)[..., 0].astype(float))
    return out, rt


@pytest.mark.parametrize("align", ["center", "left", "right"])
def test_a_known_string_lies_where_pillow_puts_it(device, align):
    (img,), _ = _render(_patch({"text": "Hello, gy 42!", "align": align}))
    ref = _pillow([("Hello, gy 42!", (W // 2, H // 2))], align)
    assert np.abs(np.subtract(_bbox(img), _bbox(ref))).max() <= 1
    # the same glyphs, pixel for pixel (lavapipe matches exactly; a few pixels of slack for other drivers)
    assert _differing(img, ref) <= 8


def test_texts_cycle_over_the_lanes(device):
    # 3 lanes at x = 0, 0.5, 1 world (pixels 64, 128, 192 at S = 128), em 32 at size 0.25: A, BB, A
    patch = _patch({"texts": ["A", "BB"], "size": 0.25, "em": 32}, lanes=3, x=(0.0, 1.0))
    (img,), _ = _render(patch)
    font = ImageFont.load_default(size=32)
    im = Image.new("L", (W, H), 0)
    d = ImageDraw.Draw(im)
    for s, px in zip(["A", "BB", "A"], [64, 128, 192], strict=True):
        d.text((px, 64), s, font=font, fill=255, anchor="mm")
    ref = np.asarray(im).astype(float)
    for lo, hi in [(32, 96), (96, 160), (160, 224)]:
        assert np.abs(np.subtract(_bbox(img[:, lo:hi]), _bbox(ref[:, lo:hi]))).max() <= 1
    assert _differing(img, ref) <= 8


@pytest.mark.parametrize("fmt", ["{:.2f}", "v={:+.1f} m", "{:6d}"])
def test_a_changing_per_lane_number_renders_its_digits(device, fmt):
    # two lanes (rows at pixels 32 and 96, left ends at pixel 16) whose values change with time:
    # 37.25 s - 12.375 + 100 i (i = 0, 1), frames at 0 s and 1.5 s; em 32 at size 0.25 is 1:1
    patch = _patch(
        {"format": fmt, "align": "left", "em": 32, "size": 0.25},
        lanes=2,
        x=(-0.375, -0.375),
        y=(0.25, 0.75),
        value="37.25 * ms / 1000 - 12.375 + 100 * i",
    )
    frames, _ = _render(patch, times=(0.0, 1500.0))
    spec = parse_format(fmt)
    font = ImageFont.load_default(size=32)
    for img, sec in zip(frames, (0.0, 1.5), strict=True):
        im = Image.new("L", (W, H), 0)
        d = ImageDraw.Draw(im)
        texts = [format_reference(spec, float(np.float32(37.25 * sec - 12.375 + 100 * i))) for i in (0, 1)]
        for s, py in zip(texts, (32, 96), strict=True):
            d.text((16, py), s, font=font, fill=255, anchor="lm")
        ref = np.asarray(im).astype(float)
        for rows in (slice(0, 64), slice(64, 128)):
            assert np.abs(np.subtract(_bbox(img[rows]), _bbox(ref[rows]))).max() <= 1, texts
        assert _differing(img, ref) <= 8, texts  # one wrong digit is hundreds of pixels


def test_text_sinks_never_splat(device):
    _, rt = _render(_patch({"text": "x", "size": 0.01}, lanes=5000, x=(0.2, 0.8)))
    assert rt._get_renderer().splats == {}


@pytest.mark.parametrize(
    ("expression", "plain", "plus"),
    [
        ("in0 / 0.0", "nan", "+nan"),
        ("(in0 + 1.0) / 0.0", "inf", "+inf"),
        ("(in0 - 1.0) / 0.0", "-inf", "-inf"),
        ("in0 * -1.0", "-0.00", "-0.00"),  # the sign bit is kept, as Python prints -0.0
        ("in0 + 3.0e38", "#", "+#"),  # |v| * 100 rounds past 2**32
        ("in0 - 0.004", "-0.00", "-0.00"),
        ("in0 + 0.125", "0.12", "+0.12"),  # an exact tie: to even
    ],
    ids=["nan", "inf", "-inf", "-0", "huge", "rounds-to-0", "tie"],
)
@pytest.mark.parametrize("fmt", ["{:.2f}", "{:+.2f}"])
def test_special_values_are_written_as_documented(device, expression, plain, plus, fmt):
    blocks = [
        blk("arr", "Array", count=1),
        blk("lay", "LineLayout", x0=-0.375, y0=0.5, x1=-0.375, y1=0.5),
        blk("val", "Expression", expression=expression, in0=0.0),
        blk("t", "Text", format=fmt, align="left", em=32, size=0.25),
        blk("draw", "RenderInstances2D", color=[1, 1, 1, 1]),
    ]
    edges = [
        edge("arr.elements", "lay.elements"),
        edge("lay.position", "draw.pos"),
        edge("val.out", "t.value"),
        edge("t.shape", "draw.shape"),
    ]
    p = make_patch(blocks, edges)
    p["settings"] = {"background": [0, 0, 0, 1]}
    (img,), _ = _render(osc.Patch.from_dict(p))
    s = plus if fmt.startswith("{:+") else plain
    im = Image.new("L", (W, H), 0)
    ImageDraw.Draw(im).text((16, 64), s, font=ImageFont.load_default(size=32), fill=255, anchor="lm")
    assert _differing(img, np.asarray(im).astype(float)) <= 8, s


def test_under_a_camera_the_label_is_centred_on_the_projected_position_and_scaled(device):
    # "HH" centred (anchor mm) at a lane the independent projection model places; k scales the glyphs
    p = make_patch(
        [
            blk("arr", "Array", count=1),
            blk("lay", "LineLayout", x0=0.6, y0=0.5, x1=0.6, y1=0.5),
            blk("t", "Text", text="HH", em=64, size=0.3),
            blk("draw", "RenderInstances2D", color=[1, 1, 1, 1]),
            blk("cam", "Camera"),
        ],
        [edge("arr.elements", "lay.elements"), edge("lay.position", "draw.pos"), edge("t.shape", "draw.shape")],
    )
    p["settings"] = {"background": [0, 0, 0, 1]}
    rt = osc.Runtime(osc.compile(osc.Patch.from_dict(p)))
    rt.step(0.0)
    img = rt.render(200, 200)[..., 0].astype(float)
    sx, sy, _, k, visible = project(DEFAULT_CAMERA, (0.6, 0.5, 0.0))
    assert visible
    cx, cy = to_px(sx, sy, 200, 200)
    im = Image.new("L", (400, 200), 0)  # Pillow's ink of the label, anchor mm at (200, 100)
    ImageDraw.Draw(im).text((200, 100), "HH", font=ImageFont.load_default(size=64), fill=255, anchor="mm")
    px0, py0, px1, py1 = _bbox(np.asarray(im).astype(float))
    f = 0.3 / 64 * k * 200  # screen pixels per font pixel
    x0, y0, x1, y1 = _bbox(img)
    assert abs((x0 + x1 + 1) / 2 - (cx + f * ((px0 + px1 + 1) / 2 - 200))) <= 1.5
    assert abs((y0 + y1 + 1) / 2 - (cy + f * ((py0 + py1 + 1) / 2 - 100))) <= 1.5
    assert abs((x1 + 1 - x0) - f * (px1 + 1 - px0)) <= 2.0
    assert abs((y1 + 1 - y0) - f * (py1 + 1 - py0)) <= 2.0
