"""Instanced SDF renderer (oscilla.drawing.instances) against docs/language/rendering.md (viewport, geometry,
compositing).

Each test builds a ValueStore-like f32 storage buffer by hand (``support.builders.Scene``: numpy ->
wgpu, with SlotMeta and SinkSpec records), renders into an OffscreenTarget and compares with
expectations computed here: hand-picked pixel centres that are >= 1 px inside (fully covered) or
>= 1 px outside (untouched) and, for whole images, an independent numpy rasterizer (exact
distances; the ellipse distance by dense boundary sampling) that composites lane by lane with 8-bit
rounding like the framebuffer.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

wgpu = pytest.importorskip("wgpu")

from support.builders import Scene  # noqa: E402
from support.geometry import assert_close_image, to_px  # noqa: E402

from oscilla.program import SlotMeta  # noqa: E402

pytestmark = pytest.mark.gpu

NAN, INF = float("nan"), float("inf")


def render(device, scene: Scene, w: int, h: int, background=(0.0, 0.0, 0.0, 1.0)) -> np.ndarray:
    """The (H, W, 4) uint8 image of ``scene`` rendered offscreen."""
    return scene.render(device, w, h, background)[0]


# ---------------------------------------------------------------- independent numpy model (docs/language/rendering.md)


def ellipse_distance(px, py, rx, ry):
    """Signed distance (pixels) to an ellipse with semi-axes rx, ry: the nearest of 2000 boundary
    samples, refined by Newton steps on the angle parameter (an exact distance, unlike f/|grad f|)."""
    if rx == ry:
        return np.hypot(px, py) - rx
    t = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    bx, by = rx * np.cos(t), ry * np.sin(t)
    x, y = px.ravel(), py.ravel()
    th = np.empty(len(x))
    for k in range(0, len(x), 1024):
        d2 = (x[k : k + 1024, None] - bx) ** 2 + (y[k : k + 1024, None] - by) ** 2
        th[k : k + 1024] = t[d2.argmin(1)]
    for _ in range(8):  # minimise |B(th) - p|^2: f = (B - p).B', f' = |B'|^2 + (B - p).B''
        c, s = np.cos(th), np.sin(th)
        ex, ey = rx * c - x, ry * s - y
        f = -ex * rx * s + ey * ry * c
        fp = (rx * s) ** 2 + (ry * c) ** 2 - ex * rx * c - ey * ry * s
        th = th - f / np.where(np.abs(fp) > 1e-12, fp, 1e-12)
    d = np.hypot(x - rx * np.cos(th), y - ry * np.sin(th)).reshape(px.shape)
    inside = (px / rx) ** 2 + (py / ry) ** 2 < 1
    return np.where(inside, -d, d)


def rect_distance(px, py, hw, hh, r):
    qx, qy = np.abs(px) - hw + r, np.abs(py) - hh + r
    return np.hypot(np.maximum(qx, 0), np.maximum(qy, 0)) + np.minimum(np.maximum(qx, qy), 0) - r


def model(scene: Scene, w: int, h: int, background=(0, 0, 0, 1)) -> np.ndarray:
    """Expected image: per lane coverage, straight-alpha over, 8-bit rounding after each lane."""
    img = np.empty((h, w, 4))
    img[:] = np.round(np.clip(np.nan_to_num(np.asarray(background, float), nan=0.0), 0, 1) * 255) / 255
    s = min(w, h)
    ys, xs = np.mgrid[0:h, 0:w] + 0.5
    for sk in scene.sinks:
        kind, a, b, srot, cr = scene.lane(sk, "shape", 0)
        scale = scene.lane(sk, "scale", 0)[0]
        for i in range(sk.lanes):
            x, y = scene.lane(sk, "pos", i)[:2]
            size = scene.lane(sk, "size", i)[0]
            rot = scene.lane(sk, "rotation", i)[0]
            if not all(np.isfinite([x, y, size, rot, scale])):
                continue
            g = abs(scale * size) * s
            th = srot + rot
            cx, cy = to_px(x, y, w, h)
            ext = (max(abs(a), abs(b)) * g) + 3
            x0, x1 = int(max(0, math.floor(cx - ext))), int(min(w, math.ceil(cx + ext)))
            y0, y1 = int(max(0, math.floor(cy - ext))), int(min(h, math.ceil(cy + ext)))
            if x0 >= x1 or y0 >= y1:
                continue
            dx, dy = xs[y0:y1, x0:x1] - cx, ys[y0:y1, x0:x1] - cy
            lx = math.cos(th) * dx + math.sin(th) * dy  # R(theta)^-1 (dx, dy)
            ly = -math.sin(th) * dx + math.cos(th) * dy
            if kind > 0.5:
                hw, hh = abs(a) * g / 2, abs(b) * g / 2
                d = rect_distance(lx, ly, hw, hh, min(max(cr * g, 0), hw, hh))
            else:
                d = ellipse_distance(lx, ly, abs(a) * g, abs(b) * g)
            cov = np.clip(0.5 - d, 0, 1)
            col = np.clip(np.nan_to_num(scene.lane(sk, "color", i), nan=0.0), 0, 1)
            al = (col[3] * cov)[..., None]
            region = img[y0:y1, x0:x1]
            new = np.empty_like(region)
            new[..., :3] = col[:3] * al + region[..., :3] * (1 - al)
            new[..., 3:] = al + region[..., 3:] * (1 - al)
            img[y0:y1, x0:x1] = np.where(cov[..., None] > 0, np.round(new * 255) / 255, region)
    return np.round(img * 255).astype(np.uint8)


# ---------------------------------------------------------------- tests


def test_loader_and_module_compile(device):
    from oscilla.shaders import load_wgsl, shader_source

    src = load_wgsl("instances")
    assert "fn vs_main" in src and "fn fs_main" in src
    assert load_wgsl("instances.wgsl") == src
    # naga validation (structs Frame and Sink come from oscilla/abi/uniforms.py)
    full = shader_source("instances")
    assert full.endswith(src) and "struct Sink {" in full and "struct Sink {" not in src
    device.create_shader_module(code=full)


def test_w16_viewport_and_ellipse_radius(device):
    """W16: 800x600, S = 600; rx = 0.02 -> 12 px; (0.5,0.5)->(400,300), (0,0)->(100,0), (1,1)->(700,600)."""
    sc = Scene()
    sc.sink([[0.5, 0.5], [0.0, 0.0], [1.0, 1.0]], color=(1, 0, 0, 1))
    img = render(device, sc, 800, 600)
    red = img[..., 0]

    def at(px, py):  # value of the pixel whose centre is (px, py)
        return red[int(math.floor(py)), int(math.floor(px))]

    # centre (400, 300): along x and y, 10.5 px (>= 1 px inside) covered, 13.5 px untouched
    for dx, dy in [(1, 0), (-1, 0), (0, 1), (0, -1)]:
        assert at(400 + 10.5 * dx, 300 + 10.5 * dy) == 255
        assert at(400 + 13.5 * dx, 300 + 13.5 * dy) == 0
        assert at(400 + 10.5 * dx + 0.5 * dy, 300 + 10.5 * dy + 0.5 * dx) == 255
    # nothing more than 13 px from any centre is touched, everything within 11 px is full
    ys, xs = np.mgrid[0:600, 0:800] + 0.5
    dist = np.min([np.hypot(xs - cx, ys - cy) for cx, cy in [(400, 300), (100, 0), (700, 600)]], 0)
    assert (red[dist >= 13] == 0).all()
    assert (red[dist <= 11] == 255).all()
    # (0,0) -> (100, 0) and (1,1) -> (700, 600): only the quarter inside the image shows
    assert at(110.5, 0.5) == 255 and at(89.5, 0.5) == 255 and at(113.5, 0.5) == 0 and at(86.5, 0.5) == 0
    assert at(100.5, 10.5) == 255 and at(100.5, 13.5) == 0
    assert at(689.5, 599.5) == 255 and at(686.5, 599.5) == 0 and at(699.5, 586.5) == 0
    assert (img[..., 3] == 255).all() and (img[..., 1:3] == 0).all()
    assert_close_image(img, model(sc, 800, 600), tol=1)


def test_antialiased_edge_half_coverage(device):
    """A pixel centre exactly on the edge (d = 0) gets coverage 0.5."""
    sc = Scene()
    # centre at pixel (400.5, 300.5): pixel 412's centre is 12 px away along x
    sc.sink([[0.5 + 0.5 / 600, 0.5 + 0.5 / 600]], color=(1, 1, 1, 1))
    img = render(device, sc, 800, 600)
    assert abs(int(img[300, 412, 0]) - 127.5) <= 1
    assert img[300, 411, 0] == 255 and img[300, 413, 0] == 0  # d = -1, +1
    assert abs(int(img[300, 388, 0]) - 127.5) <= 1


@pytest.mark.parametrize("bg", [(0.2, 0.4, 0.6, 0.8), (0.0, 0.0, 0.0, 1.0), (1.5, -1.0, NAN, 1.0)])
def test_background_clear(device, bg):
    sc = Scene()
    sc.sink([[5.0, 5.0]])  # off screen
    img = render(device, sc, 64, 32, bg)
    want = np.round(np.clip(np.nan_to_num(np.array(bg), nan=0.0), 0, 1) * 255).astype(np.uint8)
    assert img.shape == (32, 64, 4)
    assert (img == want).all()


def test_empty_sink_list_clears(device):
    from oscilla.drawing.instances import InstanceRenderer
    from oscilla.drawing.offscreen import OffscreenTarget

    buf = device.create_buffer(size=16, usage=wgpu.BufferUsage.STORAGE)
    r = InstanceRenderer(device, buf, [], [])
    t = OffscreenTarget(device, 8, 8)
    enc = device.create_command_encoder()
    r.encode(enc, t.view, 8, 8, (0, 1, 0, 1))
    device.queue.submit([enc.finish()])
    assert (t.read() == [0, 255, 0, 255]).all()


@pytest.mark.parametrize("rot", [0.0, math.pi / 2])
def test_rect_extents_and_rotation(device, rot):
    """Rect width 0.1 x height 0.04 at 200x200 (S = 200): 20 x 8 px; 90 degrees swaps them."""
    sc = Scene()
    sc.sink([[0.5, 0.5]], color=(0, 1, 0, 1), shape=(1, 0.1, 0.04, rot, 0))
    img = render(device, sc, 200, 200)
    g = img[..., 1]
    hx, hy = (10, 4) if rot == 0 else (4, 10)
    c = 100  # centre pixel corner (100, 100)
    # >= 1 px inside along each axis
    assert g[c, c + hx - 2] == 255 and g[c, c - hx + 1] == 255  # centres hx-1.5 from the centre
    assert g[c + hy - 2, c] == 255 and g[c - hy + 1, c] == 255
    # >= 1 px outside
    assert g[c, c + hx + 1] == 0 and g[c, c - hx - 2] == 0
    assert g[c + hy + 1, c] == 0 and g[c - hy - 2, c] == 0
    # the covered bounding box is exactly the extents (edges lie on pixel boundaries)
    ys, xs = np.nonzero(g == 255)
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (c - hx, c + hx - 1, c - hy, c + hy - 1)
    assert (g > 0).sum() == (2 * hx) * (2 * hy)
    assert_close_image(img, model(sc, 200, 200), tol=1)


def test_rect_corner_radius(device):
    """cornerRadius 0.05 on a 0.1 x 0.1 square (20 px) is a disc of radius 10 px; larger is clamped."""
    for cr in (0.05, 0.5):
        sc = Scene()
        sc.sink([[0.5, 0.5]], shape=(1, 0.1, 0.1, 0, cr))
        img = render(device, sc, 200, 200)
        assert img[108, 108, 0] == 0  # corner centre (108.5, 108.5): 12.0 px from the centre
        assert img[106, 106, 0] == 255  # 9.2 px from the centre
        assert_close_image(img, model(sc, 200, 200), tol=1)
    sc = Scene()
    sc.sink([[0.5, 0.5]], shape=(1, 0.1, 0.1, 0, 0.0))
    assert render(device, sc, 200, 200)[108, 108, 0] == 255
    sc = Scene()
    sc.sink([[0.5, 0.5]], shape=(1, 0.1, 0.1, 0, -0.3))  # negative radius -> 0 (square corners)
    assert render(device, sc, 200, 200)[109, 109, 0] == 255


def test_per_lane_size_and_rotation(device):
    """Field size and rotation: g = scale * size_i, theta = shape.rotation + rotation_i."""
    sc = Scene()
    pos = [[0.2, 0.25], [0.5, 0.25], [0.8, 0.25], [0.2, 0.75], [0.5, 0.75], [0.8, 0.75]]
    size = [1.0, 2.0, 0.5, 1.5, 1.0, 3.0]
    rot = [0.0, math.pi / 2, math.pi / 4, 0.3, -1.0, math.pi]
    sc.sink(
        pos[:3],
        size=size[:3],
        rotation=rot[:3],
        scale=1.5,
        shape=(1, 0.08, 0.03, 0.0, 0.004),
        color=(1, 1, 0, 1),
        field_size=True,
        field_rotation=True,
    )
    sc.sink(
        pos[3:],
        size=size[3:],
        rotation=rot[3:],
        scale=1.0,
        shape=(0, 0.04, 0.015, 0.2, 0),
        color=(0, 1, 1, 1),
        field_size=True,
        field_rotation=True,
    )
    img = render(device, sc, 400, 400)
    assert_close_image(img, model(sc, 400, 400), tol=2)
    # lane 1 (size 2, 90 degrees): rect 0.08*1.5*2*400 = 96 px wide, turned upright
    cx, cy = 200, 100
    assert img[cy + 44, cx, 0] == 255 and img[cy + 50, cx, 0] == 0
    assert img[cy, cx + 16, 0] == 255 and img[cy, cx + 20, 0] == 0
    # lane 2 (size 0.5, 45 degrees): half-length 0.08*1.5*0.5*400/2 = 12 px along the diagonal
    cx, cy = 320, 100
    d = 9 / math.sqrt(2)  # 9 px along the rotated long axis (positive turns clockwise: +x -> +x+y)
    assert img[int(cy + d), int(cx + d), 0] == 255
    assert img[int(cy - d), int(cx + d) - 1, 0] == 0
    # lane 3 (ellipse, size 1.5): semi-axes 24 x 9 px rotated by 0.5 rad
    cx, cy = 80, 300
    th = 0.2 + 0.3
    for r_, want in ((22.5, 255), (25.5, 0)):
        x, y = cx + r_ * math.cos(th), cy + r_ * math.sin(th)
        assert img[int(y), int(x), 1] == want


def test_straight_alpha_over(device):
    """C <- c a + C (1 - a), A <- a + A (1 - a), over a semi-transparent background."""
    bg = (0.1, 0.2, 0.3, 0.5)
    c1, c2 = (1.0, 0.5, 0.0, 0.5), (0.0, 0.25, 1.0, 0.6)
    sc = Scene()
    sc.sink([[0.4, 0.5], [0.6, 0.5]], color=[c1, c2], shape=(1, 0.4, 0.4, 0, 0), field_color=True)
    img = render(device, sc, 100, 100, bg)

    def over(dst, c):
        a = c[3]
        return np.array(
            [
                c[0] * a + dst[0] * (1 - a),
                c[1] * a + dst[1] * (1 - a),
                c[2] * a + dst[2] * (1 - a),
                a + dst[3] * (1 - a),
            ]
        )

    only1 = over(np.array(bg), c1)
    both = over(only1, c2)
    only2 = over(np.array(bg), c2)
    for (py, px), want in (((50, 25), only1), ((50, 50), both), ((50, 75), only2), ((5, 50), np.array(bg))):
        got = img[py, px].astype(int)
        assert np.abs(got - want * 255).max() <= 1.0 + 1e-6, (px, got, want * 255)
    assert_close_image(img, model(sc, 100, 100, bg), tol=1)


def test_nonfinite_lanes_not_drawn(device):
    sc = Scene()
    pos = [[NAN, 0.5], [0.5, INF], [-INF, NAN], [0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]]
    size = [1, 1, 1, INF, 1, NAN, 1]
    rot = [0, 0, 0, 0, NAN, 0, -INF]
    sc.sink(
        pos,
        size=size,
        rotation=rot,
        color=(1, 1, 1, 1),
        shape=(0, 0.1, 0.1, 0, 0),
        field_size=True,
        field_rotation=True,
    )
    sc.sink([[0.5, 0.5]], color=(0, 0, 1, 1), scale=NAN, shape=(1, 0.1, 0.1, 0, 0))  # scale NaN
    sc.sink([[0.5, 0.5]], color=(0, 0, 1, 1), scale=INF, shape=(1, 0.1, 0.1, 0, 0))  # scale inf
    img = render(device, sc, 128, 128)
    assert (img == [0, 0, 0, 255]).all()


def test_valid_lanes_drawn_next_to_nonfinite_ones(device):
    sc = Scene()
    sc.sink([[NAN, 0.5], [0.5, 0.5], [0.5, NAN]], size=[1, 1, INF], field_size=True, shape=(0, 0.1, 0.1, 0, 0))
    img = render(device, sc, 128, 128)
    assert_close_image(img, model(sc, 128, 128), tol=1)
    assert img[64, 64, 0] == 255 and img[5, 5, 0] == 0


def test_nan_colour_component_counts_as_zero(device):
    sc = Scene()
    cols = [(NAN, 1.0, 0.5, 1.0), (2.0, -1.0, INF, 1.0), (1.0, 1.0, 1.0, NAN), (0.0, NAN, 1.0, 0.5)]
    sc.sink(
        [[0.125, 0.5], [0.375, 0.5], [0.625, 0.5], [0.875, 0.5]],
        color=cols,
        field_color=True,
        shape=(1, 0.2, 0.2, 0, 0),
    )
    img = render(device, sc, 200, 50, (0.0, 0.0, 0.0, 0.0))

    # 200 x 50: S = 50; world x 0.125 -> 100 + (0.125 - 0.5) * 50 = 81.25 px
    def px(x):
        return int(100 + (x - 0.5) * 50)

    assert img[25, px(0.125)].tolist() == [0, 255, 128, 255]
    assert img[25, px(0.375)].tolist() == [255, 0, 255, 255]
    assert img[25, px(0.625)].tolist() == [0, 0, 0, 0]  # alpha NaN -> 0: no effect
    assert np.abs(img[25, px(0.875)].astype(int) - [0, 0, 128, 128]).max() <= 1


def test_lane_and_sink_order(device):
    sc = Scene()
    sc.sink([[0.45, 0.5], [0.55, 0.5]], color=[(1, 0, 0, 1), (0, 1, 0, 1)], field_color=True, shape=(0, 0.1, 0.1, 0, 0))
    sc.sink([[0.5, 0.3]], color=(0, 0, 1, 1), shape=(1, 0.1, 0.3, 0, 0))
    img = render(device, sc, 100, 100)
    assert img[50, 50].tolist() == [0, 255, 0, 255]  # lane 1 over lane 0
    assert img[50, 40].tolist() == [255, 0, 0, 255]  # only lane 0
    assert img[35, 50].tolist() == [0, 0, 255, 255]  # sink 1 over sink 0
    assert img[42, 46].tolist() == [0, 0, 255, 255]
    assert_close_image(img, model(sc, 100, 100), tol=1)


def test_signal_colour_broadcast(device):
    """A colour signal (lane stride 0) colours every lane; vec3 positions (z ignored) work too."""
    sc = Scene()
    sp = sc.sink([[0.2, 0.5, 3.0], [0.5, 0.5, -7.0], [0.8, 0.5, 0.0]], color=(0.2, 0.6, 1.0, 1.0))
    assert sc.metas[sp.color].instance is None and sc.metas[sp.pos].stride == 3
    img = render(device, sc, 100, 100)
    want = np.round(np.array([0.2, 0.6, 1.0, 1.0]) * 255)
    for x in (20, 50, 80):
        assert (img[50, x].astype(int) == want).all()
    assert_close_image(img, model(sc, 100, 100), tol=1)


@pytest.mark.parametrize(
    "w,h,world,pixel",
    [
        (300, 100, (0.0, 0.5), (100, 50)),  # S = 100: x = 150 - 50
        (300, 100, (1.0, 0.5), (200, 50)),
        (100, 300, (0.5, 0.0), (50, 100)),  # portrait: y = 150 - 50
        (100, 300, (0.5, 1.0), (50, 200)),
    ],
)
def test_non_square_mapping(device, w, h, world, pixel):
    sc = Scene()
    sc.sink([world], shape=(1, 0.1, 0.1, 0, 0))  # 10 x 10 px square centred on the pixel corner
    img = render(device, sc, w, h)
    px, py = pixel
    r = img[..., 0]
    assert r[py, px + 3] == 255 and r[py, px - 4] == 255 and r[py + 3, px] == 255 and r[py - 4, px] == 255
    assert r[py, px + 6] == 0 and r[py, px - 7] == 0 and r[py + 6, px] == 0 and r[py - 7, px] == 0
    ys, xs = np.nonzero(r)
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (px - 5, px + 4, py - 5, py + 4)


def test_ten_thousand_instances(device):
    rng = np.random.default_rng(7)
    n = 10_000
    pos = rng.uniform(0, 1, (n, 2))
    cols = np.concatenate([rng.uniform(0, 1, (n, 3)), rng.uniform(0.3, 1, (n, 1))], 1)
    sc = Scene()
    sc.sink(
        pos, color=cols, size=rng.uniform(0.5, 1.5, n), shape=(0, 0.004, 0.004, 0, 0), field_color=True, field_size=True
    )
    img = render(device, sc, 256, 256)
    assert img.shape == (256, 256, 4)
    assert (img[..., 3] == 255).all()
    assert (img[..., :3].max(-1) > 0).mean() > 0.2
    assert_close_image(img, model(sc, 256, 256), tol=2, max_bad=img.shape[0] * img.shape[1] // 1000)


def test_built_once_and_size_uniform_written_on_change(device):
    from oscilla.drawing import instances as R
    from oscilla.drawing.offscreen import OffscreenTarget

    sc = Scene()
    sc.sink([[0.5, 0.5]])
    sc.sink([[0.25, 0.5], [0.75, 0.5]])
    buf = sc.buffer(device)
    r1 = R.InstanceRenderer(device, buf, sc.metas, sc.sinks)
    r2 = R.InstanceRenderer(device, buf, sc.metas, sc.sinks)
    assert r1._pipeline is r2._pipeline and r1.draw_count == 2

    class CountingQueue:
        def __init__(self, q):
            self.q, self.writes = q, 0

        def write_buffer(self, *a, **k):
            self.writes += 1
            return self.q.write_buffer(*a, **k)

    class Dev:
        def __init__(self, d):
            self.queue = CountingQueue(d.queue)

    r1.device = Dev(device)
    targets = {s: OffscreenTarget(device, *s) for s in [(64, 48), (32, 32)]}
    for size in [(64, 48), (64, 48), (64, 48), (32, 32), (32, 32), (64, 48)]:
        enc = device.create_command_encoder()
        r1.encode(enc, targets[size].view, *size)
        device.queue.submit([enc.finish()])
    assert r1.device.queue.writes == 3
    img = targets[(64, 48)].read()
    assert_close_image(img, model(sc, 64, 48), tol=1)


def test_rejects_bad_slots(device):
    from oscilla.drawing.instances import InstanceRenderer

    sc = Scene()
    sp = sc.sink([[0.5, 0.5]])
    buf = sc.buffer(device)
    metas = list(sc.metas)
    m = metas[sp.color]
    metas[sp.color] = SlotMeta(m.slot, m.name, "i32", m.offset, m.stride, m.lanes)
    with pytest.raises(ValueError, match="i32"):
        InstanceRenderer(device, buf, metas, sc.sinks)
    metas = list(sc.metas)
    m = metas[sp.shape]
    metas[sp.shape] = SlotMeta(m.slot, m.name, "f32", m.offset, 4, m.lanes)
    with pytest.raises(ValueError, match="stride"):
        InstanceRenderer(device, buf, metas, sc.sinks)
