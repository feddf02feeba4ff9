#!/usr/bin/env python3
"""Write docs/reference/blocks.md from the block registry, and rewrite the generated tables of the
language pages (the regions between ``<!-- generated: NAME -->`` and ``<!-- end generated: NAME -->``
in any page under docs/, see oscilla/blocks/language_tables.py). Run after adding or changing a
block (``make reference``)."""

from pathlib import Path

from oscilla.blocks.language_tables import fill_generated
from oscilla.blocks.reference_page import render_reference

if __name__ == "__main__":
    docs = Path(__file__).resolve().parent.parent / "docs"
    path = docs / "reference" / "blocks.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_reference(), encoding="utf-8")
    print(f"wrote {path}")
    for page in sorted(docs.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        filled = fill_generated(text, page.relative_to(docs).as_posix())
        if filled != text:
            page.write_text(filled, encoding="utf-8")
            print(f"updated the generated tables of {page}")
