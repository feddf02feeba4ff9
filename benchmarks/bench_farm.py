"""Benchmark: a frame-sequence export on a Dask LocalCluster (oscilla.distributed) against the serial export,
and the pre-roll cost that decides between pre-roll and snapshot starts.

Rows: the serial export (``render_frames``), the same on N workers with pre-roll starts (a worker
keeps its runtime between chunks), with pre-roll from frame 0 for every chunk, and with snapshot
starts (the client steps the range once and snapshots each chunk's start; workers restore); frames per
second without and with the cluster's start-up (starting the processes, and a warm-up render of
one frame per worker in which each compiles the patch and makes its device and pipelines). Then
the per-frame costs measured in this process (a compute-only ``step``, a full frame: step +
render + PNG) and the pre-roll vs snapshot model at 1-32 workers
(docs/guide/distributed.md#start-state). Every distributed sequence is checked byte-identical to
the serial one.

    python benchmarks/bench_farm.py                       # 120 frames of 512x512 (about a minute here)
    python benchmarks/bench_farm.py --frames 600 --size 1024 --workers 2   # the issue's size
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _same(a: Path, b: Path) -> bool:
    fa, fb = sorted(a.glob("frame_*.png")), sorted(b.glob("frame_*.png"))
    return len(fa) == len(fb) and all(x.read_bytes() == y.read_bytes() for x, y in zip(fa, fb))


def per_frame_costs(patch: str, size: int, fps: float, frames: int) -> dict:
    """ms per compute-only step and per full frame (step + render + PNG), and ms to build a runtime."""
    from oscilla.distributed.source import ProgramSource
    from oscilla.export.png import save_png
    from oscilla.patch import load_patch

    src = ProgramSource.of(load_patch(patch), (size, size), fps)
    src.program()
    t0 = time.perf_counter()
    rt = src.new_runtime()
    rt.wait()
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    for k in range(frames):
        rt.step(src.frame_time(k))
    rt.wait()
    step = (time.perf_counter() - t0) / frames
    tmp = Path(tempfile.mkdtemp())
    t0 = time.perf_counter()
    for k in range(frames, 2 * frames):
        rt.step(src.frame_time(k))
        save_png(rt.render(size, size), tmp / "f.png")
    frame = (time.perf_counter() - t0) / frames
    shutil.rmtree(tmp)
    return {"step_ms": step * 1e3, "frame_ms": frame * 1e3, "build_ms": build * 1e3}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--patch", default=str(ROOT / "examples" / "flow-field.json"), help="a stateful patch")
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--size", type=int, default=512, help="square frames of SIZE x SIZE pixels")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--fps", type=float, default=60.0)
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    from oscilla.distributed.frames import render_distributed
    from oscilla.distributed.start import FromSnapshots, PreRoll
    from oscilla.export.png import render_frames

    n, size, fps, w = args.frames, args.size, args.fps, args.workers
    duration = n * 1000.0 / fps
    work = Path(tempfile.mkdtemp(prefix="bench-farm-"))
    rows = []
    try:
        t0 = time.perf_counter()
        render_frames(args.patch, work / "serial", duration, fps, (size, size))
        serial = time.perf_counter() - t0
        rows.append(("serial (render_frames)", serial, serial, True))

        t0 = time.perf_counter()
        cluster = LocalCluster(
            n_workers=w, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
        )
        client = Client(cluster)
        # warm-up (not timed separately): every worker compiles the patch, makes its device and pipelines
        render_distributed(
            args.patch, work / "warm", w * 1000.0 / fps, fps, (size, size), client=client, chunk_frames=1
        )
        startup = time.perf_counter() - t0
        try:
            for label, strategy in (
                (f"{w} workers, pre-roll (runtime kept)", PreRoll()),
                (f"{w} workers, pre-roll from frame 0", PreRoll(reuse=False)),
                (f"{w} workers, snapshot starts", FromSnapshots()),
            ):
                d = work / label.replace(" ", "_").replace(",", "")
                t0 = time.perf_counter()
                render_distributed(args.patch, d, duration, fps, (size, size), client=client, start_state=strategy)
                took = time.perf_counter() - t0
                rows.append((label, took, took + startup, _same(work / "serial", d)))
                shutil.rmtree(d)
        finally:
            client.close()
            cluster.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"\n{n} frames of {size}x{size}, {Path(args.patch).name}, {fps:g} fps; "
        f"cluster start-up and warm-up {startup:.1f} s\n"
    )
    print("| run | wall | frames/s | frames/s with start-up | identical to serial |")
    print("|---|---|---|---|---|")
    for label, took, with_start, same in rows:
        print(f"| {label} | {took:.1f} s | {n / took:.1f} | {n / with_start:.1f} | {'yes' if same else 'NO'} |")

    costs = per_frame_costs(args.patch, size, fps, min(n, 60))
    print_model(n, costs["step_ms"], costs["frame_ms"], costs["build_ms"])


def print_model(n: int, s: float, f: float, r: float) -> None:
    """The start-state model (docs/guide/distributed.md#start-state) for this patch's measured ms per
    compute-only step ``s``, per full frame ``f`` and per runtime build ``r`` (the stand-in for a
    snapshot restore), at W = 1, 2, 4, ... workers with C = 4W chunks, one device per worker."""
    print(
        f"\nper frame in one process: compute-only step {s:.2f} ms, full frame (step + render + PNG) {f:.2f} ms "
        f"(step/frame = {s / f:.2f}); building a runtime {r:.0f} ms (stands in for a snapshot restore)\n"
    )
    print(f"Modelled wall time of N = {n} frames, one device per worker, C = 4W chunks:")
    print(
        "| workers W | pre-roll, runtime kept: N/W·frame + N(W-1)/W·step | snapshots: max(N/W·frame + C/W·restore, "
        "N(W-1)/W·step + N/C·frame) | snapshots faster by |"
    )
    print("|---|---|---|---|")
    for w in (1, 2, 4, 8, 16, 32):
        c = 4 * w
        pre = n / w * f + n * (w - 1) / w * s
        snap = max(n / w * f + c / w * r, n * (w - 1) / w * s + n / c * f) if w > 1 else n * f
        print(f"| {w} | {pre / 1e3:.2f} s | {snap / 1e3:.2f} s | {100 * (pre - snap) / pre:.0f}% |")


if __name__ == "__main__":
    main()
