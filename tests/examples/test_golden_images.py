"""Golden images of four examples (a tolerance, and a diff image in tests/_failures on failure).
Regenerate with OSCILLA_UPDATE_GOLDEN=1."""

import pytest
from support.golden import GOLDEN, check_image
from support.paths import ROOT

import oscilla as osc

# galaxy is the flagship: 100,000 lanes with per-lane state, additive blending, trails and bloom.
IMAGE_EXAMPLES = [
    ("golden-spiral", 2000.0),
    ("orbital-rings", 1500.0),
    ("shape-kaleidoscope", 1200.0),
    ("galaxy", 1000.0),
]


@pytest.mark.gpu
@pytest.mark.parametrize("name, t_ms", IMAGE_EXAMPLES)
def test_golden_image(name, t_ms, tmp_path):
    img = osc.render_png(ROOT / "examples" / f"{name}.json", tmp_path / "frame.png", t_ms=t_ms, size=(256, 256), fps=30)
    check_image(GOLDEN / "images" / f"{name}.png", img)
