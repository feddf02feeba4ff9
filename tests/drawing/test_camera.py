"""Camera (docs/language/rendering.md#camera, #example-perspective, E_CAMERA_MULTIPLE): projection, culling, far-to-near
stable order and size factor k, checked through the renderer's projection/order buffers and
rendered pixels against an independent float64 model (tests/support/geometry.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from support.builders import DEFAULT_CAMERA, Scene, blk, edge, make_patch
from support.geometry import camera_basis, centroid, project, resolve_camera, to_px

import oscilla as osc

pytestmark = pytest.mark.gpu

NAN, INF = float("nan"), float("inf")

# W15 rows: world point -> (screen x, screen y, depth, k)
W15 = [
    ((0.5, 0.5, 0.0), (0.5, 0.5, 0.00860086, 0.995431)),
    ((0.6, 0.5, 0.0), (0.599543, 0.5, 0.00860086, 0.995431)),
    ((0.5, 0.6, 0.0), (0.5, 0.587296, 0.00802723, 1.06569)),
    ((0.5, 0.5, 0.1), (0.5, 0.43697, 0.00778163, 1.0989)),
]
RED, GREEN, BLUE = (1, 0, 0, 1), (0, 1, 0, 1), (0, 0, 1, 1)


def close(a, b, tol=2e-5):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.all(np.abs(a - b) <= np.maximum(tol, tol * np.abs(b)))


def along_sight(cam: dict, alphas):
    """World points t + alpha (c - t) on the line from the target to the camera (all project to
    the target's screen position; z_v = (1 - alpha) d)."""
    rc = resolve_camera(cam)
    eye = camera_basis(rc)[0]
    t = np.array([rc["cx"], rc["cy"], 0.0])
    return [tuple(t + a * (eye - t)) for a in alphas]


# ------------------------------------------------------------------ the model itself against W15


def test_model_matches_w15():
    rc = resolve_camera(DEFAULT_CAMERA)
    assert close(camera_basis(rc)[0], (0.5, 0.999011, 0.712662))
    for point, want in W15:
        sx, sy, depth, k, vis = project(DEFAULT_CAMERA, point)
        assert vis and close((sx, sy, depth, k), want)
    sx, sy, _, k, _ = project({**DEFAULT_CAMERA, "tiltDeg": 45, "yawDeg": 30}, (0.75, 0.5, 0))
    assert close((sx, sy), (0.739889, 0.402066)) and abs(k - 1.108) < 5e-4


# ------------------------------------------------------------------ W15 on the GPU


def test_w15_projection_buffer(device):
    sc = Scene()
    cam = sc.set_camera()
    sc.sink([p for p, _ in W15], shape=(0, 0.004, 0.004, 0, 0), color=RED)
    _, r = sc.render(device, 64, 64)
    proj = r.read_projection(0)
    for i, (point, want) in enumerate(W15):
        sx, sy, depth, k, _ = project(cam, point)
        assert close(proj[i], (sx, sy, k, depth), 1e-5), (i, proj[i])
        assert close(proj[i], (want[0], want[1], want[3], want[2]))
    # the last point is nearer, so it is drawn after the first (rows 0, 1 tie: lane order)
    assert r.read_order(0).tolist() == [0, 1, 2, 3]
    resolved = r.read_camera()
    assert resolved[0, 0] == 1.0 and close(resolved[1, :3], (0.5, 0.999011, 0.712662))


def test_w15_tilt45_yaw30(device):
    sc = Scene()
    cam = sc.set_camera(tiltDeg=45, yawDeg=30)
    sc.sink([(0.75, 0.5, 0.0), (0.25, 0.5, 0.0)])
    _, r = sc.render(device, 16, 16)
    proj = r.read_projection(0)
    assert close(proj[0, :2], (0.739889, 0.402066)) and abs(proj[0, 2] - 1.108) < 5e-4
    depths = []
    for i, p in enumerate([(0.75, 0.5, 0.0), (0.25, 0.5, 0.0)]):
        sx, sy, depth, k, _ = project(cam, p)
        assert close(proj[i], (sx, sy, k, depth), 1e-5)
        depths.append(depth)
    # the yawed camera sits on the +x side: (0.25, 0.5) is farther and drawn first
    assert depths[1] > depths[0] and r.read_order(0).tolist() == [1, 0]


def test_w15_dot_positions(device):
    """Small dots land at the projected pixel positions (coverage centroid within 0.1 px)."""
    w = h = 400
    sc = Scene()
    cam = sc.set_camera()
    pts = [p for p, _ in W15] + [(0.75, 0.5, 0.0)]
    sc.sink(pts[:4], shape=(0, 0.004, 0.004, 0, 0), color=RED)
    img, _ = sc.render(device, w, h)
    for p in pts[:4]:
        sx, sy, _, _, _ = project(cam, p)
        ex, ey = to_px(sx, sy, w, h)
        gx, gy = centroid(img, ex, ey)
        assert abs(gx - ex) < 0.1 and abs(gy - ey) < 0.1, (p, (gx, gy), (ex, ey))
    sc = Scene()
    cam = sc.set_camera(tiltDeg=45, yawDeg=30)
    sc.sink([pts[4]], shape=(0, 0.004, 0.004, 0, 0), color=RED)
    img, _ = sc.render(device, w, h)
    ex, ey = to_px(0.739889, 0.402066, w, h)
    gx, gy = centroid(img, ex, ey)
    assert abs(gx - ex) < 0.1 and abs(gy - ey) < 0.1


def test_k_scales_sizes(device):
    """Perspective: an ellipse's radius in pixels is rx * scale * size * k * S (docs/language/rendering.md#geometry)."""
    w = h = 400
    for scale, size in ((1.0, 1.0), (2.0, 0.5)):
        sc = Scene()
        cam = sc.set_camera()
        sc.sink([(0.5, 0.6, 0.0)], shape=(0, 0.05, 0.05, 0, 0), scale=scale, size=size, color=RED)
        img, _ = sc.render(device, w, h)
        sx, sy, _, k, _ = project(cam, (0.5, 0.6, 0.0))
        assert abs(k - 1.06569) < 2e-5
        cx, cy = to_px(sx, sy, w, h)
        rad = 0.05 * scale * size * k * min(w, h)  # 21.31 px (20 px without k)
        row = int(cy)
        dy = row + 0.5 - cy
        for sign in (-1, 1):
            inside = int(cx + sign * math.sqrt((rad - 1.2) ** 2 - dy * dy))
            outside = int(cx + sign * math.sqrt((rad + 1.2) ** 2 - dy * dy))
            assert img[row, inside, 0] == 255, (inside, img[row, inside])
            assert img[row, outside, 0] == 0, (outside, img[row, outside])
        # without k the edge would sit 1.3 px further in: that pixel is covered
        assert img[row, int(cx + 0.05 * scale * size * min(w, h) + 0.2), 0] == 255


# ------------------------------------------------------------------ order


def test_far_to_near_perspective(device):
    sc = Scene()
    cam = sc.set_camera()
    pts = along_sight(cam, [0.3, -0.5, 0.0])  # lane 0 nearest, lane 1 farthest
    sc.sink(pts, shape=(0, 0.03, 0.03, 0, 0), color=[RED, GREEN, BLUE])
    img, r = sc.render(device, 100, 100)
    assert r.read_order(0).tolist() == [1, 2, 0]
    assert img[50, 50].tolist() == [255, 0, 0, 255]  # the nearest (red) is drawn last


def test_far_to_near_orthographic(device):
    """Ortho depth = (z + 100)/200 grows with z: a larger z is drawn first (the reference formula)."""
    sc = Scene()
    sc.set_camera(projection=0)
    sc.sink(
        [(0.5, 0.5, 10.0), (0.5, 0.5, 50.0), (0.5, 0.5, -20.0)], shape=(0, 0.1, 0.1, 0, 0), color=[RED, GREEN, BLUE]
    )
    img, r = sc.render(device, 40, 40)
    assert r.read_order(0).tolist() == [1, 0, 2]
    assert img[20, 20].tolist() == [0, 0, 255, 255]
    proj = r.read_projection(0)
    assert close(proj[:, 3], [0.55, 0.75, 0.4], 1e-6) and (proj[:, 2] == 1).all()
    assert close(proj[:, :2], [[0.5, 0.5]] * 3, 1e-7)


def test_stable_ties(device):
    colors = [RED, GREEN, BLUE, (1, 1, 0, 1), (0, 1, 1, 1), (1, 0, 1, 1)]
    sc = Scene()
    sc.set_camera(projection=0)
    sc.sink([(0.5, 0.5, z) for z in (1, 0, 1, 0, 1, 0)], shape=(0, 0.2, 0.2, 0, 0), color=colors)
    img, r = sc.render(device, 20, 20)
    assert r.read_order(0).tolist() == [0, 2, 4, 1, 3, 5]
    assert img[10, 10].tolist() == [255, 0, 255, 255]
    # perspective: points on one row share the depth exactly (yaw 0) and keep lane order
    sc = Scene()
    sc.set_camera()
    sc.sink([(0.4, 0.5, 0), (0.6, 0.5, 0), (0.5, 0.5, 0), (0.45, 0.5, 0)], color=colors[:4])
    _, r = sc.render(device, 20, 20)
    assert r.read_order(0).tolist() == [0, 1, 2, 3]


def test_sinks_never_mix(device):
    """The far lane of the second sink still covers the near lane of the first sink."""
    sc = Scene()
    sc.set_camera(projection=0)
    sc.sink([(0.5, 0.5, -90.0)], shape=(0, 0.2, 0.2, 0, 0), color=RED)
    sc.sink([(0.5, 0.5, 90.0)], shape=(0, 0.2, 0.2, 0, 0), color=GREEN)
    img, r = sc.render(device, 20, 20)
    assert img[10, 10].tolist() == [0, 255, 0, 255]
    assert r.read_order(0).tolist() == [0] and r.read_order(1).tolist() == [0]


# ------------------------------------------------------------------ culling


def test_cull_orthographic_range(device):
    zs = [100.0, 100.5, -100.0, -100.5, 0.0, NAN, INF]
    xs = np.linspace(0.1, 0.9, len(zs))
    sc = Scene()
    sc.set_camera(projection=0)
    sc.sink([(x, 0.5, z) for x, z in zip(xs, zs)], shape=(0, 0.05, 0.05, 0, 0), color=RED)
    img, r = sc.render(device, 200, 50)
    order = r.read_order(0).tolist()
    assert order == [0, 4, 2]  # depth 1, 0.5, 0 (far first)
    for i, x in enumerate(xs):
        px, py = to_px(x, 0.5, 200, 50)
        assert img[int(py), int(px), 0] == (255 if i in order else 0), i


def test_cull_perspective_behind_near_far(device):
    cam = dict(near=0.2, far=1.5)
    sc = Scene()
    cam = sc.set_camera(**cam)
    # z_v = (1 - alpha) * 0.87: 1.74 (> far), 1.305, 0.87, 0.261, 0.087 (< near), -0.435 (behind)
    alphas = [-1.0, -0.5, 0.0, 0.7, 0.9, 1.5]
    pts = along_sight(cam, alphas)
    sc.sink(pts, shape=(0, 0.001, 0.001, 0, 0))
    _, r = sc.render(device, 20, 20)
    vis = [i for i, p in enumerate(pts) if project(cam, p)[4]]
    assert vis == [1, 2, 3]
    assert r.read_order(0).tolist() == [1, 2, 3]
    # the lanes in front of near / behind the camera have finite projections but negative depth
    proj = r.read_projection(0)
    assert np.isfinite(proj[4:]).all() and (proj[4:, 3] < 0).all()


def test_all_culled_draws_nothing(device):
    sc = Scene()
    sc.set_camera(projection=0)
    sc.sink([(0.5, 0.5, 500.0)] * 3, shape=(0, 0.3, 0.3, 0, 0))
    img, r = sc.render(device, 10, 10)
    assert r.read_order(0).tolist() == [] and (img[..., :3] == 0).all()


# ------------------------------------------------------------------ resolution: fallback, sanitising


@pytest.mark.parametrize(
    "params",
    [
        dict(distance=NAN, fovYDeg=INF),  # per-input fallback: distance 2, fov 45
        dict(projection=NAN, tiltDeg=-INF),  # projection falls back to ortho
        dict(tiltDeg=NAN, yawDeg=NAN, centerX=NAN, near=NAN, far=NAN),
        dict(
            tiltDeg=120.0, yawDeg=-30.0, fovYDeg=0.5, near=-1.0, far=-5.0, centerX=2.0, centerY=-1.0, projection=1.9
        ),  # sanitised; trunc(1.9) = 1: perspective
        dict(yawDeg=725.0, tiltDeg=-89.95, fovYDeg=200.0, distance=-3.0),
        dict(projection=2.0),  # ortho
        dict(projection=-0.5),  # trunc -> -0: ortho
    ],
)
def test_camera_resolution(device, params):
    pts = [(0.3, 0.4, 0.0), (0.7, 0.6, 0.05), (0.5, 0.5, -0.2), (0.52, 0.48, 0.0)]
    sc = Scene()
    cam = sc.set_camera(**params)
    sc.sink(pts, shape=(0, 0.001, 0.001, 0, 0))
    _, r = sc.render(device, 16, 16)
    proj = r.read_projection(0)
    rc = resolve_camera(cam)
    got = r.read_camera()
    assert got[0, 0] == (1.0 if rc["persp"] else 0.0)
    if rc["persp"]:
        eye, right, up, fwd = camera_basis(rc)
        assert close(got[1:, :3], [eye, right, up, fwd], 1e-5)
        assert close(got[0, 1:], [math.tan(rc["fov"] / 2), rc["near"], rc["far"]], 1e-5)
    want_order = []
    for i, p in enumerate(pts):
        sx, sy, depth, k, vis = project(cam, p)
        assert close(proj[i], (sx, sy, k, depth), 1e-4), (i, proj[i], (sx, sy, k, depth))
        if vis:
            want_order.append((-depth, i))
    assert r.read_order(0).tolist() == [i for _, i in sorted(want_order)]


# ------------------------------------------------------------------ scale: 100k lanes, determinism


def test_sort_100k_lanes_matches_numpy_and_is_deterministic(device):
    n = 100_000
    rng = np.random.default_rng(7)
    z = np.round(rng.uniform(-130, 130, n), 1)  # many ties; about 23% culled
    z[::997] = NAN
    pos = np.stack([rng.uniform(0, 1, n), rng.uniform(0, 1, n), z], 1)
    sc = Scene()
    sc.set_camera(projection=0)
    sc.sink(pos, shape=(0, 0.001, 0.001, 0, 0))
    _, r = sc.render(device, 32, 32)
    order = r.read_order(0)
    z32 = pos[:, 2].astype(np.float32)
    vis = np.flatnonzero((z32 >= -100) & (z32 <= 100))
    depth = r.read_projection(0)[:, 3]
    want = vis[np.lexsort((vis, -depth[vis]))]
    assert np.array_equal(order, want)
    # the depth itself is (z + 100)/200
    assert np.allclose(depth[vis], (z32[vis].astype(float) + 100) / 200, atol=1e-6)
    # re-running the pass gives the identical order
    enc = device.create_command_encoder()
    r.encode_camera(enc)
    device.queue.submit([enc.finish()])
    assert np.array_equal(r.read_order(0), want)
    assert r.compute_dispatches == 14


# ------------------------------------------------------------------ no camera: unchanged


def test_without_camera_z_is_ignored_and_lane_order_kept(device):
    sc = Scene()
    sc.sink([(0.5, 0.5, 500.0), (0.5, 0.5, -3.0)], shape=(0, 0.2, 0.2, 0, 0), color=[RED, GREEN])
    img, r = sc.render(device, 20, 20)
    assert r.compute_dispatches == 0
    assert img[10, 10].tolist() == [0, 255, 0, 255]
    with pytest.raises(ValueError, match="no camera"):
        r.read_order(0)


# ------------------------------------------------------------------ the Camera block in patches


def _dot_patch(point, cam_params=None, cameras=1, **draw):
    blocks = [
        blk("arr", "Array", count=1),
        blk("p", "Const", value=list(point)),
        blk("b", "Broadcast"),
        blk("shape", "Ellipse", rx=0.004, ry=0.004),
        blk("draw", "RenderInstances2D", color=[1, 0, 0, 1], **draw),
    ]
    for c in range(cameras):
        blocks.append(blk(f"cam{c}", "Camera", **(cam_params or {})))
    edges = [
        edge("p.out", "b.signal"),
        edge("b.field", "draw.pos"),
        edge("arr.index", "draw.size"),
        edge("shape.shape", "draw.shape"),
    ]
    return make_patch(blocks, edges)


def test_camera_block_defaults_and_render(device):
    # size = index + 1 would be nicer; index 0 -> size 0 hides the dot, so feed size from t (0.5)
    patch = _dot_patch((0.5, 0.6, 0.0))
    patch["edges"][2] = edge("arr.t", "draw.size")
    prog = osc.compile(patch)
    (sink,) = prog.sinks
    assert sink.camera is not None
    meta = prog.slot_meta[sink.camera]
    assert meta.stride == 9 and meta.instance is None and meta.storage == "f32"
    rt = osc.Runtime(prog)
    rt.step(0.0)
    packed = rt.values.read(sink.camera).reshape(-1)
    assert np.allclose(
        packed,
        [
            DEFAULT_CAMERA[k]
            for k in ("projection", "centerX", "centerY", "distance", "tiltDeg", "yawDeg", "fovYDeg", "near", "far")
        ],
    )
    img = rt.render(400, 400)
    ex, ey = to_px(0.5, 0.587296, 400, 400)
    gx, gy = centroid(img, ex, ey)
    assert abs(gx - ex) < 0.1 and abs(gy - ey) < 0.1


def test_camera_block_wired_inputs(device):
    """tiltDeg/yawDeg from Const blocks (unit degrees from the consumer), W15's tilt 45 yaw 30 row."""
    patch = _dot_patch((0.75, 0.5, 0.0))
    patch["edges"][2] = edge("arr.t", "draw.size")
    patch["blocks"] += [blk("tilt", "Const", value=45), blk("yaw", "Const", value=30)]
    patch["edges"] += [edge("tilt.out", "cam0.tiltDeg"), edge("yaw.out", "cam0.yawDeg")]
    rt = osc.Runtime(osc.compile(patch))
    rt.step(0.0)
    img = rt.render(400, 400)
    ex, ey = to_px(0.739889, 0.402066, 400, 400)
    gx, gy = centroid(img, ex, ey)
    assert abs(gx - ex) < 0.1 and abs(gy - ey) < 0.1
    # orthographic through an inline param: the dot is at its world (x, y)
    patch = _dot_patch((0.75, 0.5, 30.0), {"projection": 0})
    patch["edges"][2] = edge("arr.t", "draw.size")
    rt = osc.Runtime(osc.compile(patch))
    rt.step(0.0)
    gx, gy = centroid(rt.render(400, 400), 300, 200)
    assert abs(gx - 300) < 0.1 and abs(gy - 200) < 0.1


def test_camera_applies_to_every_sink():
    patch = _dot_patch((0.5, 0.5, 0.0))
    patch["blocks"].append(blk("draw2", "RenderInstances2D"))
    patch["edges"].append(edge("b.field", "draw2.pos"))
    prog = osc.compile(patch)
    assert len(prog.sinks) == 2 and prog.sinks[0].camera == prog.sinks[1].camera is not None
    assert all(s.camera is None for s in osc.compile(_dot_patch((0.5, 0.5, 0.0), cameras=0)).sinks)


@pytest.mark.parametrize("n", [2, 3])
def test_camera_multiple(n):
    with pytest.raises(osc.CompileError) as e:
        osc.compile(_dot_patch((0.5, 0.5, 0.0), cameras=n))
    diags = [(d.code, d.severity, d.block) for d in e.value.diagnostics]
    assert diags == [("E_CAMERA_MULTIPLE", "error", f"cam{c}") for c in range(1, n)]


def test_camera_params_validated():
    with pytest.raises(osc.CompileError) as e:
        osc.compile(_dot_patch((0.5, 0.5, 0.0), {"projection": 0.5, "fov": 3}))
    codes = sorted((d.code, d.port) for d in e.value.diagnostics)
    assert codes == [("E_PARAM_INVALID", "projection"), ("E_UNKNOWN_PARAM", "fov")]
