"""Error isolation and completeness of diagnostics (blocks.md §10.2, §10.3, W17)."""

import numpy as np
import pytest

import oscilla as osc

T = {"id": "time", "type": "InfiniteTimeRoot"}


def _keys(ds):
    return sorted((d.code, d.block, d.port) for d in ds)


def _sink(extra_blocks=(), extra_edges=()):
    """A drawable ring plus extra blocks and edges."""
    blocks = [
        T,
        {"id": "arr", "type": "Array", "params": {"count": 8}},
        {"id": "ring", "type": "CircleLayout"},
        {"id": "draw", "type": "RenderInstances2D"},
        *extra_blocks,
    ]
    edges = [{"from": "arr.elements", "to": "ring.elements"}, {"from": "ring.position", "to": "draw.pos"}, *extra_edges]
    return {"oscilla": 1, "blocks": blocks, "edges": edges}


def test_w17_with_the_expression():
    patch = {
        "oscilla": 1,
        "blocks": [
            T,
            {"id": "a", "type": "Array"},
            {"id": "g", "type": "GridLayout", "params": {"columns": 10, "width": 0.8}},
            {"id": "e", "type": "Ellipse"},
            {"id": "r", "type": "RenderInstances2D", "params": {"color": [1, 0, 0, 1]}},
            {"id": "x", "type": "Expression", "params": {"expression": "in0 +"}},
        ],
        "edges": [
            {"from": "a.idx", "to": "g.idx"},
            {"from": "g.pos", "to": "r.pos"},
            {"from": "e.shape", "to": "r.shape"},
        ],
    }
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    ds = e.value.diagnostics
    assert _keys(ds) == sorted(
        [
            ("E_UNKNOWN_PARAM", "g", "columns"),
            ("E_UNKNOWN_PARAM", "g", "width"),
            ("E_UNKNOWN_PORT", "a", "idx"),
            ("E_UNKNOWN_PORT", "g", "idx"),
            ("E_UNKNOWN_PORT", "g", "pos"),
            ("E_MISSING_INPUT", "g", "elements"),
            ("W_BLOCK_UNREACHABLE_ERROR", "x", "expression"),
            ("W_GRAPH_DISCONNECTED_BLOCK", "x", None),
        ]
    )
    [w] = [d for d in ds if d.code == "W_BLOCK_UNREACHABLE_ERROR"]
    assert (w.severity, w.cause, w.position) == ("warning", "E_EXPR_SYNTAX", 5)


def test_error_in_an_unreachable_block_is_a_warning_and_the_rest_runs():
    patch = _sink(
        [{"id": "bad", "type": "Oscillator", "params": {"amplitud": 2}}, {"id": "after", "type": "Sin"}],
        [{"from": "bad.out", "to": "after.input"}],
    )
    program = osc.compile(patch, observe=["ring.position", "after.result"])
    ds = program.diagnostics
    assert _keys(ds) == sorted(
        [
            ("W_BLOCK_UNREACHABLE_ERROR", "bad", "amplitud"),
            ("W_GRAPH_DISCONNECTED_BLOCK", "bad", None),
            ("W_GRAPH_DISCONNECTED_BLOCK", "after", None),
        ]
    )
    assert next(d for d in ds if d.code == "W_BLOCK_UNREACHABLE_ERROR").cause == "E_UNKNOWN_PARAM"
    rt = osc.Runtime(program)
    rt.step(0.0)
    i = np.arange(8)
    np.testing.assert_allclose(rt.read("ring.position")[:, 0], 0.5 + 0.3 * np.cos(2 * np.pi * i / 8), atol=1e-6)
    with pytest.raises(KeyError):  # the broken block and everything downstream were left out
        rt.read("after.result")
    assert rt.render(64, 64).shape == (64, 64, 4)


def test_error_in_a_block_that_reaches_a_sink_stays_an_error():
    patch = _sink(
        [{"id": "bad", "type": "Oscillator", "params": {"amplitud": 2}}], [{"from": "bad.out", "to": "draw.size"}]
    )
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    assert _keys(e.value.diagnostics) == [("E_UNKNOWN_PARAM", "bad", "amplitud")]


def test_edges_with_invalid_ports_still_count_for_reach():
    patch = _sink([{"id": "bad", "type": "Sin", "params": {"input": "x"}}], [{"from": "bad.result", "to": "draw.nope"}])
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    assert ("E_PARAM_INVALID", "bad", "input") in _keys(e.value.diagnostics)


@pytest.mark.parametrize(
    "extra, code",
    [
        ([{"id": "time2", "type": "CyclicTimeRoot"}], "E_TIME_ROOT_MULTIPLE"),
        ([{"id": "arr", "type": "Sin"}], "E_DUPLICATE_BLOCK_ID"),
    ],
)
def test_graph_level_errors_are_never_downgraded(extra, code):
    patch = {"oscilla": 1, "blocks": [T, {"id": "arr", "type": "Array"}, *extra], "edges": []}
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    assert code in [d.code for d in e.value.diagnostics if d.severity == "error"]


def test_errors_on_a_time_root_are_never_downgraded():
    patch = {
        "oscilla": 1,
        "blocks": [{"id": "time", "type": "InfiniteTimeRoot", "params": {"periodAMs": -1}}],
        "edges": [],
    }
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    assert [(d.code, d.block) for d in e.value.diagnostics if d.severity == "error"] == [("E_PARAM_INVALID", "time")]


def test_independent_problems_of_different_passes_are_reported_together():
    """A param error (normalize), a type error (types) and a cycle (cycles) in one patch."""
    patch = _sink(
        [
            {"id": "o", "type": "Oscillator", "params": {"mode": "nope"}},
            {"id": "c", "type": "Const", "params": {"value": [1, 0, 0, 1]}},
            {"id": "s", "type": "Sin"},
            {"id": "p", "type": "Add"},
            {"id": "q", "type": "Add"},
        ],
        [
            {"from": "o.out", "to": "draw.size"},
            {"from": "c.out", "to": "s.input"},
            {"from": "s.result", "to": "draw.rotation"},
            {"from": "p.out", "to": "q.a"},
            {"from": "q.out", "to": "p.a"},
            {"from": "q.out", "to": "ring.radius"},
        ],
    )
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    codes = {d.code for d in e.value.diagnostics if d.severity == "error"}
    assert {"E_PARAM_INVALID", "E_TYPE_MISMATCH", "E_CYCLE_DETECTED"} <= codes


def test_disconnected_warnings_skip_roots_sinks_and_cameras():
    patch = _sink([{"id": "cam", "type": "Camera"}, {"id": "lonely", "type": "Sin"}])
    program = osc.compile(patch)
    assert _keys(program.diagnostics) == [("W_GRAPH_DISCONNECTED_BLOCK", "lonely", None)]


def test_observing_a_left_out_block_does_not_fail_the_compile():
    patch = _sink([{"id": "bad", "type": "Sin", "params": {"input": "x"}}])
    program = osc.compile(patch, observe=["bad.result", "ring.position"])
    assert "bad.result" not in program.ports and "ring.position" in program.ports
