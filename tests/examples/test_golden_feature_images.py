"""Golden images of one small patch per drawing feature of issue 10 (blend modes and strokes, lines,
trails with feedback, bloom), same tolerance and tests/_failures diff as the example golden images.
The patches are the ones pictured in the docs (docs/images/*.json, the single source).
Regenerate with OSCILLA_UPDATE_GOLDEN=1."""

import pytest
from support.golden import GOLDEN, check_image
from support.paths import ROOT

import oscilla as osc

# (patch under docs/images, time in ms, size): trails-feedback plays 1 s at 30 fps from t = 0, so the
# image is the 30th frame of the fade-and-zoom feedback state; its settings.size is 256x256.
FEATURE_PATCHES = [
    ("blend-and-strokes", 0.0, (256, 128)),
    ("lines", 0.0, (128, 128)),
    ("trails-feedback", 1000.0, (256, 256)),
    ("bloom", 0.0, (128, 128)),
]


@pytest.mark.gpu
@pytest.mark.parametrize("name, t_ms, size", FEATURE_PATCHES)
def test_feature_golden_image(name, t_ms, size, tmp_path):
    patch = ROOT / "docs" / "images" / f"{name}.json"
    img = osc.render_png(patch, tmp_path / "frame.png", t_ms=t_ms, size=size, fps=30)
    check_image(GOLDEN / "images" / "features" / f"{name}.png", img)
