"""GPU timestamp profiling of a runtime's kernels."""

import pytest
from support.paths import ROOT

import oscilla as osc
from oscilla.runtime.profiling import profile_kernels, timestamps_supported

pytestmark = pytest.mark.gpu


def test_profile_kernels_times_every_per_frame_kernel():
    program = osc.compile(osc.load_patch(ROOT / "examples" / "lag-grid.json"))
    rt = osc.Runtime(program)
    if not timestamps_supported(rt.device):
        pytest.skip("adapter has no timestamp-query")
    times = profile_kernels(rt, 0.0, repeats=3)
    per_frame = [k.name for k in program.kernels if not k.once]
    assert sorted(k for k in times if k != "total") == sorted(per_frame)
    assert all(v >= 0 for v in times.values())
    assert times["total"] == pytest.approx(sum(v for k, v in times.items() if k != "total"))
    assert times["field0"] > 0
