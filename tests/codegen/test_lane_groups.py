"""Field kernels compute four lanes per invocation; lane counts that are not multiples of 4 must
store exactly their lanes and leave neighbouring slots untouched."""

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.formulas import hash01, normalized_index

import oscilla as osc

pytestmark = pytest.mark.gpu


def _patch(counts):
    blocks = [blk("time", "InfiniteTimeRoot")]
    edges = []
    for k, n in enumerate(counts):
        blocks += [
            blk(f"a{k}", "Array", count=n),
            blk(f"g{k}", "GridLayout", rows=3, cols=3),
            blk(f"h{k}", "Hash", seed=float(k)),
            blk(f"lag{k}", "Lag", smoothing=0.5),
            blk(f"r{k}", "RenderInstances2D"),
        ]
        edges += [
            edge(f"a{k}.elements", f"g{k}.elements"),
            edge(f"g{k}.position", f"r{k}.pos"),
            edge(f"a{k}.t", f"h{k}.value"),
            edge(f"h{k}.out", f"lag{k}.target"),
            edge(f"lag{k}.out", f"r{k}.size"),
        ]
    return make_patch(blocks, edges, root=False)


@pytest.mark.parametrize("counts", [(1, 2, 3), (5, 6, 7), (1001, 9, 4)])
def test_odd_lane_counts_store_exactly_their_lanes(counts):
    observe = [f"{b}{k}.{p}" for k in range(len(counts)) for b, p in (("a", "index"), ("h", "out"), ("g", "position"))]
    program = osc.compile(_patch(counts), observe=observe)
    rt = osc.Runtime(program)
    rt.step(0.0)
    rt.step(16.0)
    for k, n in enumerate(counts):
        i = np.arange(n)
        np.testing.assert_array_equal(rt.read(f"a{k}.index"), i)
        h = hash01(normalized_index(n), np.float32(k))
        np.testing.assert_array_equal(rt.read(f"h{k}.out").view(np.uint32), h.view(np.uint32))
        pos = rt.read(f"g{k}.position")
        np.testing.assert_allclose(pos[:, 0], ((i % 3) + 0.5) / 3, rtol=1e-6)
        np.testing.assert_allclose(pos[:, 1], (((i // 3) % 3) + 0.5) / 3, rtol=1e-6)
        np.testing.assert_allclose(rt.read_state(f"lag{k}:lag"), 0.75 * h, rtol=1e-6)
