"""Errors that are never downgraded, W_NO_RENDER_SINK, isolation of deeply nested params and the
bounded did-you-mean (docs/language/diagnostics-codes.md#isolation, #w_no_render_sink, #suggestions).

* An unknown block type stays an error in a block that reaches no sink: a misspelled sink
  (``RenderInstance2D``) reaches nothing *because* its type is unknown, and downgrading it turned
  the patch into an empty picture.
* A patch without a render sink compiles (signal-only patches are read with ``Runtime.read``) with
  W_NO_RENDER_SINK.
* Leaving an unreachable broken block out copies only the lists it changes, never the user's
  params (which the Python builder lets nest 100,000 deep).
* A 200,000-character unknown type gets no suggestion (and costs no quadratic edit distance).
"""

from __future__ import annotations

import math

import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.compiler.isolate import without_blocks
from oscilla.diagnostics import suggest
from oscilla.patch import Patch


def _drawable(extra=(), extra_edges=(), sink="RenderInstances2D"):
    """time + Array arr -> CircleLayout ring -> <sink> draw, plus ``extra``."""
    blocks = [blk("arr", "Array", count=8), blk("ring", "CircleLayout"), blk("draw", sink), *extra]
    edges = [edge("arr.elements", "ring.elements"), edge("ring.position", "draw.pos"), *extra_edges]
    return make_patch(blocks, edges)


def _built(patch: dict) -> Patch:
    """The same patch made with the Python builder (no JSON loader, so no nesting limit)."""
    p = Patch()
    for b in patch["blocks"]:
        p.add(b["id"], b["type"], **b.get("params", {}))
    for e in patch["edges"]:
        p.connect(e["from"], e["to"])
    return p


def _compile_error(patch) -> list:
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    return e.value.diagnostics


def _deep(levels: int = 100_000):
    v: object = 1.0
    for _ in range(levels):
        v = [v]
    return v


# -- never downgraded ----------------------------------------------------------------------------------


def test_a_misspelled_sink_is_an_error_not_a_warning():
    ds = _compile_error(_drawable(sink="RenderInstance2D"))
    errors = [(d.code, d.block) for d in ds if d.severity == "error"]
    assert errors == [("E_UNKNOWN_BLOCK_TYPE", "draw")]
    [err] = [d for d in ds if d.code == "E_UNKNOWN_BLOCK_TYPE"]
    assert "did you mean 'RenderInstances2D'?" in err.message
    assert not [d for d in ds if d.code == "W_BLOCK_UNREACHABLE_ERROR"]


def test_the_no_sink_warning_names_the_misspelled_sink():
    ds = _compile_error(_drawable(sink="RenderInstance2D"))
    [w] = [d for d in ds if d.code == "W_NO_RENDER_SINK"]
    assert (w.severity, w.block) == ("warning", None)
    assert "'draw'" in w.message and "'RenderInstance2D'" in w.message and "'RenderInstances2D'" in w.message


@pytest.mark.parametrize("typ", ["Sinn", "Zqxwvjkpyy", "RenderInstances3D", "Camra"])
def test_an_unreachable_unknown_type_stays_an_error(typ):
    ds = _compile_error(_drawable([blk("x", typ)]))  # x reaches no sink
    assert [(d.code, d.block, d.severity) for d in ds if d.code.endswith("BLOCK_TYPE") or d.cause] == [
        ("E_UNKNOWN_BLOCK_TYPE", "x", "error")
    ]


def test_an_unknown_type_feeding_nothing_but_fed_by_the_patch_stays_an_error():
    ds = _compile_error(_drawable([blk("x", "Oscilator")], [edge("time.phaseA", "x.phase")]))
    assert [(d.code, d.block) for d in ds if d.severity == "error"] == [("E_UNKNOWN_BLOCK_TYPE", "x")]


def test_other_errors_of_unreachable_blocks_are_still_downgraded():
    program = osc.compile(_drawable([blk("x", "Sin", nope=1)]))
    assert sorted((d.code, d.block, d.cause) for d in program.diagnostics) == [
        ("W_BLOCK_UNREACHABLE_ERROR", "x", "E_UNKNOWN_PARAM"),
        ("W_GRAPH_DISCONNECTED_BLOCK", "x", None),
    ]


# -- W_NO_RENDER_SINK ------------------------------------------------------------------------------


def test_a_signal_only_patch_compiles_with_w_no_render_sink_and_reads(runtime_cls):
    patch = make_patch([blk("add", "Add", b=2.5)], [edge("time.phaseA", "add.a")])
    program = osc.compile(patch, observe=["add.out"])
    codes = sorted((d.code, d.block, d.severity) for d in program.diagnostics)
    assert codes == [("W_GRAPH_DISCONNECTED_BLOCK", "add", "warning"), ("W_NO_RENDER_SINK", None, "warning")]
    rt = runtime_cls(program)
    rt.step(0.0)
    rt.step(250.0)  # phaseA = 250 / 1000
    assert math.isclose(float(rt.read("add.out")), 2.75, abs_tol=1e-6)


def test_a_camera_alone_is_no_render_sink():
    program = osc.compile(make_patch([blk("cam", "Camera")]))
    assert [d.code for d in program.diagnostics] == ["W_NO_RENDER_SINK"]


def test_a_patch_that_draws_has_no_w_no_render_sink():
    assert osc.compile(_drawable()).diagnostics == ()


def test_an_empty_patch_with_only_a_time_root_gets_w_no_render_sink():
    program = osc.compile(make_patch([]), observe=["time.tMs"])
    assert [(d.code, d.severity) for d in program.diagnostics] == [("W_NO_RENDER_SINK", "warning")]


# -- deep params of an unreachable block --------------------------------------------------------------


@pytest.mark.parametrize("params", [{"input": "deep"}, {"nope": "deep"}], ids=["inline value", "unknown param"])
def test_a_deeply_nested_param_of_an_unreachable_block_is_left_out(params):
    deep = _deep()
    patch = _built(_drawable([blk("x", "Sin", **{k: deep for k in params})]))
    program = osc.compile(patch)  # no RecursionError from copying the patch
    [w] = [d for d in program.diagnostics if d.code == "W_BLOCK_UNREACHABLE_ERROR"]
    assert (w.block, w.cause) == ("x", "E_PARAM_INVALID" if "input" in params else "E_UNKNOWN_PARAM")
    assert "nope" in w.message or "a list of 1 items" in w.message


def test_deep_params_of_a_left_out_block_downstream_of_a_broken_one():
    patch = _built(
        _drawable(
            [blk("bad", "Sin", nope=1), blk("after", "Cos", alsonope=_deep())],
            [edge("bad.result", "after.input")],
        )
    )
    program = osc.compile(patch)  # both left out; the rest compiles
    assert sorted((d.block, d.cause) for d in program.diagnostics if d.code == "W_BLOCK_UNREACHABLE_ERROR") == [
        ("after", "E_UNKNOWN_PARAM"),
        ("bad", "E_UNKNOWN_PARAM"),
    ]


def test_a_deep_const_value_in_an_unreachable_block():
    program = osc.compile(_built(_drawable([blk("c", "Const", value=_deep())])))
    [w] = [d for d in program.diagnostics if d.code == "W_BLOCK_UNREACHABLE_ERROR"]
    assert (w.block, w.cause) == ("c", "E_PARAM_INVALID")


def test_without_blocks_copies_only_what_it_changes():
    deep = _deep()
    patch = _built(_drawable([blk("x", "Sin", nope=deep), blk("y", "Cos")], [edge("x.result", "y.input")]))
    before = [(e.src, e.dst, e.enabled) for e in patch.edges]
    p = without_blocks(patch, {"x"})
    assert [b.id for b in p.blocks] == ["time", "arr", "ring", "draw", "y"]
    assert [e.enabled for e in p.edges] == [True, True, False]  # the edge from x, disabled; indices kept
    assert [(e.src, e.dst, e.enabled) for e in patch.edges] == before  # the original is not modified
    assert [b.id for b in patch.blocks] == ["time", "arr", "ring", "draw", "x", "y"]
    assert p.blocks[-1] is patch.blocks[-1]  # kept blocks are shared, not copied
    assert patch.blocks[4].params["nope"] is deep


# -- did-you-mean on long names ---------------------------------------------------------------------


def test_a_200000_character_type_gets_no_suggestion():
    name = "RenderInstances2D" + "X" * 199_983
    assert len(name) == 200_000
    ds = _compile_error(_drawable([blk("x", name)]))
    [err] = [d for d in ds if d.code == "E_UNKNOWN_BLOCK_TYPE"]
    assert err.block == "x" and "did you mean" not in err.message
    assert "valid types: InfiniteTimeRoot" in err.message  # the valid names are still listed


def test_suggestions_for_normal_names_are_unchanged():
    types = ["InfiniteTimeRoot", "Oscillator", "RenderInstances2D", "GridLayout"]
    assert suggest("Oscilator", types) == "Oscillator"
    assert suggest("RenderInstance2D", types) == "RenderInstances2D"
    assert suggest("gridlayot", types) == "GridLayout"
    assert suggest("Zqxwvjkpyy", types) is None


def test_the_suggestion_length_limit_is_64_characters():
    types = ["Oscillator", "RenderInstances2D"]
    assert suggest("Oscillator" + "x" * 54, types) == "Oscillator"  # 64 characters: the prefix rule
    assert suggest("Oscillator" + "x" * 55, types) is None  # 65 characters: no suggestion
    assert suggest("Oscilator", ["Oscillator" + "x" * 55]) is None  # nor is a longer candidate suggested
