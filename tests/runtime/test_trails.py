"""Trails and frame feedback (docs/language/rendering.md#trails): the previous frame is GPU state,
faded to the background under each new frame, moved by the feedback transform, kept across a hot
swap of the same size, cleared by reset. Expected values are the formulas of the issue, computed
here from the frame-0 image: after k frames a pixel holds I0 t^k + B (1 - t^k)."""

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.gpu.errors import RenderSizeError

pytestmark = pytest.mark.gpu

BG = (0.0, 0.0, 0.2, 1.0)
W = H = 64


def _dot(settings=None, color=(1.0, 0.5, 0.25, 1.0), x=0.5, first_frame_only=True):
    """One disc of radius 0.1 world units (6.4 px at 64 x 64) at (x, 0.5), drawn at t = 0 only
    (opacity 0 afterwards) unless ``first_frame_only`` is False."""
    blocks = [
        blk("arr", "Array", count=1),
        blk("lay", "CircleLayout", radius=0.0, centerX=x),
        blk("paint", "ApplyOpacity", color=list(color)),
        blk("draw", "RenderInstances2D", size=5.0),
    ]
    edges = [
        edge("arr.elements", "lay.elements"),
        edge("lay.position", "draw.pos"),
        edge("paint.out", "draw.color"),
    ]
    if first_frame_only:
        blocks.append(blk("first", "Expression", expression="in0 < 0.5 ? 1.0 : 0.0"))
        edges += [edge("time.tMs", "first.in0"), edge("first.out", "paint.opacity")]
    p = make_patch(blocks, edges)
    p["settings"] = {"background": list(BG), "size": [W, H], **(settings or {})}
    return p


def _bg8() -> np.ndarray:
    return np.round(np.asarray(BG) * 255)


def _expected(i0: np.ndarray, t: float, k: int) -> np.ndarray:
    return i0.astype(float) * t**k + _bg8() * (1 - t**k)


@pytest.mark.parametrize("t", [0.5, 0.8])
def test_a_dot_drawn_once_fades_as_t_to_the_k(device, t):
    rt = osc.Runtime(osc.compile(_dot({"trails": t})))
    rt.step(0.0)
    i0 = rt.render(W, H)
    assert tuple(i0[32, 32]) == (255, 128, 64, 255)  # fully covered centre: the dot's colour
    for k in range(1, 8):
        rt.step(k * 16.0)
        img = rt.render(W, H)
        np.testing.assert_allclose(img.astype(float), _expected(i0, t, k), atol=2.0, err_msg=f"frame {k}")
    assert tuple(img[2, 2]) == tuple(_bg8())  # far from the dot: the background throughout


def test_trails_zero_is_todays_image_and_builds_no_history(device):
    for settings in ({}, {"trails": 0}):
        prog = osc.compile(_dot(settings, first_frame_only=False))
        assert prog.trails == 0.0
        rt = osc.Runtime(prog)
        assert rt._history is None  # no extra pass, no per-frame drawing
        rt.step(0.0)
        a = rt.render(W, H)
        rt.step(16.0)  # today: every frame starts from the background, so frame 1 = frame 0
        np.testing.assert_array_equal(rt.render(W, H), a)
        np.testing.assert_array_equal(rt.render(100, 80).shape, (80, 100, 4))  # any size renders


def test_trails_render_the_same_whether_or_not_frames_are_read(device):
    """The previous frame is drawn every step, read or not: frame 5 is the same either way."""
    patch = _dot({"trails": 0.7, "feedback": {"zoom": 1.1, "rotate": 0.2}})
    a = osc.Runtime(osc.compile(patch))
    b = osc.Runtime(osc.compile(patch))
    for k in range(6):
        a.step(k * 16.0)
        b.step(k * 16.0)
        b.render(W, H)
    np.testing.assert_array_equal(a.render(W, H), b.render(W, H))


def test_reset_clears_the_trails(device):
    rt = osc.Runtime(osc.compile(_dot({"trails": 0.9}, first_frame_only=False, x=0.3)))
    fresh = osc.Runtime(osc.compile(_dot({"trails": 0.9}, first_frame_only=False, x=0.3)))
    fresh.step(0.0)
    first = fresh.render(W, H)
    for k in range(5):
        rt.step(k * 16.0)
    assert not np.array_equal(rt.render(W, H), first)  # the dot accumulated over 5 frames
    rt.reset()
    rt.step(0.0)
    np.testing.assert_array_equal(rt.render(W, H), first)


def test_trails_survive_a_hot_swap_of_the_same_size(device):
    t = 0.5
    rt = osc.Runtime(osc.compile(_dot({"trails": t})))
    rt.step(0.0)
    i0 = rt.render(W, H)
    rt.step(16.0)
    # the new program draws nothing visible (a dot elsewhere, transparent) with the same trails
    rt.swap(osc.compile(_dot({"trails": t}, color=(0.0, 1.0, 0.0, 0.0), x=0.1)))
    for k in (2, 3):
        rt.step(k * 16.0)
        np.testing.assert_allclose(rt.render(W, H).astype(float), _expected(i0, t, k), atol=2.0)


def test_a_swap_to_another_size_or_without_trails_starts_from_the_background(device):
    rt = osc.Runtime(osc.compile(_dot({"trails": 0.9}, first_frame_only=False)))
    rt.step(0.0)
    rt.swap(osc.compile(_dot({"trails": 0.9, "size": [32, 32]}, color=(0, 0, 0, 0))))
    assert rt.size == (32, 32)
    rt.step(16.0)
    img = rt.render(32, 32)
    assert (img == _bg8()).all()  # a transparent dot over the new, cleared history
    rt.swap(osc.compile(_dot({}, color=(0, 0, 0, 0))))
    assert rt._history is None
    rt.step(32.0)
    assert (rt.render(16, 16) == _bg8()).all()


def test_a_feedback_offset_of_one_pixel_moves_the_afterimage_one_pixel_per_frame(device):
    t = 0.9
    rt = osc.Runtime(osc.compile(_dot({"trails": t, "feedback": {"offset": [1.0 / W, 0.0]}})))
    rt.step(0.0)
    i0 = rt.render(W, H)
    for k in range(1, 6):
        rt.step(k * 16.0)
        img = rt.render(W, H)
        moved = np.full_like(i0, 0)
        moved[:] = _bg8()
        moved[:, k:] = i0[:, : W - k]  # the frame-0 image shifted right by k pixels, B where it left
        np.testing.assert_allclose(img.astype(float), _expected(moved, t, k), atol=2.0, err_msg=f"frame {k}")


def test_feedback_zoom_about_the_centre_keeps_the_centre_and_grows_the_dot(device):
    rt = osc.Runtime(osc.compile(_dot({"trails": 0.9, "feedback": {"zoom": 2.0}})))
    rt.step(0.0)
    i0 = rt.render(W, H)
    rt.step(16.0)
    img = rt.render(W, H)
    covered = lambda im: (im[..., 0] > 128).sum()  # noqa: E731
    assert 3.5 * covered(i0) < covered(img) < 4.5 * covered(i0)  # area x zoom^2 = 4
    assert img[32, 32, 0] > 200  # the centre stays


def test_render_of_another_size_with_trails_is_a_clear_error(device):
    rt = osc.Runtime(osc.compile(_dot({"trails": 0.5})))
    rt.step(0.0)
    with pytest.raises(RenderSizeError, match=r"render at 64x64.*settings\.size"):
        rt.render(128, 128)
    assert rt.render(W, H).shape == (H, W, 4)  # and the runtime goes on
    rt.step(16.0)


def test_runtime_size_overrides_settings_size(device):
    rt = osc.Runtime(osc.compile(_dot({"trails": 0.5})), size=(40, 30))
    assert rt.size == (40, 30)
    rt.step(0.0)
    img = rt.render(40, 30)
    assert tuple(img[15, 20]) == (255, 128, 64, 255)
    with pytest.raises(RenderSizeError):
        rt.render(W, H)


@pytest.mark.parametrize(
    ("size", "error"),
    [((0, 10), RenderSizeError), ((10.0, 10), TypeError), ("512", TypeError), ((1, 2, 3), TypeError)],
)
def test_bad_runtime_size_is_a_clear_error(device, size, error):
    with pytest.raises(error, match="size"):
        osc.Runtime(osc.compile(_dot({"trails": 0.5})), size=size)


@pytest.mark.parametrize("bloom", [None, {"radius": 0.05}])
def test_a_window_shows_the_trails_image_and_rescales_it_to_its_own_size(device, bloom):
    from oscilla.drawing.offscreen import OffscreenTarget

    settings = {"trails": 0.5, **({"bloom": bloom} if bloom else {})}
    rt = osc.Runtime(osc.compile(_dot(settings)))
    same, small = OffscreenTarget(rt.device, W, H), OffscreenTarget(rt.device, 32, 32)
    for target in (same, small):
        rt.attach_target(lambda t=target: (t.view, t.width, t.height), fmt="rgba8unorm")
        rt.step(0.0 if target is same else 16.0)
        shown = target.read()
        if target is same:
            np.testing.assert_array_equal(shown, rt.render(W, H))  # the window shows what render returns
        else:  # half size: the dot's centre, faded once, at the centre of the window
            np.testing.assert_allclose(
                shown[16, 16].astype(float), _expected(np.array([255, 128, 64, 255]), 0.5, 1), atol=3
            )
            np.testing.assert_allclose(shown[1, 1].astype(float), _bg8(), atol=1)
