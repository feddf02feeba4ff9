"""Write examples/assets/moon-phases.png: the sprite sheet of examples/sprites.json (docs/language/rendering.md#images).

Eight 32 x 32 cells in a 4 x 2 grid (row-major from the top left), the phases of a moon: a white
disc of radius 13 px with a shadow disc sliding across it, anti-aliased by 4 x 4 supersampling,
transparent around, so the sink's colour tints the white. Run ``python scripts/gen_sprite_sheet.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "examples" / "assets" / "moon-phases.png"
CELL, COLS, ROWS, RADIUS, SUPER = 32, 4, 2, 13.0, 4


def cell(k: int) -> np.ndarray:
    """Cell ``k`` (0..7) as (CELL, CELL, 4) uint8: white, alpha = lit coverage."""
    s = (np.arange(CELL * SUPER) + 0.5) / SUPER - CELL / 2
    x, y = np.meshgrid(s, s)
    disc = x * x + y * y <= RADIUS * RADIUS
    shift = (k / (COLS * ROWS)) * 4 * RADIUS - 2 * RADIUS  # the shadow's centre: -2R .. 2R
    shadow = (x - shift) ** 2 + y * y <= RADIUS * RADIUS
    lit = disc & ~shadow
    cover = lit.reshape(CELL, SUPER, CELL, SUPER).mean(axis=(1, 3))
    out = np.full((CELL, CELL, 4), 255, np.uint8)
    out[..., 3] = np.round(cover * 255).astype(np.uint8)
    return out


def main() -> int:
    sheet = np.zeros((ROWS * CELL, COLS * CELL, 4), np.uint8)
    for k in range(COLS * ROWS):
        r, c = divmod(k, COLS)
        sheet[r * CELL : (r + 1) * CELL, c * CELL : (c + 1) * CELL] = cell(k)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet, "RGBA").save(OUT, optimize=True)
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
