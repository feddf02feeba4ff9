"""docs/reference/blocks.md is generated from the registry and must be current."""

from support.paths import ROOT

from oscilla.blocks.reference_page import render_reference
from oscilla.blocks.registry import all_types


def test_committed_block_reference_is_current():
    page = (ROOT / "docs" / "reference" / "blocks.md").read_text(encoding="utf-8")
    assert page == render_reference(), (
        "docs/reference/blocks.md is out of date: run .venv/bin/python scripts/gen_block_reference.py"
    )


def test_every_block_type_has_a_section_and_a_formula():
    page = render_reference()
    for t in all_types():
        assert f"### {t}\n" in page
    assert "State cells: `<id>:ring` (frames × lanes, initialValue); `<id>:head` (1 int, 0)." in page
