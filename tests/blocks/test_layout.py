"""Scattered and linear layouts (docs/language/fields-and-instances.md#layouts, #halton): GridLayoutUV, CircleLayoutUV,
LineLayoutUV and LinearLayout, on the GPU Runtime and on the ReferenceRuntime.

The Halton basis (docs/language/fields-and-instances.md#halton) is computed here independently with exact fractions:
uv_i = (φ₂(i+1), φ₃(i+1)), φ_b the radical inverse. GridLayoutUV positions depend only on the lane, so they are
computed on the host in float64 and rounded once: they must match bit for bit. The other layouts
compute on the GPU in f32 and are compared within the tolerance of docs/language/conventions.md#numerics (1e-5 absolute
or relative).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.formulas import TWO_PI, assert_bits_equal, assert_close, normalized_index
from support.reported import reported
from support.running import gpu_or_skip, run_frames

import oscilla as osc

TOL = 1e-5
N = 1000


def radical_inverse(n: int, base: int) -> Fraction:
    """φ_base(n) exactly: if n = Σ d_k base^k then φ(n) = Σ d_k base^-(k+1)."""
    out, scale = Fraction(0), Fraction(1, base)
    while n:
        n, d = divmod(n, base)
        out += d * scale
        scale /= base
    return out


def halton_uv(n_lanes: int) -> list[tuple[Fraction, Fraction]]:
    return [(radical_inverse(i + 1, 2), radical_inverse(i + 1, 3)) for i in range(n_lanes)]


def grid_uv_positions(n_lanes: int, cols: int, rows: int) -> np.ndarray:
    """GridLayoutUV from the exact uv, each coordinate rounded once to f32."""
    out = np.zeros((n_lanes, 3), np.float64)
    for i, (u, v) in enumerate(halton_uv(n_lanes)):
        col = min(math.floor(u * cols), cols - 1)
        row = min(math.floor(v * rows), rows - 1)
        out[i, 0] = float(Fraction(2 * col + 1, 2 * cols))
        out[i, 1] = float(Fraction(2 * row + 1, 2 * rows))
    return out.astype(np.float32)


def _layout_patch(n_lanes, layouts, edges=(), extra=(), **root):
    """Array ``a`` of ``n_lanes`` feeding every block of ``layouts``, plus ``extra`` blocks."""
    blocks = [blk("a", "Array", count=n_lanes)] + list(layouts) + list(extra)
    es = [edge("a.elements", f"{b['id']}.elements") for b in layouts] + list(edges)
    return make_patch(blocks, es, **root)


# -- W13 ----------------------------------------------------------------------------------------------
W13_UV = [(0.5, 0.333333), (0.25, 0.666667), (0.75, 0.111111), (0.125, 0.444444), (0.625, 0.777778), (0.375, 0.222222)]
W13_GRID4 = [(0.625, 0.375), (0.375, 0.625), (0.875, 0.125), (0.125, 0.375), (0.625, 0.875), (0.375, 0.125)]


def test_w13_halton_basis_matches_the_independent_radical_inverse():
    uv = halton_uv(6)
    assert_close(np.array(uv, np.float64), np.array(W13_UV), 2e-5, "W13 uv (test's own Halton)")


def test_w13_uv_and_grid_positions(runtime_cls):
    layouts = [blk("g", "GridLayoutUV", cols=4, rows=4), blk("l", "LineLayoutUV", x0=0.0, y0=0.0, x1=1.0, y1=1.0)]
    [r] = run_frames(runtime_cls, _layout_patch(6, layouts), ["g.position", "l.position"], [0.0])
    # LineLayoutUV from (0,0) to (1,1): (1-u)·0 + u·1 = u exactly, so it shows u
    assert_close(r["l.position"][:, 0], [u for u, _ in W13_UV], 2e-5, "W13 u")
    u = np.array([float(u) for u, _ in halton_uv(6)], np.float32)
    assert_bits_equal(r["l.position"][:, 0], u, "u = f32(φ₂(i+1))")
    expected = np.array([(x, y, 0.0) for x, y in W13_GRID4], np.float32)
    assert_bits_equal(r["g.position"], expected, "W13 GridLayoutUV cols = rows = 4")


# -- GridLayoutUV -------------------------------------------------------------------------------------
@pytest.mark.parametrize("cols, rows", [(5, 5), (7, 3), (1, 1), (16, 9), (10, 27)])
def test_grid_layout_uv_positions_are_exact(runtime_cls, cols, rows):
    params = {} if (cols, rows) == (5, 5) else {"cols": cols, "rows": rows}  # 5 x 5 is the default
    [r] = run_frames(runtime_cls, _layout_patch(N, [blk("g", "GridLayoutUV", **params)]), ["g.position"], [0.0])
    expected = grid_uv_positions(N, cols, rows)
    assert_bits_equal(r["g.position"], expected, f"GridLayoutUV {cols}x{rows}")
    # every cell centre is inside [0,1]² and several lanes share a cell once N > cols·rows
    cells = {tuple(p) for p in r["g.position"][:, :2].tolist()}
    assert len(cells) <= cols * rows


def test_grid_layout_uv_single_lane(runtime_cls):
    [r] = run_frames(runtime_cls, _layout_patch(1, [blk("g", "GridLayoutUV", cols=3, rows=3)]), ["g.position"], [0.0])
    # uv_0 = (0.5, 1/3): col = floor(1.5) = 1, row = floor(1) = 1 -> the centre cell
    assert_bits_equal(r["g.position"], np.array([[0.5, 0.5, 0.0]], np.float32), "N = 1")


@pytest.mark.parametrize(
    "params, port", [({"cols": 0}, "cols"), ({"rows": -2}, "rows"), ({"cols": 2.5}, "cols"), ({"rows": "4"}, "rows")]
)
def test_grid_layout_uv_params_are_validated(params, port):
    patch = _layout_patch(10, [blk("g", "GridLayoutUV", **params)])
    exc = reported(patch)
    assert [(d.code, d.block, d.port) for d in exc.value.diagnostics] == [("E_PARAM_INVALID", "g", port)]


def test_grid_layout_uv_cols_is_config_not_a_port():
    patch = _layout_patch(10, [blk("g", "GridLayoutUV")], [edge("k.out", "g.cols")], [blk("k", "Const", value=3)])
    exc = reported(patch)
    [d] = [d for d in exc.value.diagnostics if d.code == "E_UNKNOWN_PORT"]
    assert (d.block, d.port) == ("g", "cols") and "is a param, not a port" in d.message


# -- CircleLayoutUV and LineLayoutUV ----------------------------------------------------------------
def _u(n_lanes: int) -> np.ndarray:
    """u = f32(φ₂(i+1)) (the value the GPU computes with), as float64."""
    return np.array([float(u) for u, _ in halton_uv(n_lanes)], np.float32).astype(np.float64)


TIMES = (0.0, 1234.5, 2999.0)


def test_circle_layout_uv(runtime_cls):
    layouts = [blk("c", "CircleLayoutUV"), blk("c2", "CircleLayoutUV", radius=0.45, phase=0.3)]
    extra = [blk("rk", "Multiply", b=0.0002), blk("rad", "Add", b=0.1)]
    edges = [
        edge("time.phaseA", "c.phase"),
        edge("time.tMs", "rk.a"),
        edge("rk.out", "rad.a"),
        edge("rad.out", "c.radius"),
    ]
    patch = _layout_patch(N, layouts, edges, extra, periodAMs=1000)
    frames = run_frames(runtime_cls, patch, ["c.position", "c2.position", "time.phaseA", "rad.out"], TIMES)
    u = _u(N)
    for tm, r in zip(TIMES, frames):
        ph, rad = float(r["time.phaseA"]), float(r["rad.out"])
        assert_close(rad, 0.1 + 0.0002 * tm, TOL, "radius source")
        th = TWO_PI * (u + ph)
        exp = np.stack([0.5 + rad * np.cos(th), 0.5 + rad * np.sin(th), np.zeros(N)], 1)
        assert_close(r["c.position"], exp, TOL, f"CircleLayoutUV t={tm}")
    th = TWO_PI * (u + 0.3)
    exp = np.stack([0.5 + 0.45 * np.cos(th), 0.5 + 0.45 * np.sin(th), np.zeros(N)], 1)
    assert_close(frames[0]["c2.position"], exp, TOL, "CircleLayoutUV inline radius/phase")


def test_circle_layout_uv_defaults_first_lanes(runtime_cls):
    # u = 0.5, 0.25, 0.75, radius 0.3, phase 0: θ = π, π/2, 3π/2 -> left, below, above the centre
    [r] = run_frames(runtime_cls, _layout_patch(3, [blk("c", "CircleLayoutUV")]), ["c.position"], [0.0])
    assert_close(r["c.position"], [[0.2, 0.5, 0.0], [0.5, 0.8, 0.0], [0.5, 0.2, 0.0]], TOL, "CircleLayoutUV N=3")


def test_line_layout_uv(runtime_cls):
    layouts = [blk("l", "LineLayoutUV"), blk("l2", "LineLayoutUV", x0=0.9, y0=0.1, x1=0.3)]
    edges = [edge("time.phaseA", "l2.y1")]
    patch = _layout_patch(N, layouts, edges, periodAMs=1000)
    frames = run_frames(runtime_cls, patch, ["l.position", "l2.position", "time.phaseA"], TIMES)
    t = _u(N)
    exp = np.stack([(1 - t) * 0.2 + t * 0.8, (1 - t) * 0.2 + t * 0.8, np.zeros(N)], 1)
    assert_close(frames[0]["l.position"], exp, TOL, "LineLayoutUV defaults (0.2,0.2)-(0.8,0.8)")
    for tm, r in zip(TIMES, frames):
        y1 = float(r["time.phaseA"])
        exp = np.stack([(1 - t) * 0.9 + t * 0.3, (1 - t) * 0.1 + t * y1, np.zeros(N)], 1)
        assert_close(r["l2.position"], exp, TOL, f"LineLayoutUV t={tm}")


# -- LinearLayout -------------------------------------------------------------------------------------
@pytest.mark.parametrize("n_lanes", [1, 2, 5, N])
def test_linear_layout(runtime_cls, n_lanes):
    layouts = [blk("d", "LinearLayout"), blk("s", "LinearLayout", spacing=0.5), blk("v", "LinearLayout")]
    edges = [edge("time.phaseA", "v.spacing")]
    patch = _layout_patch(n_lanes, layouts, edges, periodAMs=1000)
    frames = run_frames(runtime_cls, patch, ["d.position", "s.position", "v.position", "time.phaseA"], TIMES)
    t = normalized_index(n_lanes).astype(np.float64)

    def expected(spacing):
        return np.stack([np.full(n_lanes, 0.5), (1 - spacing) / 2 + t * spacing, np.zeros(n_lanes)], 1)

    assert_close(frames[0]["d.position"], expected(0.8), TOL, "LinearLayout default spacing 0.8")
    assert_close(frames[0]["s.position"], expected(0.5), TOL, "LinearLayout spacing 0.5")
    for tm, r in zip(TIMES, frames):
        assert_close(r["v.position"], expected(float(r["time.phaseA"])), TOL, f"LinearLayout spacing edge t={tm}")
    if n_lanes == 1:  # normalizedIndex = 0.5: the single element is at the centre whatever the spacing
        for r in frames:
            assert_close(r["v.position"], [[0.5, 0.5, 0.0]], TOL, "N = 1")
    else:
        assert_close(frames[0]["d.position"][[0, -1], 1], [0.1, 0.9], TOL, "ends of spacing 0.8")


def test_tier2_layouts_render():
    """A GridLayoutUV patch draws (the host table reaches the renderer's position slot)."""
    gpu_or_skip()
    patch = make_patch(
        [
            blk("dot", "Ellipse", rx=0.03, ry=0.03),
            blk("a", "Array", count=6),
            blk("g", "GridLayoutUV", cols=4, rows=4),
            blk("r", "RenderInstances2D"),
        ],
        [edge("dot.shape", "a.element"), edge("a.elements", "g.elements"), edge("g.position", "r.pos")],
    )
    rt = osc.Runtime(osc.compile(patch))
    rt.step(0.0)
    img = rt.render(64, 64)
    for x, y in W13_GRID4:  # every W13 cell centre is lit, the empty cell (0.875, 0.875) is not
        assert img[int(y * 64), int(x * 64), :3].max() > 200, (x, y)
    assert img[int(0.875 * 64), int(0.875 * 64), :3].max() == 0
