"""Dispatch grids: 2-D grids past 65535 workgroups, and a 2,000,000-lane instance end to end."""

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.abi import dispatch
from oscilla.abi.dispatch import WORKGROUP_SIZE, dispatch_grid
from oscilla.gpu import device as gpu


@pytest.mark.parametrize("n", [1, 255, 256, 257, 2_000_000, 16_777_216, 65535 * 256 + 1])
@pytest.mark.parametrize("group", [64, 256])
def test_dispatch_grid_covers_every_lane(n, group):
    x, y = dispatch_grid(n, group)
    assert 1 <= x <= 65535 and y >= 1
    assert x * y * group >= n
    assert (x * (y - 1)) * group < n  # no fully idle row of workgroups


def test_dispatch_grid_goes_2d_past_65535_groups():
    assert dispatch_grid(65535 * 256, 256) == (65535, 1)
    x, y = dispatch_grid(65535 * 256 + 1, 256)
    assert y == 2


def _index_lag_patch(n):
    return make_patch(
        [
            blk("arr", "Array", count=n),
            blk("lag", "Lag", smoothing=0.5),
            blk("grid", "GridLayout", rows=1000, cols=1000),
            blk("draw", "RenderInstances2D"),
        ],
        [
            edge("arr.index", "lag.target"),
            edge("arr.elements", "grid.elements"),
            edge("grid.position", "draw.pos"),
            edge("lag.out", "draw.size"),
        ],
    )


@pytest.mark.gpu
def test_2d_grid_on_the_device(monkeypatch):
    """Force 2-D grids (at most 7 groups per row) so every kernel, the phase 2 commit included,
    must recover its lane as gid.x + gid.y * num_workgroups.x * group."""
    monkeypatch.setattr(dispatch, "MAX_GROUPS_X", 7)
    n = 10_000
    program = osc.compile(_index_lag_patch(n), observe=["arr.index"])
    rt = osc.Runtime(program)
    assert dispatch_grid(n, WORKGROUP_SIZE, max_x=7)[1] > 1
    rt.step(0.0)
    rt.step(16.0)
    i = np.arange(n)
    np.testing.assert_array_equal(rt.read("arr.index"), i)
    np.testing.assert_allclose(rt.read_state("lag:lag"), 0.75 * i, rtol=1e-6)  # two lerps toward i


@pytest.mark.gpu
def test_two_million_lane_instance():
    n = 2_000_000
    program = osc.compile(_index_lag_patch(n), observe=["arr.index"])
    rt = osc.Runtime(program)
    rt.step(0.0)
    idx = rt.read("arr.index")
    assert idx.shape == (n,) and idx[-1] == n - 1 and idx[65535 * 16] == 65535 * 16
    pos = rt.read("draw.pos")
    last = n - 1
    np.testing.assert_allclose(
        pos[last], [(last % 1000 + 0.5) / 1000, ((last // 1000) % 1000 + 0.5) / 1000, 0], rtol=1e-6
    )
    lag = rt.read_state("lag:lag")
    np.testing.assert_allclose(
        lag[[0, 1, n // 2, last]], 0.5 * np.array([0, 1, n // 2, last], dtype=np.float32), rtol=1e-6
    )


@pytest.mark.gpu
def test_buffers_beyond_the_device_binding_limit_are_e_limit_exceeded():

    limit = gpu.device_limit("max-storage-buffer-binding-size")
    n = 2**24  # 16.7M lanes x 4 components x 4 bytes = 256 MiB of colour
    if n * 16 <= limit:
        pytest.skip("this device binds more than the patch needs")
    patch = make_patch(
        [
            blk("arr", "Array", count=n),
            blk("hue", "HueFromPhase"),
            blk("rgb", "HsvToRgb"),
            blk("grid", "GridLayout"),
            blk("draw", "RenderInstances2D"),
        ],
        [
            edge("arr.t", "hue.id01"),
            edge("hue.hue", "rgb.hue"),
            edge("rgb.color", "draw.color"),
            edge("arr.elements", "grid.elements"),
            edge("grid.position", "draw.pos"),
        ],
    )
    with pytest.raises(osc.CompileError) as e:
        osc.Runtime(osc.compile(patch))
    codes = {d.code for d in e.value.diagnostics}
    assert codes == {"E_LIMIT_EXCEEDED"}
    assert any(d.block == "arr" for d in e.value.diagnostics)
