"""Benchmark: ms per frame of the GPU Runtime vs the numpy ReferenceRuntime on one big patch.

The patch (issue 2): a GridLayout of N lanes (default 1,000,000), Noise(index·k + phaseA) through a
per-lane Lag into size, HueFromPhase -> HsvToRgb colour, RenderInstances2D. Both runtimes run the
same CompiledProgram in the same process; the table gives ms per frame (median of several timed
batches), the ratio, the compute dispatches per frame and the device. GPU frames are timed as a
batch of steps followed by one fence (the runtime never reads back per frame), so the figure is
the sustained frame time including GPU execution.

    python benchmarks/bench_runtime.py [--lanes 1000000] [--frames 20]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import oscilla as osc
from oscilla.gpu import device as gpu
from oscilla.runtime.profiling import profile_kernels, timestamps_supported


def bench_patch(lanes: int) -> dict:
    side = int(math.isqrt(lanes))
    return {
        "oscilla": 1,
        "blocks": [
            {"id": "time", "type": "InfiniteTimeRoot", "params": {"periodAMs": 3000}},
            {"id": "shape", "type": "Ellipse", "params": {"rx": 0.0005, "ry": 0.0005}},
            {"id": "array", "type": "Array", "params": {"count": lanes}},
            {"id": "grid", "type": "GridLayout", "params": {"rows": side, "cols": side}},
            {"id": "k", "type": "Multiply", "params": {"b": 0.001}},
            {"id": "x", "type": "Add"},
            {"id": "noise", "type": "Noise"},
            {"id": "lag", "type": "Lag", "params": {"smoothing": 0.2}},
            {"id": "hue", "type": "HueFromPhase"},
            {"id": "color", "type": "HsvToRgb"},
            {"id": "draw", "type": "RenderInstances2D"},
        ],
        "edges": [
            {"from": "shape.shape", "to": "array.element"},
            {"from": "array.elements", "to": "grid.elements"},
            {"from": "array.index", "to": "k.a"},
            {"from": "k.out", "to": "x.a"},
            {"from": "time.phaseA", "to": "x.b"},
            {"from": "x.out", "to": "noise.x"},
            {"from": "noise.out", "to": "lag.target"},
            {"from": "array.t", "to": "hue.id01"},
            {"from": "hue.hue", "to": "color.hue"},
            {"from": "grid.position", "to": "draw.pos"},
            {"from": "color.color", "to": "draw.color"},
            {"from": "lag.out", "to": "draw.size"},
            {"from": "array.elements", "to": "draw.shape"},
        ],
    }


def print_table(rows: list[tuple[str, str]]) -> None:
    """Print (measure, value) rows as a markdown table (what docs/performance.md quotes)."""
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for k, v in rows:
        print(f"| {k.ljust(width)} | {v} |")


def chain_patch(n_blocks: int, lanes: int = 10_000) -> dict:
    """A patch with ``n_blocks`` lane-local math blocks chained over one instance."""
    blocks = [
        {"id": "time", "type": "InfiniteTimeRoot"},
        {"id": "array", "type": "Array", "params": {"count": lanes}},
        {"id": "lag", "type": "Lag"},
        {"id": "grid", "type": "GridLayout"},
        {"id": "draw", "type": "RenderInstances2D"},
    ]
    edges = [{"from": "array.elements", "to": "grid.elements"}, {"from": "grid.position", "to": "draw.pos"}]
    prev = "array.t"
    for i in range(n_blocks):
        kind = ("Add", "Multiply", "Sin")[i % 3]
        blocks.append({"id": f"m{i}", "type": kind, "params": {} if kind == "Sin" else {"b": 1.001}})
        edges.append({"from": prev, "to": f"m{i}.input" if kind == "Sin" else f"m{i}.a"})
        prev = f"m{i}.result" if kind == "Sin" else f"m{i}.out"
    edges += [{"from": prev, "to": "lag.target"}, {"from": "lag.out", "to": "draw.size"}]
    return {"oscilla": 1, "blocks": blocks, "edges": edges}


def dispatch_table() -> None:
    """Compute dispatches per frame stay at instances + 2 however many blocks a patch has."""
    print("\n| blocks in patch | instances | compute dispatches per frame | kernels |")
    print("|---|---|---|---|")
    for n in (10, 100, 400):
        program = osc.compile(chain_patch(n))
        kernels = ", ".join(k.name + (" (once)" if k.once else "") for k in program.kernels)
        print(f"| {n + 5} | {len(program.instances)} | {program.dispatches_per_frame} | {kernels} |")


def time_gpu(rt, frames: int, batches: int) -> float:
    t = 0.0
    for _f in range(3):  # warm-up (pipeline caches, first-touch of buffers)
        rt.step(t)
        t += 16.0
    rt.wait()
    per_frame = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(frames):
            rt.step(t)
            t += 16.0
        rt.wait()
        per_frame.append((time.perf_counter() - t0) * 1000.0 / frames)
    return statistics.median(per_frame)


def time_reference(ref, frames: int) -> float:
    ref.step(0.0)
    samples = []
    t = 16.0
    for _ in range(frames):
        t0 = time.perf_counter()
        ref.step(t)
        samples.append((time.perf_counter() - t0) * 1000.0)
        t += 16.0
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lanes", type=int, default=1_000_000)
    ap.add_argument("--frames", type=int, default=20, help="GPU frames per timed batch")
    ap.add_argument("--batches", type=int, default=5)
    ap.add_argument("--ref-frames", type=int, default=5)
    args = ap.parse_args()

    t0 = time.perf_counter()
    program = osc.compile(bench_patch(args.lanes))
    compile_ms = (time.perf_counter() - t0) * 1000.0
    t0 = time.perf_counter()
    rt = osc.Runtime(program)
    create_ms = (time.perf_counter() - t0) * 1000.0
    gpu_ms = time_gpu(rt, args.frames, args.batches)
    ref_ms = time_reference(osc.ReferenceRuntime(program), args.ref_frames)
    instances = len(program.instances)
    kernel_ms = profile_kernels(rt, 1e6, repeats=7) if timestamps_supported(rt.device) else {}

    rows = [
        ("device", gpu.adapter_summary()),
        ("lanes", f"{args.lanes:,}"),
        ("blocks in patch", str(len(bench_patch(args.lanes)["blocks"]))),
        ("compile (ms)", f"{compile_ms:.1f}"),
        ("Runtime creation (ms)", f"{create_ms:.1f}"),
        ("Runtime.step (ms/frame)", f"{gpu_ms:.2f}"),
        ("ReferenceRuntime.step (ms/frame)", f"{ref_ms:.2f}"),
        ("speed-up (reference / GPU)", f"{ref_ms / gpu_ms:.1f}x"),
        ("compute dispatches per frame", f"{rt.dispatches_per_frame} (instances + 3 = {instances + 3})"),
    ]
    rows += [(f"GPU time of kernel {k} (ms, timestamps)", f"{v:.2f}") for k, v in kernel_ms.items() if k != "total"]
    print_table(rows)
    dispatch_table()


if __name__ == "__main__":
    main()
