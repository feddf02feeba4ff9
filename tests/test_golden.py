"""Golden WGSL snapshots (a readable diff when codegen changes) and golden images (a tolerance,
and a diff image on failure) for three examples each. Regenerate with OSCILLA_UPDATE_GOLDEN=1."""

import pytest
from conftest import ROOT
from golden_tools import GOLDEN, check_image, check_text

import oscilla as osc
from oscilla.shaders import load_wgsl

WGSL_EXAMPLES = ["feedback", "lag-grid", "rect-mosaic"]
IMAGE_EXAMPLES = [("golden-spiral", 2000.0), ("orbital-rings", 1500.0), ("shape-kaleidoscope", 1200.0)]


@pytest.mark.parametrize("name", WGSL_EXAMPLES)
def test_wgsl_snapshot(name):
    program = osc.compile(osc.load_patch(ROOT / "examples" / f"{name}.json"))
    prelude = load_wgsl("prelude.wgsl")
    for kernel, src in sorted(program.wgsl.items()):
        assert src.startswith(prelude)
        check_text(GOLDEN / "wgsl" / name / f"{kernel}.wgsl", src[len(prelude) :].lstrip("\n"))


@pytest.mark.gpu
@pytest.mark.parametrize("name, t_ms", IMAGE_EXAMPLES)
def test_golden_image(name, t_ms, tmp_path):
    img = osc.render_png(ROOT / "examples" / f"{name}.json", tmp_path / "frame.png", t_ms=t_ms, size=(256, 256), fps=30)
    check_image(GOLDEN / "images" / f"{name}.png", img)
