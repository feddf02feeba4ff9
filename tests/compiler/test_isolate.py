"""Error isolation and completeness of diagnostics (docs/language/diagnostics-codes.md#codes, #isolation,
#example-stale-names)."""

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc

T = blk("time", "InfiniteTimeRoot")


def _keys(ds):
    return sorted((d.code, d.block, d.port) for d in ds)


def _sink(extra_blocks=(), extra_edges=()):
    """A drawable ring plus extra blocks and edges."""
    blocks = [
        T,
        blk("arr", "Array", count=8),
        blk("ring", "CircleLayout"),
        blk("draw", "RenderInstances2D"),
        *extra_blocks,
    ]
    edges = [edge("arr.elements", "ring.elements"), edge("ring.position", "draw.pos"), *extra_edges]
    return make_patch(blocks, edges, root=False)


def test_w17_with_the_expression():
    patch = make_patch(
        [
            blk("a", "Array"),
            blk("g", "GridLayout", columns=10, width=0.8),
            blk("e", "Ellipse"),
            blk("r", "RenderInstances2D", color=[1, 0, 0, 1]),
            blk("x", "Expression", expression="in0 +"),
        ],
        [
            edge("a.idx", "g.idx"),
            edge("g.pos", "r.pos"),
            edge("e.shape", "r.shape"),
        ],
    )
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
        [blk("bad", "Oscillator", amplitud=2), blk("after", "Sin")],
        [edge("bad.out", "after.input")],
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
    patch = _sink([blk("bad", "Oscillator", amplitud=2)], [edge("bad.out", "draw.size")])
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    assert _keys(e.value.diagnostics) == [("E_UNKNOWN_PARAM", "bad", "amplitud")]


def test_edges_with_invalid_ports_still_count_for_reach():
    patch = _sink([blk("bad", "Sin", input="x")], [edge("bad.result", "draw.nope")])
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    assert ("E_PARAM_INVALID", "bad", "input") in _keys(e.value.diagnostics)


@pytest.mark.parametrize(
    "extra, code",
    [
        ([blk("time2", "CyclicTimeRoot")], "E_TIME_ROOT_MULTIPLE"),
        ([blk("arr", "Sin")], "E_DUPLICATE_BLOCK_ID"),
    ],
)
def test_graph_level_errors_are_never_downgraded(extra, code):
    patch = make_patch([blk("arr", "Array"), *extra])
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    assert code in [d.code for d in e.value.diagnostics if d.severity == "error"]


def test_errors_on_a_time_root_are_never_downgraded():
    patch = make_patch([], periodAMs=-1)
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    assert [(d.code, d.block) for d in e.value.diagnostics if d.severity == "error"] == [("E_PARAM_INVALID", "time")]


def test_independent_problems_of_different_passes_are_reported_together():
    """A param error (normalize), a type error (types) and a cycle (cycles) in one patch."""
    patch = _sink(
        [
            blk("o", "Oscillator", mode="nope"),
            blk("c", "Const", value=[1, 0, 0, 1]),
            blk("s", "Sin"),
            blk("p", "Add"),
            blk("q", "Add"),
        ],
        [
            edge("o.out", "draw.size"),
            edge("c.out", "s.input"),
            edge("s.result", "draw.rotation"),
            edge("p.out", "q.a"),
            edge("q.out", "p.a"),
            edge("q.out", "ring.radius"),
        ],
    )
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    codes = {d.code for d in e.value.diagnostics if d.severity == "error"}
    assert {"E_PARAM_INVALID", "E_TYPE_MISMATCH", "E_CYCLE_DETECTED"} <= codes


def test_disconnected_warnings_skip_roots_sinks_and_cameras():
    patch = _sink([blk("cam", "Camera"), blk("lonely", "Sin")])
    program = osc.compile(patch)
    assert _keys(program.diagnostics) == [("W_GRAPH_DISCONNECTED_BLOCK", "lonely", None)]


def test_observing_a_left_out_block_does_not_fail_the_compile():
    patch = _sink([blk("bad", "Sin", input="x")])
    program = osc.compile(patch, observe=["bad.result", "ring.position"])
    assert "bad.result" not in program.ports and "ring.position" in program.ports
