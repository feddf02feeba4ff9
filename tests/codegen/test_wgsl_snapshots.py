"""Golden WGSL snapshots of three examples' kernels (a readable diff when codegen changes).
Regenerate with OSCILLA_UPDATE_GOLDEN=1."""

import pytest
from support.golden import GOLDEN, check_text
from support.paths import ROOT

import oscilla as osc
from oscilla.codegen.wgsl import kernel_prelude

WGSL_EXAMPLES = ["feedback", "lag-grid", "rect-mosaic"]


@pytest.mark.parametrize("name", WGSL_EXAMPLES)
def test_wgsl_snapshot(name):
    program = osc.compile(osc.load_patch(ROOT / "examples" / f"{name}.json"))
    prelude = kernel_prelude()
    for kernel, src in sorted(program.wgsl.items()):
        assert src.startswith(prelude)
        check_text(GOLDEN / "wgsl" / name / f"{kernel}.wgsl", src[len(prelude) :].lstrip("\n"))
