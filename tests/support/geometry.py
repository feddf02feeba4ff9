"""Independent float64 models of what the renderer draws (docs/language/rendering.md): camera resolution
and projection (#camera), the nonzero fill and 1 px anti-aliasing of path shapes (#anti-aliasing), straight-alpha
compositing, and image comparisons. Nothing here calls oscilla; scenes are built with
``support.builders.Scene``.
"""

from __future__ import annotations

import math

import numpy as np

#: Per-input fallbacks of docs/language/rendering.md#camera for non-finite camera inputs.
FALLBACK = dict(
    projection=0, centerX=0.5, centerY=0.5, distance=2.0, tiltDeg=0.0, yawDeg=0.0, fovYDeg=45.0, near=0.01, far=100.0
)


def resolve_camera(cam: dict) -> dict:
    """Camera resolution (docs/language/rendering.md#camera): per-input fallback for non-finite values, then
    sanitising."""
    c = {k: (float(v) if math.isfinite(float(v)) else float(FALLBACK[k])) for k, v in cam.items()}
    yaw = c["yawDeg"] % 360.0
    near = max(c["near"], 1e-6)
    return dict(
        persp=math.trunc(c["projection"]) == 1,
        cx=min(max(c["centerX"], 0.0), 1.0),
        cy=min(max(c["centerY"], 0.0), 1.0),
        d=max(c["distance"], 1e-4),
        tilt=math.radians(min(max(c["tiltDeg"], -89.9), 89.9)),
        yaw=math.radians(yaw),
        fov=math.radians(min(max(c["fovYDeg"], 1.0), 179.0)),
        near=near,
        far=max(c["far"], near + 1e-6),
    )


def camera_basis(rc: dict):
    t = np.array([rc["cx"], rc["cy"], 0.0])
    ct, st = math.cos(rc["tilt"]), math.sin(rc["tilt"])
    eye = t + rc["d"] * np.array([ct * math.sin(rc["yaw"]), st, ct * math.cos(rc["yaw"])])
    f = (t - eye) / np.linalg.norm(t - eye)
    r = np.cross(f, [0.0, 1.0, 0.0])
    r /= np.linalg.norm(r)
    u = np.cross(r, f)
    return eye, r, u, f


def project(cam: dict, point) -> tuple[float, float, float, float, bool]:
    """(screen x, screen y, depth, k, visible) of a world point under ``cam`` (raw inputs)."""
    rc = resolve_camera(cam)
    x, y, z = (list(point) + [0.0])[:3]
    if not rc["persp"]:
        return x, y, (z + 100.0) / 200.0, 1.0, -100.0 <= z <= 100.0
    eye, r, u, f = camera_basis(rc)
    v = np.array([x, y, z]) - eye
    zv = float(v @ f)
    h = math.tan(rc["fov"] / 2)
    sx = float(v @ r) / (zv * h) * 0.5 + 0.5
    sy = float(v @ u) / (zv * h) * 0.5 + 0.5
    depth = (zv - rc["near"]) / (rc["far"] - rc["near"])
    return sx, sy, depth, 0.5 / (zv * h), zv > 0 and rc["near"] <= zv <= rc["far"]


def to_px(x, y, w, h):
    s = min(w, h)
    return w / 2 + (x - 0.5) * s, h / 2 + (y - 0.5) * s


def polygon_points(n, rx, ry):
    """The n control points (n, 2) of a ProceduralPolygon (docs/language/rendering.md#paths): an ellipse's radii rx,
    ry, lane 0 at the top (y down), counter-clockwise on screen."""
    a = 2 * np.pi * np.arange(n) / n - np.pi / 2
    return np.stack([rx * np.cos(a), ry * np.sin(a)], 1)


def star_points(points, outer, inner):
    """The 2 * points control points (2 * points, 2) of a ProceduralStar (docs/language/rendering.md#paths),
    alternating outer and inner radius, lane 0 at the top."""
    n = 2 * points
    r = np.where(np.arange(n) % 2 == 0, outer, inner)
    a = 2 * np.pi * np.arange(n) / n - np.pi / 2
    return np.stack([r * np.cos(a), r * np.sin(a)], 1)


def polygon_sdf(px, py, verts):
    """Signed distance (pixels) from points (px, py) to the closed polygon ``verts`` (pixels),
    negative inside by the nonzero winding rule. float64, exact."""
    px, py = np.asarray(px, float), np.asarray(py, float)
    wind = np.zeros(px.shape, int)
    dmin = np.full(px.shape, np.inf)
    n = len(verts)
    for j in range(n):
        ax, ay = verts[j - 1]
        bx, by = verts[j]
        ex, ey = bx - ax, by - ay
        wx, wy = px - ax, py - ay
        t = np.clip((wx * ex + wy * ey) / max(ex * ex + ey * ey, 1e-300), 0.0, 1.0)
        dmin = np.minimum(dmin, np.hypot(wx - ex * t, wy - ey * t))
        side = ex * wy - ey * wx
        up = (ay <= py) & (by > py) & (side > 0)
        down = (ay > py) & (by <= py) & (side < 0)
        wind += up.astype(int) - down.astype(int)
    return np.where(wind != 0, -dmin, dmin)


def path_pixels(center_px, ctl, g_px, theta):
    """The control points of a path element in pixels: p + R(theta)(l) g (g in pixels/unit)."""
    c, s = math.cos(theta), math.sin(theta)
    ctl = np.asarray(ctl, float)
    return [(center_px[0] + (c * lx - s * ly) * g_px, center_px[1] + (s * lx + c * ly) * g_px) for lx, ly in ctl]


def composite(img, coverage, color):
    """Straight-alpha over of ``color`` with alpha = a * coverage onto a float RGBA image in place."""
    a = color[3] * coverage
    for ch in range(3):
        img[..., ch] = color[ch] * a + img[..., ch] * (1 - a)
    img[..., 3] = a + img[..., 3] * (1 - a)


def model_paths(w, h, elements, background=(0, 0, 0, 1)):
    """An RGBA8 image of path elements [(center_px, ctl, g_px, theta, color)] drawn in order."""
    img = np.empty((h, w, 4))
    img[:] = background
    py, px = np.mgrid[0:h, 0:w] + 0.5
    for center, ctl, g_px, theta, color in elements:
        d = polygon_sdf(px, py, path_pixels(center, ctl, g_px, theta))
        composite(img, np.clip(0.5 - d, 0, 1), color)
    return np.round(np.clip(img, 0, 1) * 255).astype(np.uint8)


def assert_close_image(got, want, tol=2, max_bad=0):
    diff = np.abs(got.astype(int) - want.astype(int))
    bad = np.argwhere(diff.max(-1) > tol)
    assert len(bad) <= max_bad, (
        f"{len(bad)} pixels differ by more than {tol}; first (row, col): "
        f"{[(tuple(p), got[tuple(p)].tolist(), want[tuple(p)].tolist()) for p in bad[:5]]}"
    )


def centroid(img, cx, cy, r=10):
    """Coverage-weighted centroid (pixel coordinates) of the red channel in a window around (cx, cy)."""
    x0, y0 = int(cx) - r, int(cy) - r
    win = img[y0 : y0 + 2 * r, x0 : x0 + 2 * r, 0].astype(float)
    ys, xs = np.mgrid[0 : 2 * r, 0 : 2 * r] + 0.5
    m = win.sum()
    assert m > 0, f"nothing drawn near ({cx}, {cy})"
    return x0 + (win * xs).sum() / m, y0 + (win * ys).sum() / m
