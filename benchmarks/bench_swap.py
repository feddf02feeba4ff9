"""Benchmark: hot-swap latency of a 100-block patch with 1,000,000 lanes of state.

The patch: an Array of N lanes on a grid, a 90-block chain of lane-local math, and per-lane Lag,
Slew and UnitDelay cells (N lanes each), drawn by RenderInstances2D. Two edits are swapped in
while it runs: a param change (every cell copied) and a count change N -> 1.1 N (cells mapped by
element id, continuity set up). The table gives ms for compile, build (buffers, pipelines, bind
groups), state migration (GPU copies), install (init kernels, continuity capture) and the first
frame after the swap, plus a normal frame for comparison.

    python benchmarks/bench_swap.py [--lanes 1000000]
"""

from __future__ import annotations

import argparse
import time

from bench_runtime import print_table, time_gpu

import oscilla as osc
from oscilla.gpu import device as gpu


def patch(lanes: int, gain: float = 1.001, chain: int = 90) -> dict:
    blocks = [
        {"id": "time", "type": "InfiniteTimeRoot"},
        {"id": "arr", "type": "Array", "params": {"count": lanes}},
        {"id": "grid", "type": "GridLayout", "params": {"rows": 1000, "cols": 1000}},
        {"id": "lag", "type": "Lag", "params": {"smoothing": 0.2}},
        {"id": "slew", "type": "Slew", "params": {"tauMs": 200}},
        {"id": "delay", "type": "UnitDelay"},
        {"id": "hue", "type": "HueFromPhase"},
        {"id": "rgb", "type": "HsvToRgb"},
        {"id": "draw", "type": "RenderInstances2D"},
    ]
    edges = [
        {"from": "arr.elements", "to": "grid.elements"},
        {"from": "grid.position", "to": "draw.pos"},
        {"from": "arr.t", "to": "hue.id01"},
        {"from": "hue.hue", "to": "rgb.hue"},
        {"from": "rgb.color", "to": "draw.color"},
    ]
    prev = "arr.t"
    for i in range(chain):
        kind = ("Add", "Multiply", "Sin")[i % 3]
        blocks.append({"id": f"m{i}", "type": kind, "params": {} if kind == "Sin" else {"b": gain}})
        edges.append({"from": prev, "to": f"m{i}.input" if kind == "Sin" else f"m{i}.a"})
        prev = f"m{i}.result" if kind == "Sin" else f"m{i}.out"
    edges += [
        {"from": "time.phaseA", "to": "m0.b"},
        {"from": prev, "to": "lag.target"},
        {"from": "lag.out", "to": "slew.target"},
        {"from": "slew.out", "to": "delay.in"},
        {"from": "delay.out", "to": "draw.size"},
    ]
    return {"oscilla": 1, "blocks": blocks, "edges": edges}


def measure(rt, new_patch: dict, t: float) -> dict:
    t0 = time.perf_counter()
    program = osc.compile(new_patch)
    compile_ms = (time.perf_counter() - t0) * 1000.0
    report = rt.swap(program)
    t1 = time.perf_counter()
    rt.step(t)
    rt.wait()
    first = (time.perf_counter() - t1) * 1000.0
    return {"compile": compile_ms, **report.timings_ms, "first frame": first, "report": report.summary()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lanes", type=int, default=1_000_000)
    args = ap.parse_args()
    n = args.lanes
    base = patch(n)
    rt = osc.Runtime(osc.compile(base))
    frame_ms = time_gpu(rt, 10, 3)
    t = 1e4
    edits = [
        ("param change (all cells copied)", patch(n, gain=1.002)),
        (f"count {n:,} -> {int(n * 1.1):,} (cells mapped, continuity)", patch(int(n * 1.1), gain=1.002)),
    ]
    rows = [
        ("device", gpu.adapter_summary()),
        ("blocks", str(len(base["blocks"]))),
        ("lanes of per-lane state per cell (3 cells)", f"{n:,}"),
        ("normal frame (ms)", f"{frame_ms:.2f}"),
    ]
    for label, p in edits:
        m = measure(rt, p, t)
        t += 16.0
        for key in ("compile", "build", "migration", "continuity and install", "first frame"):
            rows.append((f"{label}: {key} (ms)", f"{m[key]:.1f}"))
        rows.append((f"{label}: cells", m["report"]))
    print_table(rows)


if __name__ == "__main__":
    main()
