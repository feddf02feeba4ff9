"""The corpus of malformed patches: each file must produce its expected diagnostic, through the
Python API (``oscilla.load_patch`` + ``oscilla.compile``) and through ``oscilla check``, never a
traceback, another exception or exit 70.

tests/corpus/manifest.json lists every file with its expected ``code`` and, where it matters, the
``block``, ``port``, ``edge`` or ``cause`` of the diagnostic and the ``exit`` code of ``oscilla
check`` (1 unless given: a patch with only warnings compiles and exits 0). Files in ``patches/``
are committed; the ``generated`` entries (100,000-deep nesting, a 200,000-character type) are
written at test time by tests/corpus/generated.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from corpus import generated
from support.paths import ROOT
from typer.testing import CliRunner

import oscilla as osc
from oscilla.cli import app

HERE = Path(__file__).parent
MANIFEST = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
ENTRIES: list[dict[str, Any]] = MANIFEST["entries"]
GENERATED: list[dict[str, Any]] = MANIFEST["generated"]
ALL = ENTRIES + GENERATED
#: codes of docs/language/diagnostics-codes.md that no patch file can produce, and why
NOT_FROM_A_PATCH = {
    "I_STATE_RESET": "reported by Runtime.swap, not by compiling one patch",
    "E_SCHEDULE_INVALID": "only a bug in the compiler produces it",
    "E_INTERNAL": "the Player's report of an unexpected exception during a reload",
    **{
        code: "refused snapshots (Runtime.restore / load_snapshot), tested in tests/runtime/test_snapshots.py"
        for code in (
            "E_SNAPSHOT_INVALID",
            "E_SNAPSHOT_TRUNCATED",
            "E_SNAPSHOT_CORRUPT",
            "E_SNAPSHOT_VERSION",
            "E_SNAPSHOT_MISMATCH",
        )
    },
}


def expected(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry's expected diagnostic (code and the target fields it gives) and exit code."""
    return {"exit": 1, **{k: entry[k] for k in ("code", "block", "port", "edge", "cause", "exit") if k in entry}}


def matches(d: osc.Diagnostic, expect: dict[str, Any]) -> bool:
    """Whether diagnostic ``d`` is the expected one (code, severity, and the target fields given)."""
    severity = {"E": "error", "W": "warning", "I": "info"}[expect["code"][0]]
    return (
        d.code == expect["code"]
        and d.severity == severity
        and all(getattr(d, k) == expect[k] for k in ("block", "port", "edge", "cause") if k in expect)
    )


def path_of(entry: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    if "generate" in entry:
        return generated.write(entry, tmp_path_factory.mktemp("corpus"))
    return HERE / "patches" / entry["file"]


def api_diagnostics(path: Path) -> tuple[int, list[osc.Diagnostic]]:
    """(1, the errors' diagnostics) when loading or compiling fails, else (0, the program's warnings)."""
    try:
        program = osc.compile(osc.load_patch(path))
    except osc.CompileError as e:
        return 1, e.diagnostics
    return 0, list(program.diagnostics)


def describe(diagnostics) -> str:
    return "\n".join(d.format() for d in diagnostics) or "(no diagnostics)"


@pytest.mark.parametrize("entry", ALL, ids=[e["file"] for e in ALL])
def test_api_reports_the_expected_diagnostic(entry, tmp_path_factory):
    path = path_of(entry, tmp_path_factory)
    outcome, diagnostics = api_diagnostics(path)  # any exception other than CompileError fails here
    assert all(d.code and d.severity and d.message for d in diagnostics)
    e = expected(entry)
    assert outcome == e["exit"] and any(matches(d, e) for d in diagnostics), (
        f"{entry['file']}: expected {e}, got {'CompileError' if outcome else 'a program'} with\n"
        + describe(diagnostics)
    )


@pytest.mark.parametrize("entry", ALL, ids=[e["file"] for e in ALL])
def test_check_command_reports_the_expected_code(entry, tmp_path_factory):
    path = path_of(entry, tmp_path_factory)
    r = CliRunner().invoke(app, ["check", str(path)])
    out = r.output
    assert "Traceback" not in out and "internal error" not in out, out[-2000:]
    assert r.exit_code != 70 and (r.exception is None or isinstance(r.exception, SystemExit)), (
        r.exit_code,
        out[-2000:],
    )
    e = expected(entry)
    # the line is "CODE block.port: message" (docs/guide/cli.md#diagnostics)
    if "port" in e:
        line = re.compile(rf"\b{e['code']} {re.escape(e['block'])}\.{re.escape(e['port'])}:")
    elif "block" in e:
        line = re.compile(rf"\b{e['code']} {re.escape(e['block'])}[.:]")
    else:
        line = re.compile(rf"\b{e['code']}\b")
    assert r.exit_code == e["exit"] and line.search(out), (
        f"{entry['file']}: exit {r.exit_code}, expected {e}:\n{out[-2000:]}"
    )


def test_the_corpus_has_60_committed_files_each_in_the_manifest():
    files = sorted(p.name for p in (HERE / "patches").iterdir())
    listed = sorted(e["file"] for e in ENTRIES)
    assert files == listed, "every file in patches/ is listed once, and every listed file exists"
    assert len(files) >= 60
    assert all(e.get("why") for e in ALL), "every entry says what it reproduces"


def test_the_corpus_covers_every_code_a_patch_can_produce():
    page = (ROOT / "docs" / "language" / "diagnostics-codes.md").read_text(encoding="utf-8")
    headings = re.findall(r"^### (.+)$", page, re.M)
    documented = {c for h in headings for c in re.findall(r"\b[EWI](?:_[A-Z0-9]+)+\b", h)}
    assert "E_PATCH_INVALID" in documented and len(documented) > 20
    covered = {e["code"] for e in ALL}
    missing = documented - covered - set(NOT_FROM_A_PATCH)
    assert not missing, f"codes of the diagnostics page without a corpus entry: {sorted(missing)}"
