#!/usr/bin/env python3
"""Write docs/reference/blocks.md from the block registry (run after adding or changing a block)."""

from pathlib import Path

from oscilla.blocks.reference_page import render_reference

if __name__ == "__main__":
    path = Path(__file__).resolve().parent.parent / "docs" / "reference" / "blocks.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_reference(), encoding="utf-8")
    print(f"wrote {path}")
