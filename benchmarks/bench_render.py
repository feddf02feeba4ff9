"""Benchmark: ms per ``rt.render`` (draw + readback) for many dots, side by side with pygfx.

Issue 10 item 7: a GridLayout of N lanes drawn as circles of a given radius in pixels into a
square target; ``rt.render(W, H)`` (the renderer's draw of every lane plus the readback of the
image) is timed as the median of several calls after a warm-up. When pygfx is importable (the
``bench`` extra: ``pip install -e .[bench]``) the same dots are drawn as a pygfx ``Points`` of
matched size (diameter 2r screen pixels) into an offscreen texture on the same adapter and timed
the same way (``renderer.render`` + ``snapshot``). Prints a table with the device and ``uptime``.

Columns, all in the same run so the ratios do not depend on machine load: "generic" draws every
sink on the generic pipeline (one fragment shader branching over every shape kind, as before the
per-kind pipelines); "quads" the specialized instanced quads only (``raster="quads"``, as before
the compute splat rasterizer); "oscilla" what a user gets (``raster="auto"``: the splat for many
small dots, docs/language/rendering.md#splat). Extra rows show the crossover of the splat against
the quads by dot size; the last row is examples/golden-spiral.json.

    python benchmarks/bench_render.py [--runs 3] [--rows all|small] [--no-pygfx]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np

import oscilla as osc
from oscilla.drawing.instances import InstanceRenderer
from oscilla.gpu import device as gpu

#: (lanes, dot radius in pixels, target side in pixels): the rows of issue 10's table
ROWS: list[tuple[int, float, int]] = [
    (1_000_000, 0.3, 512),
    (100_000, 5.0, 512),
    (1_000_000, 10.0, 1024),
]

#: extra rows (``--rows all``): where the splat stops paying (dot radius in pixels around its limits)
CROSSOVER_ROWS: list[tuple[int, float, int]] = [
    (1_000_000, 1.5, 1024),
    (1_000_000, 3.0, 1024),
    (100_000, 4.0, 512),
]


def dots_patch(lanes: int, radius_px: float, side_px: int) -> dict:
    """A grid of ``lanes`` circles of radius ``radius_px`` pixels on a ``side_px`` square target."""
    cols = math.isqrt(lanes)
    rows = -(-lanes // cols)
    r = radius_px / side_px  # world units: S = side_px pixels per world unit
    return {
        "oscilla": 1,
        "blocks": [
            {"id": "time", "type": "InfiniteTimeRoot", "params": {"periodAMs": 3000}},
            {"id": "shape", "type": "Ellipse", "params": {"rx": r, "ry": r}},
            {"id": "array", "type": "Array", "params": {"count": lanes}},
            {"id": "grid", "type": "GridLayout", "params": {"rows": rows, "cols": cols}},
            {"id": "draw", "type": "RenderInstances2D"},
        ],
        "edges": [
            {"from": "shape.shape", "to": "array.element"},
            {"from": "array.elements", "to": "grid.elements"},
            {"from": "grid.position", "to": "draw.pos"},
            {"from": "array.elements", "to": "draw.shape"},
        ],
    }


def time_calls(fn, runs: int) -> float:
    """Median ms of ``runs`` calls of ``fn`` after one warm-up call."""
    fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(samples)


def time_oscilla(patch: dict | str, side: int, runs: int, mode: str = "auto") -> float:
    """Median ms of ``rt.render(side, side)``. ``mode``: "auto" (what a user gets), "quads"
    (``raster="quads"``: no splat) or "generic" (quads on the generic pipeline: the per-lane
    shape-kind branch of before the specialized pipelines), for same-run before/after ratios."""
    program = osc.compile(patch)
    rt = osc.Runtime(program)
    if mode != "auto":
        nodes = None if mode == "generic" else program.nodes
        rt._renderers["rgba8unorm"] = InstanceRenderer(
            rt.device, rt.values.buffers["f32"], program.slot_meta, program.sinks, nodes=nodes, raster="quads"
        )
    rt.step(1000.0)
    return time_calls(lambda: rt.render(side, side), runs)


def time_pygfx(lanes: int, radius_px: float, side: int, runs: int, device) -> float | str:
    """pygfx Points of the same positions and diameter 2r screen pixels, or a reason it cannot run."""
    try:
        import pygfx as gfx
    except Exception as exc:  # optional dependency
        return f"n/a (pygfx not importable: {type(exc).__name__})"
    try:
        cols = math.isqrt(lanes)
        i = np.arange(lanes)
        # GridLayout's cell centres in [0, 1]^2 (y down); pygfx's ortho camera looks at the same square
        rows = -(-lanes // cols)
        x = ((i % cols) + 0.5) / cols
        y = ((i // cols) + 0.5) / rows
        pos = np.zeros((lanes, 3), np.float32)
        pos[:, 0] = x
        pos[:, 1] = 1.0 - y
        geom = gfx.Geometry(positions=pos)
        mat = gfx.PointsMaterial(size=2.0 * radius_px, size_space="screen", color=(1, 1, 1, 1), aa=True)
        scene = gfx.Scene()
        scene.add(gfx.Background.from_color("#000"))
        scene.add(gfx.Points(geom, mat))
        camera = gfx.OrthographicCamera(1.0, 1.0)
        camera.local.position = (0.5, 0.5, 1.0)
        target = gfx.Texture(dim=2, size=(side, side, 1), format="rgba8unorm")
        renderer = gfx.renderers.WgpuRenderer(target, pixel_ratio=1)

        def draw() -> None:
            renderer.render(scene, camera)
            renderer.snapshot()

        return time_calls(draw, runs)
    except Exception as exc:
        return f"n/a ({type(exc).__name__}: {exc})"[:80]


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except Exception:
        return "load average: " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="timed calls per row (median)")
    ap.add_argument("--rows", choices=("all", "small"), default="all", help="small: only the 512^2 rows")
    ap.add_argument("--no-pygfx", action="store_true", help="skip the pygfx column")
    args = ap.parse_args()
    device = gpu.get_device()
    rows = ROWS if args.rows == "all" else [r for r in ROWS if r[2] <= 512]
    print(f"device: {gpu.adapter_summary()}")
    print(f"uptime (before): {uptime()}")
    header = (
        f"| {'lanes, dot radius, target':<28} | {'generic (ms)':>12} | {'quads (ms)':>12} | {'oscilla (ms)':>12} "
        f"| {'oscilla vs quads':<16} | {'pygfx (ms)':>12} | {'oscilla vs pygfx':<16} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")

    def ratio(other: float, ours: float) -> str:
        return f"{other / ours:.1f}x faster" if ours <= other else f"{ours / other:.1f}x slower"

    extra = CROSSOVER_ROWS if args.rows == "all" else []
    for lanes, r, side in rows + extra:
        patch = dots_patch(lanes, r, side)
        g_ms = time_oscilla(patch, side, args.runs, "generic") if (lanes, r, side) in ROWS else float("nan")
        q_ms = time_oscilla(patch, side, args.runs, "quads")
        o_ms = time_oscilla(patch, side, args.runs)
        p = "n/a (--no-pygfx)" if args.no_pygfx else time_pygfx(lanes, r, side, args.runs, device)
        p_txt, p_ratio = (f"{p:,.0f}", ratio(p, o_ms)) if isinstance(p, float) else (p, "-")
        label = f"{lanes:,}, {r:g} px, {side}²"
        g_txt = "-" if g_ms != g_ms else f"{g_ms:,.0f}"
        print(
            f"| {label:<28} | {g_txt:>12} | {q_ms:>12,.0f} | {o_ms:>12,.0f} | {ratio(q_ms, o_ms):<16} "
            f"| {p_txt:>12} | {p_ratio:<16} |",
            flush=True,
        )
    # the golden-spiral example (5,000 dots) at the window size of issue 10's table
    spiral = str(Path(__file__).resolve().parents[1] / "examples" / "golden-spiral.json")
    g_ms, q_ms, o_ms = (time_oscilla(spiral, 800, args.runs, m) for m in ("generic", "quads", "auto"))
    label = "golden-spiral example, 800²"
    print(
        f"| {label:<28} | {g_ms:>12,.0f} | {q_ms:>12,.0f} | {o_ms:>12,.0f} | {ratio(q_ms, o_ms):<16} "
        f"| {'-':>12} | {'-':<16} |",
        flush=True,
    )
    print(f"uptime (after): {uptime()}")


if __name__ == "__main__":
    main()
