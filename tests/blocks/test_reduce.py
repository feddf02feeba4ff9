"""Reduce (docs/language/fields-and-instances.md#reduce): a GPU parallel reduction between stages, compared with float64
numpy."""

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.formulas import hash01, normalized_index
from support.reported import reported

import oscilla as osc

pytestmark = pytest.mark.gpu
T = blk("time", "InfiniteTimeRoot")
OPS = {"sum": np.sum, "avg": np.mean, "min": np.min, "max": np.max}


def _hash_field_patch(n, op):
    return make_patch(
        [blk("a", "Array", count=n), blk("h", "Hash"), blk("r", "Reduce", op=op)],
        [edge("a.t", "h.value"), edge("h.out", "r.field")],
    )


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("n", [1, 7, 1000, 5000, 70_001])
def test_reduce_ops_against_float64(runtime_cls, op, n):
    rt = runtime_cls(osc.compile(_hash_field_patch(n, op), observe=["r.signal"]))
    rt.step(0.0)
    x = hash01(normalized_index(n), np.float32(0)).astype(np.float64)
    np.testing.assert_allclose(rt.read("r.signal"), OPS[op](x), rtol=1e-5, atol=1e-5)


def test_w12_reduce_over_1_2_3_4(runtime_cls):
    blocks = [T, blk("a", "Array", count=4), blk("one", "Add", b=1)]
    edges = [edge("a.index", "one.a")]
    for op in OPS:
        blocks.append(blk(op, "Reduce", op=op))
        edges.append(edge("one.out", f"{op}.field"))
    rt = runtime_cls(osc.compile(make_patch(blocks, edges, root=False), observe=[f"{op}.signal" for op in OPS]))
    rt.step(0.0)
    assert [float(rt.read(f"{op}.signal")) for op in OPS] == [10.0, 2.5, 1.0, 4.0]


def test_vector_reduce_is_component_wise_and_keeps_payload(runtime_cls):
    n = 1000
    patch = make_patch(
        [blk("a", "Array", count=n), blk("g", "GridLayout", rows=10, cols=100), blk("r", "Reduce", op="max")],
        [edge("a.elements", "g.elements"), edge("g.position", "r.field")],
    )
    rt = runtime_cls(osc.compile(patch, observe=["r.signal"]))
    rt.step(0.0)
    np.testing.assert_allclose(rt.read("r.signal"), [0.995, 0.95, 0.0], rtol=1e-6)


def test_int_and_bool_fields_reduce_as_float(runtime_cls):
    n = 333
    patch = make_patch(
        [blk("a", "Array", count=n), blk("ri", "Reduce"), blk("rb", "Reduce")],
        [edge("a.index", "ri.field"), edge("a.active", "rb.field")],
    )
    rt = runtime_cls(osc.compile(patch, observe=["ri.signal", "rb.signal"]))
    rt.step(0.0)
    assert float(rt.read("ri.signal")) == n * (n - 1) / 2
    assert float(rt.read("rb.signal")) == n


def test_field_signal_field_splits_into_stages(runtime_cls):
    """Centre a jittered field on its own mean: field -> Reduce -> signal -> field in one frame."""
    n = 2000
    patch = make_patch(
        [
            blk("a", "Array", count=n),
            blk("h", "Hash"),
            blk("m", "Reduce", op="avg"),
            blk("c", "Subtract"),
            blk("lag", "Lag", smoothing=1),
        ],
        [
            edge("a.t", "h.value"),
            edge("time.phaseA", "h.seed"),
            edge("h.out", "m.field"),
            edge("h.out", "c.a"),
            edge("m.signal", "c.b"),
            edge("c.out", "lag.target"),
        ],
    )
    program = osc.compile(patch, observe=["c.out", "h.out"])
    # stage 0: signal, field (also folds per-workgroup partials); stage 1: signal (folds the
    # partials into the mean), field; then the commit (a buffer copy: the 2,000-lane Lag cell is
    # large, docs/runtime/execution-model.md#phase-2): the Reduce adds no dispatch of its own
    assert [s.kind for s in program.schedule] == [
        "signalKernel",
        "fieldKernel",
        "signalKernel",
        "fieldKernel",
        "stateWrite",
    ]
    assert program.kernels[1].partials and not program.kernels[3].partials
    stages = 2
    assert program.dispatches_per_frame == len(program.instances) + stages + 1
    assert len(program.state_copies) == 1 and program.state_copies[0].count == 2000
    rt = runtime_cls(program)
    for t in (0.0, 16.0, 250.0):
        rt.step(t)
        h = rt.read("h.out").astype(np.float64)
        np.testing.assert_allclose(rt.read("c.out"), h - h.mean(), atol=2e-6)
        np.testing.assert_allclose(rt.read_state("lag:lag"), h - h.mean(), atol=2e-6)


def test_one_million_lane_sum_is_within_tolerance_of_float64():
    n = 1_000_000
    rt = osc.Runtime(osc.compile(_hash_field_patch(n, "sum"), observe=["r.signal"]))
    rt.step(0.0)
    x = hash01(normalized_index(n), np.float32(0)).astype(np.float64)
    np.testing.assert_allclose(rt.read("r.signal"), x.sum(), rtol=1e-5)


def test_reduce_feeding_itself_without_state_is_a_cycle():
    patch = make_patch(
        [blk("a", "Array", count=10), blk("add", "Add"), blk("r", "Reduce")],
        [
            edge("a.t", "add.a"),
            edge("r.signal", "add.b"),
            edge("add.out", "r.field"),
        ],
    )
    e = reported(patch)
    assert [d.code for d in e.value.diagnostics] == ["E_CYCLE_DETECTED"]
