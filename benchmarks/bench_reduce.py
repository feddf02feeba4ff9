"""Benchmark: Reduce over 1,000,000 lanes on the GPU vs numpy's sum.

Two patches share a time-varying field x = Hash(t, phaseA) over N lanes (so it is recomputed every
frame): A materializes x; B also reduces it (sum) into a signal that a second field kernel uses
(x - sum/N), so B runs two stages. The table gives ms per frame of A and B on the GPU runtime and
on the numpy reference interpreter, the GPU kernel times (timestamp queries), and numpy's
``np.sum`` over the same float32 array for comparison.

    python benchmarks/bench_reduce.py [--lanes 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from bench_runtime import print_table, time_gpu, time_reference

import oscilla as osc
from oscilla.gpu import device as gpu
from oscilla.runtime.profiling import profile_kernels, timestamps_supported


def patch(lanes: int, with_reduce: bool) -> dict:
    blocks = [
        {"id": "time", "type": "InfiniteTimeRoot"},
        {"id": "a", "type": "Array", "params": {"count": lanes}},
        {"id": "x", "type": "Hash"},
    ]
    edges = [{"from": "a.t", "to": "x.value"}, {"from": "time.phaseA", "to": "x.seed"}]
    if with_reduce:
        blocks += [
            {"id": "sum", "type": "Reduce", "params": {"op": "sum"}},
            {"id": "mean", "type": "Divide", "params": {"b": float(lanes)}},
            {"id": "centred", "type": "Subtract"},
        ]
        edges += [
            {"from": "x.out", "to": "sum.field"},
            {"from": "sum.signal", "to": "mean.a"},
            {"from": "x.out", "to": "centred.a"},
            {"from": "mean.out", "to": "centred.b"},
        ]
    return {"oscilla": 1, "blocks": blocks, "edges": edges}


def numpy_sum_ms(lanes: int, repeats: int = 50) -> float:
    x = np.random.default_rng(0).random(lanes, dtype=np.float32)
    x.sum()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        x.sum()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lanes", type=int, default=1_000_000)
    args = ap.parse_args()
    rows = [("device", gpu.adapter_summary()), ("lanes", f"{args.lanes:,}")]
    for label, with_reduce, observe in (
        ("A: field only", False, ["x.out"]),
        ("B: field + Reduce (sum) + centred field", True, ["centred.out"]),
    ):
        program = osc.compile(patch(args.lanes, with_reduce), observe=observe)
        rt = osc.Runtime(program)
        rows.append((f"{label}: stages / dispatches per frame", f"{program.stages} / {program.dispatches_per_frame}"))
        rows.append((f"{label}: Runtime.step (ms/frame)", f"{time_gpu(rt, 20, 5):.2f}"))
        rows.append(
            (f"{label}: ReferenceRuntime.step (ms/frame)", f"{time_reference(osc.ReferenceRuntime(program), 5):.2f}")
        )
        if timestamps_supported(rt.device):
            for k, v in profile_kernels(rt, 1e5, repeats=7).items():
                if k != "total":
                    rows.append((f"{label}: GPU time of kernel {k} (ms)", f"{v:.3f}"))
    rows.append(("numpy np.sum of the float32 array (ms)", f"{numpy_sum_ms(args.lanes):.3f}"))
    print_table(rows)


if __name__ == "__main__":
    main()
