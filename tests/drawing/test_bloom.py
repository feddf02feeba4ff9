"""Bloom (docs/language/rendering.md#bloom): off by default (and with intensity 0) the image is
today's exactly; on, it only adds light, only within the glow's reach of lanes brighter than the
threshold, and never feeds the trails state."""

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.drawing.post import blur_taps

pytestmark = pytest.mark.gpu

W, H = 192, 128
BG = [0.03, 0.03, 0.06, 1.0]
HOT = [1.0, 0.9, 0.6, 1.0]  # max component 1 > 0.8: glows
DIM = [0.6, 0.6, 0.6, 1.0]  # max component 0.6 < 0.8: does not


def _patch(settings=None, first_frame_only=False):
    """A row of 3 hot discs at y = 0.35 and a row of 3 dim discs at y = 0.65 (radius 0.03 world)."""
    blocks = [
        blk("a1", "Array", count=3),
        blk("l1", "LineLayout", x0=0.2, x1=0.8, y0=0.35, y1=0.35),
        blk("hot", "RenderInstances2D", size=1.5, color=HOT),
        blk("a2", "Array", count=3),
        blk("l2", "LineLayout", x0=0.2, x1=0.8, y0=0.65, y1=0.65),
        blk("dim", "RenderInstances2D", size=1.5, color=DIM),
    ]
    edges = [
        edge("a1.elements", "l1.elements"),
        edge("l1.position", "hot.pos"),
        edge("a2.elements", "l2.elements"),
        edge("l2.position", "dim.pos"),
    ]
    if first_frame_only:
        blocks += [
            blk("first", "Expression", expression="in0 < 0.5 ? 1.0 : 0.0"),
            blk("fade", "ApplyOpacity", color=HOT),
        ]
        edges += [edge("time.tMs", "first.in0"), edge("first.out", "fade.opacity"), edge("fade.out", "hot.color")]
    p = make_patch(blocks, edges)
    p["settings"] = {"background": BG, "size": [W, H], **(settings or {})}
    return p


def _image(patch, frames=1):
    rt = osc.Runtime(osc.compile(patch))
    for k in range(frames):
        rt.step(k * 16.0)
    return rt.render(W, H).astype(int)


def _distance_to_row(y_row: float) -> np.ndarray:
    """Distance in pixels from each pixel centre to the nearest disc edge of a row at y_row."""
    s = min(W, H)
    ys, xs = np.mgrid[0:H, 0:W] + 0.5
    d = np.full((H, W), np.inf)
    for x in (0.2, 0.5, 0.8):
        cx, cy = W / 2 + (x - 0.5) * s, H / 2 + (y_row - 0.5) * s
        d = np.minimum(d, np.hypot(xs - cx, ys - cy) - 0.03 * s)
    return d


def test_bloom_off_and_intensity_zero_are_todays_image(device):
    plain = _image(_patch())
    np.testing.assert_array_equal(_image(_patch({"bloom": {"intensity": 0.0}})), plain)
    rt = osc.Runtime(osc.compile(_patch()))
    assert rt._bloom is None  # off by default: no pass at all


def test_bloom_adds_light_only_near_lanes_brighter_than_the_threshold(device):
    radius = 0.05
    plain = _image(_patch())
    glow = _image(_patch({"bloom": {"threshold": 0.8, "intensity": 1.0, "radius": radius}}))
    diff = glow - plain
    assert (diff >= 0).all()  # bloom only adds
    assert diff.sum() > 0
    assert (diff[..., 3] == 0).all()  # alpha unchanged
    # reach: the blur's taps (half-resolution pixels, x2) plus the 2 x 2 bright-pass average and
    # the bilinear upsampling: 4 px of slack
    _, taps = blur_taps(radius, W, H)
    reach = 2 * taps + 4
    near_hot = _distance_to_row(0.35) <= reach
    assert (diff[~near_hot] == 0).all()  # nothing changes away from the hot discs, dim row included
    ring = (_distance_to_row(0.35) > 1) & (_distance_to_row(0.35) < 3)
    assert diff[ring][:, :3].mean() > 5  # a visible glow just outside the hot discs


def test_bloom_is_display_only_and_never_enters_the_trails_state(device):
    """A hot disc drawn at frame 0 only, t = 0.5: by frame 3 its afterimage (about 1/8 of it) is
    below the threshold, so the bloomed image equals the plain trails image; had the glow of
    frame 0 entered the state, it would still show, faded like the disc."""
    trails = {"trails": 0.5}
    plain = _image(_patch(trails, first_frame_only=True), frames=4)
    bloomed = _image(_patch({**trails, "bloom": {"radius": 0.05}}, first_frame_only=True), frames=4)
    np.testing.assert_array_equal(bloomed, plain)
    # and at frame 0 the glow is there
    assert (
        _image(_patch({**trails, "bloom": {"radius": 0.05}}, first_frame_only=True))
        > _image(_patch(trails, first_frame_only=True))
    ).any()
