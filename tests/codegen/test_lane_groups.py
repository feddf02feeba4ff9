"""Field kernels compute four lanes per invocation; lane counts that are not multiples of 4 must
store exactly their lanes and leave neighbouring slots untouched."""

import numpy as np
import pytest
from support.formulas import hash01, normalized_index

import oscilla as osc

pytestmark = pytest.mark.gpu


def _patch(counts):
    blocks = [{"id": "time", "type": "InfiniteTimeRoot"}]
    edges = []
    for k, n in enumerate(counts):
        blocks += [
            {"id": f"a{k}", "type": "Array", "params": {"count": n}},
            {"id": f"g{k}", "type": "GridLayout", "params": {"rows": 3, "cols": 3}},
            {"id": f"h{k}", "type": "Hash", "params": {"seed": float(k)}},
            {"id": f"lag{k}", "type": "Lag", "params": {"smoothing": 0.5}},
            {"id": f"r{k}", "type": "RenderInstances2D"},
        ]
        edges += [
            {"from": f"a{k}.elements", "to": f"g{k}.elements"},
            {"from": f"g{k}.position", "to": f"r{k}.pos"},
            {"from": f"a{k}.t", "to": f"h{k}.value"},
            {"from": f"h{k}.out", "to": f"lag{k}.target"},
            {"from": f"lag{k}.out", "to": f"r{k}.size"},
        ]
    return {"oscilla": 1, "blocks": blocks, "edges": edges}


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
