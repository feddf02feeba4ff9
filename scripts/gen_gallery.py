"""Regenerate the gallery (docs/images/gallery/): one small PNG per example, for the README and the docs home.

Run with ``make gallery``. Each example is rendered as playback reaches ``T_MS`` at 30 fps (so the
trails of a stateful example build up as they do in a window), at ``SIZE`` pixels, then quantized
to a 64-colour palette to keep the repository small (a few hundred KB for all of them).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PIL import Image

import oscilla as osc

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
OUT = ROOT / "docs" / "images" / "gallery"
SIZE = (160, 160)
COLOURS = 64
# The time of each example's picture (ms); the others use DEFAULT_T_MS.
T_MS = {"galaxy": 2000.0, "galaxy-1m": 2000.0, "golden-spiral": 2000.0, "camera-orbit": 1500.0}
DEFAULT_T_MS = 1200.0


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(EXAMPLES.glob("*.json")):
            name = path.stem
            img = osc.render_png(path, Path(tmp) / "frame.png", t_ms=T_MS.get(name, DEFAULT_T_MS), size=SIZE, fps=30)
            rgb = Image.fromarray(img[..., :3].copy(), "RGB")  # examples draw over an opaque background
            out = OUT / f"{name}.png"
            rgb.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
            total += out.stat().st_size
            print(f"{out.relative_to(ROOT)}  {out.stat().st_size / 1024:.1f} KB")
    print(f"{total / 1024:.1f} KB in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
