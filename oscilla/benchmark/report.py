"""Output of a benchmark run: a rich table, JSON, CSV and a log-log plot.

JSON is :meth:`BenchResult.to_json` (the schema of :mod:`oscilla.benchmark.result`). CSV has one line
per row, the GPU times as columns ``gpu_ms kernel NAME`` and ``gpu_ms pass NAME``. The plot
(matplotlib, the ``bench`` extra) draws ms against lanes on log-log axes: the frame time of each
runtime, the GPU time of each kernel and pass, and a dashed linear guide (ms ∝ lanes) through the
GPU frame time at the largest lane count.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from rich.table import Table

from oscilla.benchmark.result import BenchResult, BenchRow

#: the message when ``--plot`` is asked for without matplotlib
PLOT_EXTRA = "--plot needs matplotlib: pip install 'oscilla[bench]'"


class PlotExtraMissing(RuntimeError):
    """matplotlib is not installed (``pip install 'oscilla[bench]'``)."""


def _lanes(row: BenchRow) -> str:
    return "as written" if row.lanes is None else f"{row.lanes:,}"


def _opt(value: float | int | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def _mib(nbytes: int | None) -> str:
    return "-" if nbytes is None else f"{nbytes / 2**20:.2f}"


def _table(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("lanes", no_wrap=True, min_width=9)  # "1,000,000" and "reference" stay whole
    table.add_column("runtime", no_wrap=True, min_width=9)
    for name in columns:
        table.add_column(name, justify="right", min_width=5)
    return table


def summary_table(result: BenchResult) -> Table:
    """Times per frame, one line per row: lanes, runtime, end-to-end ms/frame (median, p95), host
    ms per step, GPU ms (the sum of the passes of one step)."""
    d = result.device
    table = _table(f"{result.patch} on {d['adapter']} ({d['driver']})", ("ms/frame", "p95", "host ms/step", "GPU ms"))
    for r in result.rows:
        gpu = sum(r.gpu_pass_ms.values()) if r.gpu_pass_ms else None
        table.add_row(
            _lanes(r),
            r.runtime,
            f"{r.frame_ms_median:.3f}",
            f"{r.frame_ms_p95:.3f}",
            f"{r.host_ms_per_step:.3f}",
            _opt(gpu, ".3f"),
        )
    return table


def cost_table(result: BenchResult) -> Table:
    """Work per frame and set-up, one line per row: dispatches and wgpu calls per frame, GPU MiB,
    compile, runtime-creation and pipeline-creation ms."""
    table = _table(
        "per frame, and set-up in ms", ("dispatches", "wgpu calls", "GPU MiB", "compile", "create", "pipelines")
    )
    for r in result.rows:
        table.add_row(
            _lanes(r),
            r.runtime,
            _opt(r.dispatches_per_frame, "d"),
            _opt(r.wgpu_calls_per_frame, "d"),
            _mib(r.gpu_memory_bytes),
            f"{r.compile_ms:.1f}",
            f"{r.create_ms:.1f}",
            _opt(r.pipeline_ms, ".1f"),
        )
    return table


def _gpu_series(result: BenchResult) -> dict[str, dict[int | None, float]]:
    """``"kernel NAME"`` / ``"pass NAME"`` -> lanes -> GPU ms, over the GPU rows."""
    series: dict[str, dict[int | None, float]] = {}
    for r in result.rows:
        for kind, times in (("kernel", r.gpu_kernel_ms), ("pass", r.gpu_pass_ms)):
            for name, ms in times.items():
                series.setdefault(f"{kind} {name}", {})[r.lanes] = ms
    return series


def gpu_table(result: BenchResult) -> Table | None:
    """GPU ms per kernel and per pass (rows) at each lane count (columns); None without timestamps."""
    series = _gpu_series(result)
    if not series:
        return None
    lanes = list(dict.fromkeys(r.lanes for r in result.rows if r.runtime == "oscilla"))
    table = Table(title="GPU ms (timestamp queries, median)", title_justify="left")
    table.add_column("kernel / pass")
    for n in lanes:
        table.add_column("as written" if n is None else f"{n:,}", justify="right")
    for name, by_lanes in series.items():
        table.add_row(name, *(_opt(by_lanes.get(n), ".3f") for n in lanes))
    return table


def to_csv(result: BenchResult) -> str:
    """The rows as CSV text (header first; empty cells for missing values)."""
    gpu_cols = list(_gpu_series(result))
    fields = [
        "runtime",
        "lanes",
        "frame_ms_median",
        "frame_ms_p95",
        "host_ms_per_step",
        "dispatches_per_frame",
        "wgpu_calls_per_frame",
        "gpu_memory_bytes",
        "compile_ms",
        "create_ms",
        "pipeline_ms",
    ]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(fields + [f"gpu_ms {c}" for c in gpu_cols])
    for r in result.rows:
        gpu = {f"kernel {k}": v for k, v in r.gpu_kernel_ms.items()} | {
            f"pass {k}": v for k, v in r.gpu_pass_ms.items()
        }
        values: list[Any] = [getattr(r, f) for f in fields]
        w.writerow(["" if v is None else v for v in values] + ["" if gpu.get(c) is None else gpu[c] for c in gpu_cols])
    return buf.getvalue()


def write_plot(result: BenchResult, path: str | Path) -> None:
    """Write the log-log plot of ms against lanes (module docstring) to ``path`` (PNG, SVG, PDF:
    by its suffix).

    Raises:
        PlotExtraMissing: matplotlib is not installed.
        ValueError: the run has no lane counts to plot against (it ran the patch as written).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotExtraMissing(PLOT_EXTRA) from None
    rows = [r for r in result.rows if r.lanes is not None]
    if not rows:
        raise ValueError("a plot needs lane counts: run with --lanes")
    fig, ax = plt.subplots(figsize=(7.0, 4.5), dpi=100)
    for runtime in dict.fromkeys(r.runtime for r in rows):
        pts = sorted((r.lanes, r.frame_ms_median) for r in rows if r.runtime == runtime and r.lanes is not None)
        ax.plot(*zip(*pts), marker="o", linewidth=2.2, label=f"{runtime}: ms/frame")
    for name, by_lanes in _gpu_series(result).items():
        pts = sorted((n, ms) for n, ms in by_lanes.items() if n is not None and ms > 0)
        if pts:
            ax.plot(*zip(*pts), marker=".", linewidth=1.0, linestyle="-", label=f"GPU {name}")
    gpu_rows = sorted((r.lanes, r.frame_ms_median) for r in rows if r.runtime == "oscilla" and r.lanes is not None)
    if gpu_rows:
        n_max, ms_max = gpu_rows[-1]
        lo = min(r.lanes for r in rows if r.lanes is not None)
        ax.plot([lo, n_max], [ms_max * lo / n_max, ms_max], "k--", linewidth=0.8, label="linear (ms ∝ lanes)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("lanes")
    ax.set_ylabel("ms")
    ax.set_title(f"{Path(result.patch).name} on {result.device['adapter']}", fontsize=9)
    ax.grid(True, which="both", linewidth=0.3, alpha=0.5)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
