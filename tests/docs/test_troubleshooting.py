"""The troubleshooting guide lists every error a user can meet: every code of the diagnostics page
(linked to its section there), every exit code of the CLI, and the public exception types."""

from __future__ import annotations

import re

from support.paths import ROOT

import oscilla.cli as cli

DOCS = ROOT / "docs"
GUIDE = (DOCS / "guide" / "troubleshooting.md").read_text(encoding="utf-8")


def _section(text: str, anchor: str) -> str:
    """The text of the ``##`` section whose heading carries ``{#anchor}``."""
    start = text.index(f"{{#{anchor}}}")
    end = text.find("\n## ", start)
    return text[start : end if end >= 0 else len(text)]


def _code_anchors() -> dict[str, str]:
    """code -> anchor of its section on docs/language/diagnostics-codes.md: the explicit ``{#id}``
    of the heading, or the heading lowercased (MkDocs' default slug of a bare code)."""
    page = (DOCS / "language" / "diagnostics-codes.md").read_text(encoding="utf-8")
    anchors = {}
    for heading in re.findall(r"^### (.+)$", page, re.M):
        explicit = re.search(r"\{#([^}]+)\}", heading)
        for code in re.findall(r"\b[EWI](?:_[A-Z0-9]+)+\b", heading):
            anchors[code] = explicit.group(1) if explicit else heading.strip().lower()
    return anchors


def test_every_diagnostic_code_is_listed_with_a_link_to_its_section():
    anchors = _code_anchors()
    assert len(anchors) > 20 and "E_PATCH_INVALID" in anchors
    listed = _section(GUIDE, "diagnostic-codes")
    missing = [
        code
        for code, anchor in anchors.items()
        if f"[`{code}`](../language/diagnostics-codes.md#{anchor})" not in listed
    ]
    assert not missing, f"codes without a row linking to their section: {missing}"


def test_every_exit_code_has_a_row():
    codes = sorted({v for k, v in vars(cli).items() if k.startswith("EXIT_") and isinstance(v, int)})
    assert codes[:2] == [0, 1] and 70 in codes
    table = _section(GUIDE, "exit-codes")
    rows = {int(m) for m in re.findall(r"^\| (\d+) \|", table, re.M)}
    assert set(codes) <= rows, f"exit codes without a row: {sorted(set(codes) - rows)}"


def test_the_public_exceptions_are_listed():
    section = _section(GUIDE, "python-exceptions")
    for name in (
        "CompileError",
        "OSError",
        "TypeError",
        "ValueError",
        "KeyError",
        "InputTypeError",
        "UnknownChannelWarning",
        "RenderSizeError",
        "NoAdapterError",
        "NoDisplayError",
    ):
        assert f"`{name}`" in section or f"`osc.{name}`" in section, name
    for call in ("rt.step", "rt.set_input", "rt.render", "rt.read", "osc.compile", "osc.load_patch", "osc.Player"):
        assert f"`{call}" in section, call
