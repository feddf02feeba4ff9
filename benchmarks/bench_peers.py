"""Benchmark: the bench patch in oscilla beside hand-written numpy, numba, Warp and Taichi, one process.

The bench patch is ``bench_patch`` of ``benchmarks/bench_runtime.py`` (Noise through a per-lane
Lag, HSV colour, grid positions). Its peers (``benchmarks/peers/``) compute the same frame by hand.
For each lane count, every implementation is first checked against oscilla's ReferenceRuntime
frame by frame (1e-5 absolute or relative; a mismatch stops the run with exit status 1), then all
of them are timed in interleaved rounds (each round times each one once: a batch of frames ended by
one sync). The table (median and p95 ms/frame per lane count, t(most)/t(fewest) lanes, time
relative to oscilla's Runtime.step) goes to the terminal, to docs/performance.md between its
bench-peers markers, and to a new results JSON in benchmarks/results/, which is compared with the
last one for the same device. Peers whose framework is missing print "n/a" with the extra to install.

    python benchmarks/bench_peers.py [--lanes 100000,1000000] [--rounds 15] [--frames 10]
        [--doc docs/performance.md | --no-doc] [--results benchmarks/results | --no-save]
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench_runtime import bench_patch
from peers import PEERS, history, machine, report
from peers.check import CHECK_TIMES_MS, check_peer, mismatches, reference_frames, reference_outputs
from peers.timing import FRAME_MS, Contender, interleave, median_p95
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

import oscilla as osc
from oscilla.gpu import device as gpu

ROOT = Path(__file__).resolve().parents[1]
#: wide enough for the table when the output is not a terminal (make bench | tee)
console = Console(width=None if sys.stdout.isatty() else 160)


def _lanes_list(text: str) -> list[int]:
    """ "100000,1e6" -> [100000, 1000000] (argparse type; positive integers, at most 2**24)."""
    try:
        floats = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of lane counts: {text!r}") from None
    if not floats or any(not (1 <= v <= 2**24) or v != int(v) for v in floats):
        raise argparse.ArgumentTypeError(f"lane counts must be whole numbers from 1 to 16777216: {text!r}")
    return sorted({int(v) for v in floats})


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def _fail(message: str, code: int = 2) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise SystemExit(code)


def _check_oscilla(rt, want) -> str:
    """Step a fresh oscilla runtime through the check frames; the problems, "" when it agrees."""
    problems = []
    for k, (t, w) in enumerate(zip(CHECK_TIMES_MS, want)):
        rt.step(t)
        problems += [f"frame {k} (t = {t} ms): {line}" for line in mismatches(reference_outputs(rt), w)]
    return "\n".join(problems)


def contenders_for(n: int, args, rows: dict[str, report.Row]) -> list[Contender]:
    """Build and check every implementation at ``n`` lanes; the ones that run, ready to time.
    Rows of the ones that cannot run get their "n/a" reason. Exits with status 1 when one disagrees
    with the reference interpreter."""
    program = osc.compile(bench_patch(n))
    want = reference_frames(program)
    checked = f"yes ({len(CHECK_TIMES_MS)} frames, 1e-5)"
    out: list[Contender] = []
    t_next = CHECK_TIMES_MS[-1] + FRAME_MS

    try:
        rt = osc.Runtime(program)
    except Exception as exc:  # no adapter: the row says why, the peers still run
        rows["oscilla"].missing = f"n/a: {type(exc).__name__}: {exc}"
    else:
        problems = _check_oscilla(rt, want)
        if problems:
            _fail(f"oscilla Runtime disagrees with ReferenceRuntime at {n:,} lanes:\n{problems}", 1)
        rows["oscilla"].checked = checked
        out.append(Contender("oscilla", rows["oscilla"].label, rt.step, rt.wait, args.frames, t_next))

    ref = osc.ReferenceRuntime(program)
    for t in CHECK_TIMES_MS:  # same state and clock as the others when timing starts
        ref.step(t)
    rows["reference"].checked = "(the reference)"
    out.append(Contender("reference", rows["reference"].label, ref.step, lambda: None, args.reference_frames, t_next))

    for info in PEERS:
        peer, why = info.load()
        if peer is None:
            rows[info.key].missing = why
            continue
        problems = check_peer(peer, n, want)
        if problems:
            _fail(f"{info.label} disagrees with ReferenceRuntime at {n:,} lanes:\n" + "\n".join(problems[:20]), 1)
        rows[info.key].checked = checked
        out.append(Contender(info.key, info.label, peer.step, peer.sync, args.frames, t_next))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lanes", type=_lanes_list, default=[100_000, 1_000_000], help="comma-separated lane counts")
    ap.add_argument("--rounds", type=_positive, default=15, help="interleaved rounds (default 15)")
    ap.add_argument("--frames", type=_positive, default=10, help="frames per timed batch (default 10)")
    ap.add_argument("--reference-frames", type=_positive, default=2, help="frames per batch of the reference")
    ap.add_argument("--doc", type=Path, default=ROOT / "docs" / "performance.md", help="page to write the table to")
    ap.add_argument("--no-doc", action="store_true", help="print only; leave the docs page alone")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results", help="results folder")
    ap.add_argument("--no-save", action="store_true", help="write no results JSON (still compares)")
    args = ap.parse_args()
    if not args.no_doc and not args.doc.is_file():
        _fail(f"{args.doc} does not exist (pass --doc PAGE or --no-doc)")

    load_start = machine.uptime()
    device = gpu.adapter_summary()
    info_dict = dict(gpu.get_device().adapter.info)
    driver = str(info_dict.get("description") or info_dict.get("vendor") or "?")
    rows = {"oscilla": report.Row("oscilla", "oscilla Runtime.step")}
    rows["reference"] = report.Row("reference", "oscilla ReferenceRuntime (numpy interpreter)")
    rows |= {p.key: report.Row(p.key, p.label) for p in PEERS}
    with Progress(console=console, transient=True) as progress:
        for n in args.lanes:
            task = progress.add_task(f"{n:,} lanes: checking against the reference", total=args.rounds)
            contenders = contenders_for(n, args, rows)
            progress.update(task, description=f"{n:,} lanes: {len(contenders)} implementations, interleaved")
            interleave(contenders, args.rounds, on_round=lambda _r, task=task: progress.advance(task))
            for c in contenders:
                rows[c.key].ms[n] = median_p95(c.samples)
            del contenders
    load_end = machine.uptime()

    info = report.RunInfo(
        device=device,
        driver=driver,
        cpu=machine.cpu_model(),
        cores=machine.cores(),
        date=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        load_start=machine.load_average(load_start),
        load_end=machine.load_average(load_end),
        rounds=args.rounds,
        frames=args.frames,
        reference_frames=args.reference_frames,
    )
    table_rows = list(rows.values())
    console.print(report.rich_table(info, table_rows))
    console.print(f"uptime at start: {load_start}\nuptime at end:   {load_end}")

    result = {
        "format": history.FORMAT,
        "version": history.VERSION,
        "device": info.device,
        "driver": info.driver,
        "cpu": info.cpu,
        "cores": info.cores,
        "date": info.date,
        "load": {"start": load_start, "end": load_end},
        "rows": [
            {"impl": r.key, "lanes": n, "ms_median": round(m[0], 4), "ms_p95": round(m[1], 4)}
            for r in table_rows
            for n, m in sorted(r.ms.items())
        ],
    }
    last = history.previous(args.results, info.device, info.cpu) if args.results.is_dir() else None
    if last is None:
        console.print(f"no earlier result for this device in {args.results}: nothing to compare")
    else:
        print_comparison(last[0], history.compare(last[1], result))
    if not args.no_save:
        console.print(f"results: {history.save(args.results, result)}")
    if not args.no_doc:
        text = args.doc.read_text()
        try:
            args.doc.write_text(report.replace_between_markers(text, report.markdown(info, table_rows)))
        except ValueError as exc:
            _fail(f"{args.doc}: {exc}; add both marker lines where the table belongs")
        console.print(f"table written to {args.doc}")


def print_comparison(path: Path, ratios: list[history.Ratio]) -> None:
    """The rich table of new / previous median ms per (impl, lanes)."""
    table = Table(title=f"this run vs {path.name} (new / old ms; > 1 is slower)")
    for h in ("impl", "lanes", "old ms", "new ms", "new / old"):
        table.add_column(h, justify="left" if h == "impl" else "right")
    for r in ratios:
        ratio = r.ratio
        shown = "–" if ratio is None else f"{ratio:.2f}"
        if ratio is not None and abs(ratio - 1.0) > 0.1:
            shown = f"[{'red' if ratio > 1 else 'green'}]{shown}[/]"
        table.add_row(
            r.impl,
            f"{r.lanes:,}",
            "–" if r.old_ms is None else f"{r.old_ms:.2f}",
            "–" if r.new_ms is None else f"{r.new_ms:.2f}",
            shown,
        )
    console.print(table)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
