"""Compiler scale (issue 9): the passes are linear in blocks + edges. These tests pin the
behaviour the rewrites must keep (timing is benchmarks/bench_compile_scale.py's job): type
inference by worklist gives the types the patch means whatever the block order, around feedback
loops too, and the graph's consumer index answers like a scan of the edges."""

from __future__ import annotations

import gc

import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.compiler.cycles import check_cycles
from oscilla.compiler.graph import NEdge
from oscilla.compiler.infer_types import infer_types
from oscilla.compiler.normalize import normalize
from oscilla.diagnostics import CompileError, DiagnosticCollector
from oscilla.patch import load_patch


def typed(patch: dict):
    diags = DiagnosticCollector()
    g = normalize(load_patch(patch), diags)
    t = infer_types(g, diags)
    return g, t, diags.items


def vec_chain(n: int, reverse: bool) -> dict:
    """Const vec2 -> Add x n -> Add.out; listed forwards or backwards (every edge pointing back)."""
    adds = [blk(f"a{i}", "Add", b=0.5) for i in range(n)]
    blocks = [blk("c", "Const", value=[1.0, 2.0], payloadType="vec2"), *adds]
    edges = [edge("c.out", "a0.a")] + [edge(f"a{i - 1}.out", f"a{i}.a") for i in range(1, n)]
    if reverse:
        blocks = blocks[::-1]
    return make_patch(blocks, edges)


@pytest.mark.parametrize("reverse", [False, True])
def test_payloads_propagate_down_a_chain_in_either_block_order(reverse):
    _g, t, diags = typed(vec_chain(200, reverse))
    assert not [d for d in diags if d.severity == "error"]
    # vec2 + float is vec2 at every link, however far down the chain
    assert {t.out[(f"a{i}", "out")].payload for i in range(200)} == {"vec2"}


def test_a_field_travels_around_a_feedback_loop_listed_backwards():
    # Array.t -> add.a; add.out -> ud.in; ud.out -> add.b: the loop closes through the UnitDelay,
    # and the blocks are listed so that every edge but one points back in patch order
    patch = make_patch(
        [
            blk("ud", "UnitDelay"),
            blk("mul", "Multiply", b=2.0),
            blk("add", "Add"),
            blk("arr", "Array", count=8),
        ],
        [edge("arr.t", "add.a"), edge("add.out", "ud.in"), edge("ud.out", "mul.a"), edge("mul.out", "add.b")],
    )
    _g, t, diags = typed(patch)
    assert not [d for d in diags if d.severity == "error"], diags
    for port in (("add", "out"), ("ud", "out"), ("mul", "out")):
        assert (t.out[port].cardinality, t.out[port].instance) == ("field", "arr"), port


def test_consumers_are_the_edges_out_of_a_port_in_edge_order():
    patch = make_patch(
        [blk("c", "Const", value=1.0), blk("x", "Add"), blk("y", "Multiply"), blk("z", "Sin")],
        [edge("c.out", "y.a"), edge("c.out", "x.a"), edge("x.out", "z.input"), edge("c.out", "x.b")],
    )
    g, _t, _ = typed(patch)
    assert [(e.dst_block, e.dst_port) for e in g.consumers("c", "out")] == [("y", "a"), ("x", "a"), ("x", "b")]
    assert [(e.dst_block, e.dst_port) for e in g.consumers("x", "out")] == [("z", "input")]
    assert g.consumers("z", "result") == [] and g.consumers("nope", "out") == []
    g.edges.append(NEdge(99, "z", "result", "y", "b"))  # a pass that adds an edge sees it
    assert [(e.dst_block, e.dst_port) for e in g.consumers("z", "result")] == [("y", "b")]


@pytest.mark.parametrize("enabled", [True, False])
def test_compile_leaves_the_garbage_collector_as_it_found_it(enabled):
    good = make_patch([blk("c", "Const", value=1.0)])
    bad = make_patch([blk("x", "NoSuchBlock")])
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        osc.compile(good)
        assert gc.isenabled() is enabled
        with pytest.raises(CompileError):
            osc.compile(bad)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_a_cycle_at_the_end_of_a_long_chain_is_still_found():
    n = 500
    blocks = [blk("c", "Const", value=1.0)] + [blk(f"a{i}", "Add") for i in range(n)]
    edges = [edge("c.out", "a0.a")] + [edge(f"a{i - 1}.out", f"a{i}.a") for i in range(1, n)]
    diags = DiagnosticCollector()
    check_cycles(normalize(load_patch(make_patch(blocks, edges)), diags), diags)
    assert diags.items == []
    edges.append(edge(f"a{n - 1}.out", f"a{n - 3}.b"))  # a(n-3) -> a(n-2) -> a(n-1) -> a(n-3)
    diags = DiagnosticCollector()
    check_cycles(normalize(load_patch(make_patch(blocks, edges)), diags), diags)
    assert [(d.code, d.block) for d in diags.items] == [("E_CYCLE_DETECTED", f"a{n - 3}")]
    assert f"a{n - 3}, a{n - 2}, a{n - 1}" in diags.items[0].message


@pytest.mark.parametrize(
    ("a", "b", "mismatch"),
    [
        ("edge vec2", "edge color", True),  # two vectors from edges
        ("edge vec2", "inline color", True),  # an inline vector literal is an operand too
        ("inline color", "edge vec2", True),
        ("edge vec2", "inline vec3", False),  # vec2 is promoted to vec3
        ("edge vec2", "inline float", False),
    ],
)
def test_vector_operands_are_checked_wherever_a_vector_comes_from(a, b, mismatch):
    sources = {
        "edge vec2": blk("v2", "Const", value=[1.0, 2.0], payloadType="vec2"),
        "edge color": blk("col", "Const", value=[1.0, 0.0, 0.0, 1.0], payloadType="color"),
    }
    inline = {"inline color": [1.0, 0.0, 0.0, 1.0], "inline vec3": [1.0, 2.0, 3.0], "inline float": 2.0}
    blocks, edges, params = [], [], {}
    for port, what in (("a", a), ("b", b)):
        if what in sources:
            blocks.append(sources[what])
            edges.append(edge(f"{sources[what]['id']}.out", f"m.{port}"))
        else:
            params[port] = inline[what]
    many = [blk(f"pad{i}", "Add", b=1.0) for i in range(50)]  # blocks that never see a vector
    _g, _t, diags = typed(make_patch([*many, *blocks, blk("m", "Add", **params)], edges))
    found = [(d.code, d.block, d.port) for d in diags if "same vector type" in d.message]
    assert found == ([("E_TYPE_MISMATCH", "m", "b")] if mismatch else [])
