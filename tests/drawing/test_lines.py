"""RenderLines2D (docs/language/rendering.md#lines), checked against distances computed here.

For every pixel centre q of the target the expected picture is computed in float64 from the
viewport mapping (S = min(W, H); world (x, y) -> pixel (W/2 + (x - 0.5) S, H/2 + (y - 0.5) S)) and
the segments the connect mode defines (pairs a_i -> b_i, strip a_i -> a_(i+1), loop the strip plus
a_(N-1) -> a_0): d = the signed distance in pixels to the nearest segment's box (butt) or capsule
(round), half width h = width S / 2. A pixel with d <= -1 is exactly the line colour, one with
d >= 1 exactly the background. Segments come both from hand-built ValueStores (Scene: NaN and
infinite endpoints) and from compiled patches.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from support.builders import Scene, blk, edge, make_patch

import oscilla as osc
from oscilla.program import SinkSpec

pytestmark = pytest.mark.gpu

COLOR = (1.0, 0.5, 0.0, 1.0)
COLOR8 = np.array([255, 128, 0, 255], np.uint8)
BG8 = np.array([0, 0, 0, 255], np.uint8)


def _to_px(p, w: int, h: int) -> np.ndarray:
    s = min(w, h)
    return np.array([w / 2 + (p[0] - 0.5) * s, h / 2 + (p[1] - 0.5) * s], np.float64)


def _segments(a, b, connect: str) -> list[tuple[np.ndarray, np.ndarray]]:
    a = [np.asarray(p, np.float64)[:2] for p in a]
    if connect == "pairs":
        pairs = list(zip(a, [np.asarray(p, np.float64)[:2] for p in b], strict=True))
    else:
        pairs = [(a[i], a[i + 1]) for i in range(len(a) - 1)]
        if connect == "loop" and len(a) >= 3:
            pairs.append((a[-1], a[0]))
    return [(p, q) for p, q in pairs if np.isfinite(p).all() and np.isfinite(q).all()]


def expected_distance(segments, width: float, cap: str, w: int, h: int) -> np.ndarray:
    """(H, W) signed distance in pixels from each pixel centre to the nearest segment."""
    ys, xs = np.mgrid[0:h, 0:w] + 0.5
    hw = width * min(w, h) / 2
    best = np.full((h, w), np.inf)
    for a, b in segments:
        p0, p1 = _to_px(a, w, h), _to_px(b, w, h)
        e = p1 - p0
        length = math.hypot(*e)
        rx, ry = xs - p0[0], ys - p0[1]
        if cap == "round":
            t = np.clip((rx * e[0] + ry * e[1]) / (length * length), 0, 1) if length > 0 else 0.0
            d = np.hypot(rx - e[0] * t, ry - e[1] * t) - hw
        else:
            if length == 0:
                continue
            ux, uy = e / length
            along = np.abs(rx * ux + ry * uy - length / 2) - length / 2
            across = np.abs(-rx * uy + ry * ux) - hw
            d = np.hypot(np.maximum(along, 0), np.maximum(across, 0)) + np.minimum(np.maximum(along, across), 0)
        best = np.minimum(best, d)
    return best


def check_image(img: np.ndarray, d: np.ndarray) -> None:
    inside, outside = d <= -1.0, d >= 1.0
    assert inside.sum() > 50, "the test scene must cover pixels"
    assert (img[inside] == COLOR8).all(), f"{(img[inside] != COLOR8).any(axis=1).sum()} inside pixels not covered"
    assert (img[outside] == BG8).all(), f"{(img[outside] != BG8).any(axis=1).sum()} outside pixels touched"


def line_scene(a, b=None, *, connect="pairs", cap="butt", width=0.03, color=COLOR) -> Scene:
    """A Scene with one line sink: a (and b) per lane, width and color signals."""
    sc = Scene()
    n = len(a)
    pa = sc.slot(np.asarray(a, np.float64), len(a[0]), "i0")
    pb = sc.slot(np.asarray(b, np.float64), len(b[0]), "i0") if b is not None else None
    wslot = sc.slot([[width]], 1)
    cslot = sc.slot([list(color)], 4)
    sc.sinks.append(
        SinkSpec(
            block="lines",
            instance="i0",
            lanes=n,
            pos=pa,
            pos_stride=len(a[0]),
            color=cslot,
            size=wslot,
            rotation=wslot,
            scale=wslot,
            shape=wslot,
            kind="lines",
            b=pb,
            connect=connect,
            cap=cap,
        )
    )
    return sc


A3 = [[0.2, 0.25, 0.0], [0.75, 0.4, 0.0], [0.4, 0.8, 0.0]]
B3 = [[0.8, 0.2, 0.0], [0.6, 0.85, 0.0], [0.15, 0.5, 0.0]]


@pytest.mark.parametrize("connect", ["pairs", "strip", "loop"])
@pytest.mark.parametrize("cap", ["butt", "round"])
def test_coverage_against_the_distance(device, connect, cap):
    w, h = 160, 120
    sc = line_scene(A3, B3 if connect == "pairs" else None, connect=connect, cap=cap, width=0.04)
    img = sc.render(device, w, h, (0.0, 0.0, 0.0, 1.0))[0]
    check_image(img, expected_distance(_segments(A3, B3, connect), 0.04, cap, w, h))


def test_loop_adds_the_closing_segment_and_strip_does_not(device):
    w = h = 100
    strip = line_scene(A3, connect="strip").render(device, w, h, (0, 0, 0, 1))[0]
    loop = line_scene(A3, connect="loop").render(device, w, h, (0, 0, 0, 1))[0]
    # the midpoint of a_2 -> a_0, away from the other segments
    mid = _to_px((np.array(A3[2]) + np.array(A3[0])) / 2, w, h).astype(int)
    assert (loop[mid[1], mid[0]] == COLOR8).all()
    assert (strip[mid[1], mid[0]] == BG8).all()


def test_round_caps_extend_by_half_the_width(device):
    w = h = 200
    width = 0.1  # h = 10 px
    a, b = [[0.3, 0.5, 0.0]], [[0.7, 0.5, 0.0]]  # pixels x 60 .. 140 on row y = 100
    butt = line_scene(a, b, cap="butt", width=width).render(device, w, h, (0, 0, 0, 1))[0]
    rnd = line_scene(a, b, cap="round", width=width).render(device, w, h, (0, 0, 0, 1))[0]
    row = 100  # pixel centres at y = 100.5, 0.5 px below the axis
    # butt: ends at x = 60 / 140; round: at 50 / 150 (h = 10 px beyond each endpoint)
    assert (butt[row, 61] == COLOR8).all() and (butt[row, 58] == BG8).all()
    assert (butt[row, 138] == COLOR8).all() and (butt[row, 141] == BG8).all()
    assert (rnd[row, 51] == COLOR8).all() and (rnd[row, 48] == BG8).all()
    assert (rnd[row, 148] == COLOR8).all() and (rnd[row, 151] == BG8).all()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_segments_with_a_non_finite_endpoint_are_not_drawn(device, bad):
    w, h = 120, 120
    a = [[0.2, 0.2], [0.3, bad], [0.5, 0.5], [0.8, 0.5]]
    # strip: a0->a1 and a1->a2 touch the bad point, a2->a3 is drawn
    img = line_scene(a, connect="strip", width=0.05).render(device, w, h, (0, 0, 0, 1))[0]
    check_image(img, expected_distance(_segments(a, None, "strip"), 0.05, "butt", w, h))
    b = [[0.8, 0.2], [bad, 0.9], [0.5, 0.9], [0.2, 0.9]]
    img = line_scene(a, b, connect="pairs", width=0.05).render(device, w, h, (0, 0, 0, 1))[0]
    check_image(img, expected_distance(_segments(a, b, "pairs"), 0.05, "butt", w, h))


def test_sink_uniform_rejects_a_pairs_sink_without_b():
    from oscilla.drawing.lines import line_segments, line_uniform_bytes

    sc = line_scene(A3, connect="pairs")
    with pytest.raises(ValueError, match="needs the b slot"):
        line_uniform_bytes(sc.sinks[0], sc.metas)
    assert [line_segments(dataclasses.replace(sc.sinks[0], connect=c)) for c in ("pairs", "strip", "loop")] == [3, 2, 3]


# -- through patches ---------------------------------------------------------------------------------------------


def lines_patch(connect: str, *, cap: str = "butt", with_b: bool = True, **extra) -> dict:
    blocks = [
        blk("arr", "Array", count=3),
        blk("la", "LineLayout", x0=0.2, y0=0.3, x1=0.8, y1=0.7),
        blk("lb", "LineLayout", x0=0.8, y0=0.3, x1=0.5, y1=0.8),
        blk("draw", "RenderLines2D", connect=connect, cap=cap, width=0.05, color=list(COLOR), **extra),
    ]
    edges = [edge("arr.elements", "la.elements"), edge("arr.elements", "lb.elements"), edge("la.position", "draw.a")]
    if with_b:
        edges.append(edge("lb.position", "draw.b"))
    return make_patch(blocks, edges)


#: the LineLayout positions (t = i / (N - 1)) of lines_patch
LA = [[0.2, 0.3], [0.5, 0.5], [0.8, 0.7]]
LB = [[0.8, 0.3], [0.65, 0.55], [0.5, 0.8]]


@pytest.mark.parametrize("connect", ["pairs", "strip"])
@pytest.mark.parametrize("cap", ["butt", "round"])
def test_patch_draws_the_segments(device, connect, cap):
    rt = osc.Runtime(osc.compile(lines_patch(connect, cap=cap, with_b=connect == "pairs")))
    rt.step(0.0)
    img = rt.render(128, 128)
    check_image(img, expected_distance(_segments(LA, LB, connect), 0.05, cap, 128, 128))


def test_pairs_without_b_is_a_missing_input():
    with pytest.raises(osc.CompileError) as err:
        osc.compile(lines_patch("pairs", with_b=False))
    codes = [(d.code, d.block, d.port) for d in err.value.diagnostics]
    assert ("E_MISSING_INPUT", "draw", "b") in codes


@pytest.mark.parametrize("connect", ["strip", "loop"])
def test_strip_and_loop_need_no_b(connect):
    prog = osc.compile(lines_patch(connect, with_b=False))
    (sink,) = prog.sinks
    assert (sink.kind, sink.connect, sink.b) == ("lines", connect, None)


def test_lines_draw_between_shapes_in_patch_order(device):
    """A disc, then a line over it, then a smaller disc over the line: the patch order is the draw order."""
    patch = make_patch(
        [
            blk("arr", "Array", count=1),
            blk("lay", "LineLayout", x0=0.5, y0=0.5, x1=0.5, y1=0.5),
            blk("big", "Ellipse", rx=0.3, ry=0.3),
            blk("small", "Ellipse", rx=0.1, ry=0.1),
            blk("d1", "RenderInstances2D", color=[0.0, 0.0, 1.0, 1.0]),
            blk("la", "LineLayout", x0=0.1, y0=0.5, x1=0.9, y1=0.5),
            blk("arr2", "Array", count=2),
            blk("line", "RenderLines2D", connect="strip", width=0.1, color=[0.0, 1.0, 0.0, 1.0]),
            blk("d2", "RenderInstances2D", color=[1.0, 0.0, 0.0, 1.0]),
        ],
        [
            edge("arr.elements", "lay.elements"),
            edge("lay.position", "d1.pos"),
            edge("big.shape", "d1.shape"),
            edge("arr2.elements", "la.elements"),
            edge("la.position", "line.a"),
            edge("lay.position", "d2.pos"),
            edge("small.shape", "d2.shape"),
        ],
    )
    rt = osc.Runtime(osc.compile(patch))
    rt.step(0.0)
    img = rt.render(100, 100)
    assert tuple(img[50, 50, :3]) == (255, 0, 0)  # small disc on top
    assert tuple(img[50, 30, :3]) == (0, 255, 0)  # the line over the big disc
    assert tuple(img[30, 50, :3]) == (0, 0, 255)  # big disc where the line is not


# -- with a Camera (docs/language/rendering.md#lines: projected endpoints, width scaled by k) -------------------


def _projected(cam: dict, a, b, width: float):
    """The screen-space segments and width expected under ``cam``: each endpoint through the
    float64 camera model (support.geometry.project), width times the mean k of the endpoints."""
    from support.geometry import project

    segs, ks = [], []
    for p, q in zip(a, b, strict=True):
        pa, pb = project(cam, p), project(cam, q)
        assert pa[4] and pb[4], "the test segments must be visible"
        segs.append((np.array(pa[:2]), np.array(pb[:2])))
        ks.append((pa[3] + pb[3]) / 2)
    return segs, ks


def test_orthographic_camera_draws_where_the_2d_mapping_does(device):
    w, h = 160, 120
    a = [[0.2, 0.25, 40.0], [0.75, 0.4, -60.0], [0.4, 0.8, 0.0]]  # z within [-100, 100]: ignored
    b = [[0.8, 0.2, 0.0], [0.6, 0.85, 99.0], [0.15, 0.5, -99.0]]
    sc = line_scene(a, b, cap="round", width=0.04)
    sc.set_camera(projection=0)
    img, r = sc.render(device, w, h, (0.0, 0.0, 0.0, 1.0))
    assert r.compute_dispatches == 1  # the camera resolve runs for a line-only patch
    check_image(img, expected_distance(_segments(a, b, "pairs"), 0.04, "round", w, h))


def test_orthographic_camera_culls_segments_with_an_endpoint_outside_the_depth_range(device):
    w, h = 120, 120
    a = [[0.2, 0.3, 0.0], [0.2, 0.7, 150.0]]
    b = [[0.8, 0.3, 0.0], [0.8, 0.7, 0.0]]
    sc = line_scene(a, b, width=0.05)
    sc.set_camera(projection=0)
    img = sc.render(device, w, h, (0.0, 0.0, 0.0, 1.0))[0]
    check_image(img, expected_distance(_segments(a[:1], b[:1], "pairs"), 0.05, "butt", w, h))


@pytest.mark.parametrize("cap", ["butt", "round"])
def test_perspective_camera_projects_the_endpoints_and_scales_the_width(device, cap):
    from support.builders import DEFAULT_CAMERA

    w, h = 200, 160
    # a level segment (both ends at the same depth, one k) and one receding in z (k differs)
    a = [[0.25, 0.35, 0.0], [0.3, 0.6, 0.2]]
    b = [[0.75, 0.35, 0.0], [0.7, 0.65, -0.1]]
    width = 0.03
    sc = line_scene(a, b, cap=cap, width=width)
    sc.set_camera(**DEFAULT_CAMERA)
    img = sc.render(device, w, h, (0.0, 0.0, 0.0, 1.0))[0]
    segs, ks = _projected(DEFAULT_CAMERA, a, b, width)
    assert abs(ks[0] - 1.0) > 0.05  # the camera really scales the width
    d = np.minimum(*(expected_distance([s], width * k, cap, w, h) for s, k in zip(segs, ks, strict=True)))
    check_image(img, d)


def test_perspective_camera_skips_a_segment_behind_the_near_plane(device):
    from support.builders import DEFAULT_CAMERA
    from support.geometry import camera_basis, resolve_camera

    eye, _, _, f = camera_basis(resolve_camera(DEFAULT_CAMERA))
    behind = list(eye - 0.2 * f)  # z_v = -0.2
    w, h = 120, 120
    a = [[0.3, 0.4, 0.0], behind]
    b = [[0.7, 0.4, 0.0], [0.5, 0.6, 0.0]]
    sc = line_scene(a, b, width=0.03)
    sc.set_camera(**DEFAULT_CAMERA)
    img = sc.render(device, w, h, (0.0, 0.0, 0.0, 1.0))[0]
    segs, ks = _projected(DEFAULT_CAMERA, a[:1], b[:1], 0.03)
    check_image(img, expected_distance(segs, 0.03 * ks[0], "butt", w, h))


def test_camera_block_applies_to_a_line_only_patch(device):
    from support.builders import DEFAULT_CAMERA

    patch = lines_patch("pairs")
    patch["blocks"].append(blk("cam", "Camera", **DEFAULT_CAMERA))
    rt = osc.Runtime(osc.compile(patch))
    rt.step(0.0)
    img = rt.render(128, 128)
    a3 = [[*p, 0.0] for p in LA]
    b3 = [[*p, 0.0] for p in LB]
    segs, ks = _projected(DEFAULT_CAMERA, a3, b3, 0.05)
    d = np.min([expected_distance([s], 0.05 * k, "butt", 128, 128) for s, k in zip(segs, ks, strict=True)], axis=0)
    check_image(img, d)
