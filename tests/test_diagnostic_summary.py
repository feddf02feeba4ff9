"""Diagnostics of one code beyond 50 are summarized where they are printed (issue 9): the lists
API users get stay complete; the formatted lines, the CLI report and the Player print at most 50
of a code and then ``and N more CODE``."""

from __future__ import annotations

from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.diagnostic_report import format_report
from oscilla.diagnostics import CompileError, Diagnostic, format_diagnostics, summarize, summary_line
from oscilla.patch import load_patch


def diag(code: str, i: int) -> Diagnostic:
    severity = {"E": "error", "W": "warning", "I": "info"}[code[0]]
    return Diagnostic(code, severity, f"problem {i}", block=f"b{i}")


def mixed() -> list[Diagnostic]:
    """120 W_A, 3 E_B and 60 I_C, interleaved."""
    out = []
    for i in range(120):
        out.append(diag("W_A", i))
        if i < 3:
            out.append(diag("E_B", i))
        if i < 60:
            out.append(diag("I_C", i))
    return out


def test_summarize_keeps_the_first_50_of_each_code_in_order():
    ds = mixed()
    kept, more = summarize(ds)
    assert [d.message for d in kept if d.code == "W_A"] == [f"problem {i}" for i in range(50)]
    assert [d.code for d in kept].count("E_B") == 3 and [d.code for d in kept].count("I_C") == 50
    assert kept == [d for d in ds if d in kept]  # the original order, interleaving included
    assert more == {"W_A": 70, "I_C": 10}
    assert list(more) == ["W_A", "I_C"]  # codes in order of first appearance


def test_summary_lines_use_thousands_separators():
    assert summary_line("W_GRAPH_DISCONNECTED_BLOCK", 349_950) == "and 349,950 more W_GRAPH_DISCONNECTED_BLOCK"
    lines = format_diagnostics(mixed())
    assert len(lines) == 50 + 3 + 50 + 2
    assert lines[-2:] == ["and 70 more W_A", "and 10 more I_C"]
    assert lines[0] == "W_A b0: problem 0"


def test_a_small_list_is_printed_whole():
    ds = [diag("W_A", i) for i in range(50)]
    assert format_diagnostics(ds) == [d.format() for d in ds]
    assert format_diagnostics(ds, limit=10)[-1] == "and 40 more W_A"


def test_compile_error_keeps_every_diagnostic_and_prints_a_summary():
    ds = [diag("E_B", i) for i in range(400)]
    err = CompileError(ds)
    assert err.diagnostics == ds  # complete for API users
    lines = err.format_lines()
    assert len(lines) == 51 and lines[-1] == "and 350 more E_B"
    assert str(err).startswith("400 error(s): E_B b0: problem 0; ") and str(err).endswith("(+395 more)")


def disconnected(n: int) -> dict:
    """A drawn Array plus ``n`` Const blocks that reach no sink."""
    return make_patch(
        [
            blk("arr", "Array", count=4),
            blk("grid", "GridLayout"),
            blk("draw", "RenderInstances2D"),
            *[blk(f"k{i}", "Const", value=float(i)) for i in range(n)],
        ],
        [edge("arr.elements", "grid.elements"), edge("grid.position", "draw.pos")],
    )


def test_a_program_keeps_all_its_warnings_and_the_report_summarizes_them():
    patch = load_patch(disconnected(180))
    program = osc.compile(patch)
    codes = [d.code for d in program.diagnostics]
    assert codes.count("W_GRAPH_DISCONNECTED_BLOCK") == 180  # complete
    lines = format_report(patch, list(program.diagnostics))
    assert "and 130 more W_GRAPH_DISCONNECTED_BLOCK" in lines
    assert lines[-1] == "0 error(s), 180 warning(s)"  # the totals count every one
    headers = [line for line in lines if line.startswith("block ")]
    # the first 50 disconnected blocks, in patch order, each under its own header
    assert headers == [f"block 'k{i}' (Const)" for i in range(50)]


def test_did_you_mean_lists_at_most_100_candidates_and_counts_the_rest():
    from oscilla.diagnostics import did_you_mean

    names = [f"block{i}" for i in range(350_000)]
    tail = did_you_mean("blockX", names, "blocks")
    assert "block99," in tail and "block100," not in tail
    assert tail.endswith("... (349,900 more)")
    assert did_you_mean("Sinn", ["Sin", "Cos"], "types") == "did you mean 'Sin'? valid types: Sin, Cos"
