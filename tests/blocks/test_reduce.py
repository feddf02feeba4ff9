"""Reduce (blocks.md §5.5): a GPU parallel reduction between stages, compared with float64 numpy."""

import numpy as np
import pytest
from support.formulas import hash01, normalized_index
from support.reported import reported

import oscilla as osc

pytestmark = pytest.mark.gpu
T = {"id": "time", "type": "InfiniteTimeRoot"}
OPS = {"sum": np.sum, "avg": np.mean, "min": np.min, "max": np.max}


def _hash_field_patch(n, op):
    return {
        "oscilla": 1,
        "blocks": [
            T,
            {"id": "a", "type": "Array", "params": {"count": n}},
            {"id": "h", "type": "Hash"},
            {"id": "r", "type": "Reduce", "params": {"op": op}},
        ],
        "edges": [{"from": "a.t", "to": "h.value"}, {"from": "h.out", "to": "r.field"}],
    }


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("n", [1, 7, 1000, 5000, 70_001])
def test_reduce_ops_against_float64(runtime_cls, op, n):
    rt = runtime_cls(osc.compile(_hash_field_patch(n, op), observe=["r.signal"]))
    rt.step(0.0)
    x = hash01(normalized_index(n), np.float32(0)).astype(np.float64)
    np.testing.assert_allclose(rt.read("r.signal"), OPS[op](x), rtol=1e-5, atol=1e-5)


def test_w12_reduce_over_1_2_3_4(runtime_cls):
    blocks = [T, {"id": "a", "type": "Array", "params": {"count": 4}}, {"id": "one", "type": "Add", "params": {"b": 1}}]
    edges = [{"from": "a.index", "to": "one.a"}]
    for op in OPS:
        blocks.append({"id": op, "type": "Reduce", "params": {"op": op}})
        edges.append({"from": "one.out", "to": f"{op}.field"})
    rt = runtime_cls(
        osc.compile({"oscilla": 1, "blocks": blocks, "edges": edges}, observe=[f"{op}.signal" for op in OPS])
    )
    rt.step(0.0)
    assert [float(rt.read(f"{op}.signal")) for op in OPS] == [10.0, 2.5, 1.0, 4.0]


def test_vector_reduce_is_component_wise_and_keeps_payload(runtime_cls):
    n = 1000
    patch = {
        "oscilla": 1,
        "blocks": [
            T,
            {"id": "a", "type": "Array", "params": {"count": n}},
            {"id": "g", "type": "GridLayout", "params": {"rows": 10, "cols": 100}},
            {"id": "r", "type": "Reduce", "params": {"op": "max"}},
        ],
        "edges": [{"from": "a.elements", "to": "g.elements"}, {"from": "g.position", "to": "r.field"}],
    }
    rt = runtime_cls(osc.compile(patch, observe=["r.signal"]))
    rt.step(0.0)
    np.testing.assert_allclose(rt.read("r.signal"), [0.995, 0.95, 0.0], rtol=1e-6)


def test_int_and_bool_fields_reduce_as_float(runtime_cls):
    n = 333
    patch = {
        "oscilla": 1,
        "blocks": [
            T,
            {"id": "a", "type": "Array", "params": {"count": n}},
            {"id": "ri", "type": "Reduce"},
            {"id": "rb", "type": "Reduce"},
        ],
        "edges": [{"from": "a.index", "to": "ri.field"}, {"from": "a.active", "to": "rb.field"}],
    }
    rt = runtime_cls(osc.compile(patch, observe=["ri.signal", "rb.signal"]))
    rt.step(0.0)
    assert float(rt.read("ri.signal")) == n * (n - 1) / 2
    assert float(rt.read("rb.signal")) == n


def test_field_signal_field_splits_into_stages(runtime_cls):
    """Centre a jittered field on its own mean: field -> Reduce -> signal -> field in one frame."""
    n = 2000
    patch = {
        "oscilla": 1,
        "blocks": [
            T,
            {"id": "a", "type": "Array", "params": {"count": n}},
            {"id": "h", "type": "Hash"},
            {"id": "m", "type": "Reduce", "params": {"op": "avg"}},
            {"id": "c", "type": "Subtract"},
            {"id": "lag", "type": "Lag", "params": {"smoothing": 1}},
        ],
        "edges": [
            {"from": "a.t", "to": "h.value"},
            {"from": "time.phaseA", "to": "h.seed"},
            {"from": "h.out", "to": "m.field"},
            {"from": "h.out", "to": "c.a"},
            {"from": "m.signal", "to": "c.b"},
            {"from": "c.out", "to": "lag.target"},
        ],
    }
    program = osc.compile(patch, observe=["c.out", "h.out"])
    # stage 0: signal, field (also folds per-workgroup partials); stage 1: signal (folds the
    # partials into the mean), field; then the commit: the Reduce adds no dispatch of its own
    assert [s.kind for s in program.schedule] == [
        "signalKernel",
        "fieldKernel",
        "signalKernel",
        "fieldKernel",
        "stateWrite",
    ]
    assert program.kernels[1].partials and not program.kernels[3].partials
    stages = 2
    assert program.dispatches_per_frame == len(program.instances) + stages + 2
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
    patch = {
        "oscilla": 1,
        "blocks": [
            T,
            {"id": "a", "type": "Array", "params": {"count": 10}},
            {"id": "add", "type": "Add"},
            {"id": "r", "type": "Reduce"},
        ],
        "edges": [
            {"from": "a.t", "to": "add.a"},
            {"from": "r.signal", "to": "add.b"},
            {"from": "add.out", "to": "r.field"},
        ],
    }
    e = reported(patch)
    assert [d.code for d in e.value.diagnostics] == ["E_CYCLE_DETECTED"]
