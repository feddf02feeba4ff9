"""Table, CSV and plot of a result."""

import csv
import io
import sys

import pytest
from rich.console import Console
from support.bench_results import synthetic_result

from oscilla.benchmark.report import PlotExtraMissing, cost_table, gpu_table, summary_table, to_csv, write_plot

RESULT = synthetic_result({("oscilla", 100): 1.5, ("reference", 100): 3.0, ("oscilla", 1000): 4.0})


def _text(table) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()


def test_tables_show_every_row_and_kernel():
    text = _text(summary_table(RESULT)) + _text(cost_table(RESULT)) + _text(gpu_table(RESULT))
    assert "1.500" in text and "3.000" in text and "4.000" in text
    assert "kernel field0" in text and "pass compute commit" in text
    assert "1,000" in text


def test_csv_has_a_line_per_row_and_a_column_per_kernel_and_pass():
    rows = list(csv.DictReader(io.StringIO(to_csv(RESULT))))
    assert [(r["runtime"], r["lanes"]) for r in rows] == [("oscilla", "100"), ("reference", "100"), ("oscilla", "1000")]
    assert float(rows[2]["frame_ms_median"]) == 4.0
    assert float(rows[2]["gpu_ms kernel field0"]) == 2.0
    assert float(rows[0]["gpu_ms pass compute commit"]) == pytest.approx(1.5 / 4)
    assert rows[1]["dispatches_per_frame"] == "" and rows[1]["gpu_ms kernel field0"] == ""


def test_plot_is_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    write_plot(RESULT, tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    with pytest.raises(PlotExtraMissing, match=r"pip install 'oscilla\[bench\]'"):
        write_plot(RESULT, tmp_path / "p.png")
