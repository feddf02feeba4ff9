"""The million-lane examples (examples/*-1m.json), briefly: they compile, their first frames agree
with the reference interpreter on a sample of lanes, and the GPU draws them with the compute splat
rasterizer (docs/language/rendering.md#splat)."""

import numpy as np
import pytest
from support.paths import LARGE_EXAMPLES

import oscilla as osc

pytestmark = pytest.mark.gpu


@pytest.mark.parametrize("path", LARGE_EXAMPLES, ids=lambda p: p.stem)
def test_large_example_runs_and_splats(path):
    program = osc.compile(osc.load_patch(path), observe=["draw.pos"])
    assert max(n for n, _seed in program.instances.values()) >= 1_000_000
    rt = osc.Runtime(program, size=(128, 128))
    ref = osc.ReferenceRuntime(program)
    for t in (0.0, 1000.0 / 60.0):
        rt.step(t)
        ref.step(t)
    sample = np.s_[::9973]  # every 9,973rd lane
    np.testing.assert_allclose(rt.read("draw.pos")[sample], ref.read("draw.pos")[sample], rtol=1e-5, atol=1e-5)
    img = rt.render(128, 128)
    bg = np.round(np.clip(np.array(program.background), 0, 1) * 255).astype(np.uint8)
    assert (img != bg).any(axis=-1).mean() > 0.05, "nothing was drawn"
    assert rt._get_renderer("rgba8unorm").splats, "a million small dots should use the splat rasterizer"
