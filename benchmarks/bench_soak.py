"""Benchmark: memory over a live session, 1,000 hot swaps between distinct programs.

Every swap installs a program the runtime has never seen: the 30-block chain of
``bench_swap.patch`` over 10,000 lanes with a different gain each time (a WGSL literal, so each
program brings a new field kernel, i.e. a new shader module and pipeline). Each swap compiles the
patch, swaps it in and steps one frame; every 100 swaps the GPU is drained and the table gets a
row: resident set size (VmRSS of /proc/self/status), its growth since swap 100, and the pipeline
cache (entries, estimated MiB, pinned entries). The cache is bounded
(:class:`oscilla.gpu.pipelines.PipelineCache`); the replaced program's buffers are destroyed at
each swap. RSS must stay flat once the cache is full.

    python benchmarks/bench_soak.py [--swaps 1000] [--lanes 10000] [--max-mib 32]
"""

from __future__ import annotations

import argparse
import gc
import os
import time

from bench_swap import patch

import oscilla as osc
from oscilla.gpu import device as gpu
from oscilla.gpu.pipelines import PIPELINES


def rss_mib() -> float:
    """Resident set size of this process in MiB (Linux /proc; psutil is not a dependency)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--swaps", type=int, default=1000)
    ap.add_argument("--lanes", type=int, default=10_000)
    ap.add_argument("--chain", type=int, default=30)
    ap.add_argument("--max-mib", type=float, default=None, help="pipeline cache bound (default: the cache's own)")
    args = ap.parse_args()
    if args.max_mib is not None:
        PIPELINES.max_bytes = int(args.max_mib * 2**20)
    device = gpu.get_device()
    rt = osc.Runtime(osc.compile(patch(args.lanes, chain=args.chain)), device)
    rt.step(0.0)
    rt.wait()
    first = osc.compile(patch(args.lanes, gain=1.0001, chain=args.chain))
    second = osc.compile(patch(args.lanes, gain=1.0002, chain=args.chain))
    assert first.wgsl != second.wgsl, "the programs must differ in their WGSL"
    print(f"device: {gpu.adapter_summary()}")
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min)")
    print(f"cache bound: {PIPELINES.max_entries} entries, {PIPELINES.max_bytes / 2**20:.0f} MiB estimated")
    print(f"start RSS: {rss_mib():.1f} MiB")
    print()
    print("| swaps | RSS (MiB) | growth since 100 (MiB) | cache entries | cache est. MiB | pinned | s per 100 swaps |")
    print("|---|---|---|---|---|---|---|")
    base = None
    t0 = time.perf_counter()
    for i in range(1, args.swaps + 1):
        rt.swap(osc.compile(patch(args.lanes, gain=1.0 + i * 1e-4, chain=args.chain)))
        rt.step(16.0 * i)
        if i % 100 == 0:
            rt.wait()
            gc.collect()
            rss = rss_mib()
            base = rss if base is None else base
            t1 = time.perf_counter()
            print(
                f"| {i} | {rss:.1f} | {rss - base:+.1f} | {PIPELINES.size(device)} "
                f"| {PIPELINES.nbytes(device) / 2**20:.1f} | {PIPELINES.pinned(device)} | {t1 - t0:.1f} |",
                flush=True,
            )
            t0 = t1
    print()
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
