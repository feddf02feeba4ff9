"""What the issue-3 examples claim to do, checked against formulas computed here."""

import numpy as np
import pytest
from support.paths import ROOT

import oscilla as osc

pytestmark = pytest.mark.gpu


def _load(name):
    return osc.load_patch(ROOT / "examples" / f"{name}.json")


@pytest.mark.parametrize("runtime_cls", [osc.Runtime, osc.ReferenceRuntime], ids=["gpu", "reference"])
def test_mouse_spiral_centre_follows_the_mouse_while_over(runtime_cls):
    program = osc.compile(_load("mouse-spiral"), observe=["centre.out", "radius0.out", "polar.pos"])
    rt = runtime_cls(program)
    rt.step(0.0)
    np.testing.assert_allclose(rt.read("centre.out"), [0.5, 0.5], atol=1e-7)  # mouse.over = 0: centred
    rt.set_input("mouse.x", 0.3)
    rt.set_input("mouse.y", 0.8)
    rt.set_input("mouse.over", 1.0)
    rt.step(16.0)
    np.testing.assert_allclose(rt.read("centre.out"), [0.3, 0.8], atol=1e-6)
    np.testing.assert_allclose(rt.read("radius0.out"), 0.15 + 0.3 * 0.8, atol=1e-6)  # mouse.y scales it
    pos = rt.read("polar.pos")
    assert abs(pos[0, 0] - 0.3) < 1e-6 and abs(pos[0, 1] - 0.8) < 1e-6  # lane 0 has radius 0


@pytest.mark.parametrize("runtime_cls", [osc.Runtime, osc.ReferenceRuntime], ids=["gpu", "reference"])
def test_reduce_centroid_marker_sits_on_the_cloud_centroid(runtime_cls):
    program = osc.compile(_load("reduce-centroid"), observe=["drift.posOut", "centroid.signal", "ring.out"])
    rt = runtime_cls(program)
    for t in (0.0, 700.0, 1900.0):
        rt.step(t)
        cloud = rt.read("drift.posOut").astype(np.float64)
        np.testing.assert_allclose(rt.read("centroid.signal"), cloud.mean(axis=0), atol=2e-6)
        marker = rt.read("ring.out")
        assert np.abs(marker[:, :2] - cloud.mean(axis=0)[:2]).max() <= 0.025 + 1e-6  # JitterVec amounts


def test_camera_orbit_uses_a_perspective_camera_and_renders():
    program = osc.compile(_load("camera-orbit"))
    assert program.sinks[0].camera is not None
    rt = osc.Runtime(program)
    rt.step(0.0)
    img = rt.render(160, 160)
    assert (img[..., :3].max(axis=-1) > 40).mean() > 0.01


def test_star_paths_fill_star_polygons():
    program = osc.compile(_load("star-paths"))
    assert program.sinks[0].path is not None
    assert program.slot_meta[program.sinks[0].path].lanes == 10  # 2 · points control points
    rt = osc.Runtime(program)
    rt.step(0.0)
    img = rt.render(200, 200)
    lit = img[..., :3].max(axis=-1) > 40
    assert 0.02 < lit.mean() < 0.5


@pytest.mark.parametrize("runtime_cls", [osc.Runtime, osc.ReferenceRuntime], ids=["gpu", "reference"])
def test_shape_select_cycles_ellipse_rect_star_by_lane(runtime_cls):
    program = osc.compile(_load("shape-select"), observe=["pick.shape"])
    rt = runtime_cls(program)
    rt.step(500.0)
    shapes = rt.read("pick.shape").astype(np.float64)
    table = np.array(  # the example's Ellipse, Rect and ProceduralStar, as (kind, a, b, rotation, cornerRadius)
        [(0.0, 0.032, 0.022, 0.0, 0.0), (1.0, 0.06, 0.04, 0.0, 0.008), (2.0, 0.0, 0.0, 0.0, 0.0)], np.float32
    )
    np.testing.assert_array_equal(shapes, table[np.arange(35) % 3].astype(np.float64))
