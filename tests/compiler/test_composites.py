"""Composites (docs/language/composites.md): expansion into derived ids, equality with the patch
written out by hand, the built-in composites' formulas, hot swap of an edit inside a composite,
and every misuse as a coded diagnostic."""

from __future__ import annotations

import json

import numpy as np
import pytest
from support import formulas
from support.builders import blk, edge, make_patch
from support.running import gpu_or_skip
from typer.testing import CliRunner

import oscilla as osc
from oscilla.cli import app
from oscilla.compiler.composites import MAX_COMPOSITE_DEPTH, MAX_EXPANDED_BLOCKS

TIMES = [i * 1000.0 / 60.0 for i in range(12)]


def v2(blocks, edges=(), composites=None, **root):
    p = make_patch(blocks, edges, **root)
    p["oscilla"] = 2
    if composites is not None:
        p["composites"] = composites
    return p


def _dots(color: str, size: str | None = None) -> tuple[list, list]:
    """A 5-lane ring drawn in ``color`` (and ``size``): what makes a patch draw something."""
    blocks = [
        blk("shape", "Ellipse", rx=0.05, ry=0.05),
        blk("arr", "Array", count=5),
        blk("ring", "CircleLayout"),
        blk("draw", "RenderInstances2D"),
    ]
    edges = [
        edge("shape.shape", "arr.element"),
        edge("arr.elements", "ring.elements"),
        edge("arr.elements", "draw.shape"),
        edge("ring.position", "draw.pos"),
        edge(color, "draw.color"),
    ]
    if size:
        edges.append(edge(size, "draw.size"))
    return blocks, edges


#: a user composite that nests two built-in ones and maps one exposed param to two inner params
WOBBLE = {
    "inputs": {"rate": "osc.frequency"},
    "outputs": {"y": "mix.out", "tri": "osc.out"},
    "params": {"smooth": "sm.smoothing", "start": ["sm.initialValue", "hold.initialValue"]},
    "blocks": [
        {"id": "osc", "type": "PingPong"},
        {"id": "sm", "type": "SmoothNoise"},
        {"id": "hold", "type": "UnitDelay"},
        {"id": "mix", "type": "Add"},
    ],
    "edges": [
        {"from": "osc.out", "to": "sm.x"},
        {"from": "sm.out", "to": "hold.in"},
        {"from": "hold.out", "to": "mix.a"},
        {"from": "osc.phase", "to": "mix.b"},
    ],
}


def composite_patch() -> dict:
    dots, dot_edges = _dots("cc.color", "w.y")
    return v2(
        [
            blk("w", "Wobble", rate=1.5, smooth=0.7, start=0.25),
            blk("cc", "ColorCycle", frequency=0.5, sat=0.6),
            blk("dt", "DelayedTrigger"),
            *dots,
        ],
        [edge("time.wrapA", "dt.trigger"), edge("time.phaseA", "dt.value"), *dot_edges],
        {"Wobble": WOBBLE},
        periodAMs=90,
    )


def hand_expanded_patch() -> dict:
    """composite_patch() written out by hand from the definitions of the docs (no composites)."""
    dots, dot_edges = _dots("cc_hsv.color", "w_mix.out")
    return make_patch(
        [
            blk("w_osc_phasor", "Phasor", frequency=1.5),
            blk("w_osc_tri", "Expression", expression="1 - abs(2 * in0 - 1)"),
            blk("w_sm_noise", "Noise"),
            blk("w_sm_lag", "Lag", smoothing=0.7, initialValue=0.25),
            blk("w_hold", "UnitDelay", initialValue=0.25),
            blk("w_mix", "Add"),
            blk("cc_phasor", "Phasor", frequency=0.5),
            blk("cc_hsv", "ColorLFO", sat=0.6),
            blk("dt_sampleHold", "SampleHold"),
            blk("dt_delay", "UnitDelay"),
            *dots,
        ],
        [
            edge("w_osc_phasor.out", "w_osc_tri.in0"),
            edge("w_osc_tri.out", "w_sm_noise.x"),
            edge("w_sm_noise.out", "w_sm_lag.target"),
            edge("w_sm_lag.out", "w_hold.in"),
            edge("w_hold.out", "w_mix.a"),
            edge("w_osc_phasor.out", "w_mix.b"),
            edge("cc_phasor.out", "cc_hsv.phase"),
            edge("time.wrapA", "dt_sampleHold.trigger"),
            edge("time.phaseA", "dt_sampleHold.value"),
            edge("dt_sampleHold.out", "dt_delay.in"),
            *dot_edges,
        ],
        periodAMs=90,
    )


#: observed names of the composite patch -> the same value in the hand-expanded one
SAME = {
    "w.y": "w_mix.out",
    "w.tri": "w_osc_tri.out",
    "w/sm.out": "w_sm_lag.out",
    "w/sm/noise.out": "w_sm_noise.out",
    "cc.color": "cc_hsv.color",
    "cc.phase": "cc_phasor.out",
    "dt.out": "dt_delay.out",
    "dt.immediate": "dt_sampleHold.out",
}


def test_a_composite_equals_its_hand_expanded_patch_bit_for_bit(runtime_cls):
    a = runtime_cls(osc.compile(composite_patch(), observe=list(SAME)))
    b = runtime_cls(osc.compile(hand_expanded_patch(), observe=list(SAME.values())))
    for t in TIMES:
        a.step(t)
        b.step(t)
        for name, twin in SAME.items():
            np.testing.assert_array_equal(a.read(name), b.read(twin), err_msg=f"{name} at t = {t}")
    if runtime_cls is osc.Runtime:
        np.testing.assert_array_equal(a.render(64, 64), b.render(64, 64))


def test_expanded_ids_and_state_cells_are_derived_from_the_instance():
    program = osc.compile(composite_patch())
    cells = sorted(c.state_id for c in program.state_layout.cells)
    assert cells == [
        "cc/phasor:phasor",
        "dt/delay:delay",
        "dt/sampleHold:sample",
        "w/hold:delay",
        "w/osc/phasor:phasor",
        "w/sm/lag:lag",
    ]


def test_built_in_composites_follow_their_formulas():
    """PingPong, ColorCycle, DelayedTrigger and SmoothNoise against formulas written here."""
    program = osc.compile(
        composite_patch(), observe=["w.tri", "cc.color", "cc.phase", "dt.out", "dt.immediate", "w/sm.out", "w.y"]
    )
    rt = osc.ReferenceRuntime(program)
    lag = 0.25
    prev_immediate = 0.0
    held = 0.0
    for n, t in enumerate(TIMES):
        rt.step(t)
        phase = (1.5 * t / 1000.0) % 1.0  # Phasor: dt = t - previous t, first frame dt = 0
        np.testing.assert_allclose(rt.read("w.tri"), 1 - abs(2 * phase - 1), atol=2e-6)
        cphase = (0.5 * t / 1000.0) % 1.0
        np.testing.assert_allclose(rt.read("cc.phase"), cphase, atol=2e-6)
        np.testing.assert_allclose(rt.read("cc.color"), formulas.hsv2rgb(cphase, 0.6, 1.0), atol=2e-6)
        lag = lag + (float(formulas.noise(1 - abs(2 * phase - 1))) - lag) * 0.7
        np.testing.assert_allclose(rt.read("w/sm.out"), lag, atol=2e-6)
        # DelayedTrigger: immediate latches phaseA when wrapA fires (every 90 ms); out is one frame late
        if n > 0 and (t // 90.0) != (TIMES[n - 1] // 90.0):
            held = (t % 90.0) / 90.0
        np.testing.assert_allclose(rt.read("dt.immediate"), held, atol=2e-6)
        np.testing.assert_allclose(rt.read("dt.out"), prev_immediate, atol=2e-6)
        prev_immediate = held
    assert held > 0, "the trigger fired within the frames"


def _stateful_composite(edit: bool) -> dict:
    """A composite with three stateful inner blocks; ``edit`` changes one of them (``slow``,
    a Lag, becomes a Slew) and a param of another, and leaves ``ph`` and ``hold`` untouched."""
    inner = {
        "outputs": {"out": "sum.out"},
        "blocks": [
            {"id": "ph", "type": "Phasor", "params": {"frequency": 2.0}},
            {"id": "hold", "type": "UnitDelay"},
            {"id": "slow", "type": "Slew" if edit else "Lag", "params": {"target": 1.0}},
            {"id": "sum", "type": "Add"},
        ],
        "edges": [
            {"from": "ph.out", "to": "hold.in"},
            {"from": "hold.out", "to": "sum.a"},
            {"from": "slow.out", "to": "sum.b"},
        ],
    }
    if edit:
        inner["blocks"][0]["params"] = {"frequency": 3.0}
    dots, dot_edges = _dots("c.out", "k.out")
    return v2([blk("k", "Knot"), blk("c", "Const", value=[1, 1, 1, 1]), *dots], dot_edges, {"Knot": inner})


def test_hot_swap_of_an_edit_inside_a_composite_keeps_the_untouched_inner_state(runtime_cls):
    rt = runtime_cls(osc.compile(_stateful_composite(edit=False)))
    for t in TIMES[:5]:
        rt.step(t)
    before = {c: np.array(rt.read_state(c)) for c in ("k/ph:phasor", "k/hold:delay")}
    assert before["k/ph:phasor"] != 0
    report = rt.swap(osc.compile(_stateful_composite(edit=True)))
    assert sorted(report.copied) == ["k/hold:delay", "k/ph:phasor"]
    assert report.dropped == ["k/slow:lag"] and report.initialized == ["k/slow:slew"]
    for cell, value in before.items():
        np.testing.assert_array_equal(rt.read_state(cell), value)
    rt.step(TIMES[5])  # the phasor continues from its state at the new frequency
    expected = (float(before["k/ph:phasor"]) + 3.0 * (TIMES[5] - TIMES[4]) / 1000.0) % 1.0
    np.testing.assert_allclose(rt.read_state("k/ph:phasor"), expected, atol=1e-6)


def test_observe_reads_exposed_ports_and_inputs():
    program = osc.compile(composite_patch(), observe=["w.y", "w.rate", "dt.trigger"])
    rt = osc.ReferenceRuntime(program)
    rt.step(0.0)
    assert float(rt.read("w.rate")) == 1.5  # an exposed input reads the inner input
    with pytest.raises(osc.CompileError) as e:
        osc.compile(composite_patch(), observe=["w.nope"])
    assert any(d.code == "E_UNKNOWN_PORT" for d in e.value.diagnostics)


# -- misuse: coded diagnostics, never a traceback ---------------------------------------------------
def diagnostics_of(patch: dict) -> list[osc.Diagnostic]:
    try:
        return list(osc.compile(osc.load_patch(patch)).diagnostics)
    except osc.CompileError as e:
        return e.diagnostics


def codes(patch: dict) -> list[tuple[str, str | None, str | None]]:
    return [(d.code, d.block, d.port) for d in diagnostics_of(patch) if d.severity == "error"]


def with_composite(definition: dict, params: dict | None = None, extra_edges=()) -> dict:
    dots, dot_edges = _dots("c.out", "x.y")
    return v2(
        [blk("x", "Mine", **(params or {})), blk("c", "Const", value=[1, 1, 1, 1]), *dots],
        [*dot_edges, *extra_edges],
        {"Mine": definition},
    )


GOOD = {"inputs": {"a": "m.a"}, "outputs": {"y": "m.out"}, "params": {"k": "m.b"}, "blocks": [blk("m", "Multiply")]}


def test_the_good_definition_compiles():
    assert codes(with_composite(GOOD, {"k": 2.0, "a": 0.5})) == []


def test_an_edge_to_a_port_the_composite_does_not_expose():
    patch = with_composite(GOOD, extra_edges=[edge("time.phaseA", "x.b")])
    ds = [d for d in diagnostics_of(patch) if d.code == "E_UNKNOWN_PORT"]
    assert [(d.block, d.port, d.edge) for d in ds] == [("x", "b", 6)]
    assert "Mine (a composite) has no input port 'b'" in ds[0].message and "valid inputs: a" in ds[0].message


def test_an_edge_from_an_input_names_it():
    ds = diagnostics_of(with_composite(GOOD, extra_edges=[edge("x.a", "draw.rotation")]))
    [d] = [d for d in ds if d.code == "E_UNKNOWN_PORT"]
    assert "'a' is one of its inputs" in d.message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"inputs": {"a": "m.nope"}}, "Multiply has no input port 'nope'"),
        ({"outputs": {"y": "q.out"}}, "has no inner block 'q'"),
        ({"params": {"k": "m.gain"}}, "Multiply has no param 'gain'"),
        ({"params": {"k": ["m.b", "m.oops"]}}, "Multiply has no param 'oops'"),
        ({"inputs": {"a": "m"}}, "is not '<inner block>.<name>'"),
        ({"params": {"a": "m.b"}}, "exposed both as an input and as a param"),
        ({"blocks": [blk("m", "Multiply"), blk("m", "Add")]}, "inner block id 'm' is used more than once"),
    ],
)
def test_bad_definitions_are_e_composite_invalid(change, words):
    ds = diagnostics_of(with_composite({**GOOD, **change}))
    invalid = [d for d in ds if d.code == "E_COMPOSITE_INVALID"]
    assert invalid and words in invalid[0].message and "composite 'Mine'" in invalid[0].message, ds


@pytest.mark.parametrize("name", ["Add", "SmoothNoise"])
def test_a_composite_named_like_a_block_type_or_built_in_composite(name):
    p = with_composite(GOOD)
    p["composites"] = {name: GOOD}
    [d] = [d for d in diagnostics_of(p) if d.code == "E_COMPOSITE_INVALID"]
    assert f"composite {name!r}: the name is already" in d.message


def test_unknown_instance_param_and_combine():
    p = with_composite(GOOD, {"gain": 1})
    p["blocks"][1]["combine"] = {"zz": "sum"}
    assert ("E_UNKNOWN_PARAM", "x", "gain") in codes(p)
    assert ("E_UNKNOWN_PORT", "x", "zz") in codes(p)


def test_recursion_is_diagnosed_not_expanded():
    selfish = {"outputs": {"y": "me.y"}, "blocks": [blk("me", "Mine")]}
    [d] = [d for d in diagnostics_of(with_composite(selfish)) if d.code == "E_COMPOSITE_RECURSIVE"]
    assert "composite 'Mine' contains itself (Mine -> Mine)" in d.message
    p = with_composite({"outputs": {"y": "o.y"}, "blocks": [blk("o", "Other")]})
    p["composites"]["Other"] = {"outputs": {"y": "i.y"}, "blocks": [blk("i", "Mine")]}
    found = sorted(d.message.split(" contains")[0] for d in diagnostics_of(p) if d.code == "E_COMPOSITE_RECURSIVE")
    assert found == ["composite 'Mine'", "composite 'Other'"]


def test_nesting_deeper_than_the_limit():
    p = with_composite(GOOD)
    names = [f"L{i}" for i in range(MAX_COMPOSITE_DEPTH + 1)]
    p["composites"] = {"L0": GOOD}
    for lower, name in zip(names, names[1:], strict=False):
        p["composites"][name] = {"outputs": {"y": "in.y"}, "blocks": [blk("in", lower)]}
    p["composites"]["Mine"] = p["composites"][names[-1]]  # Mine nests one level more than the limit
    ds = [d for d in diagnostics_of(p) if d.code == "E_LIMIT_EXCEEDED"]
    assert any(f"more than the {MAX_COMPOSITE_DEPTH} levels" in d.message for d in ds), ds
    assert not any(d.code == "E_COMPOSITE_RECURSIVE" for d in diagnostics_of(p))


def test_an_expansion_beyond_the_block_limit_is_refused_up_front():
    wide = {"outputs": {"y": "c0.out"}, "blocks": [blk(f"c{i}", "Const") for i in range(1000)]}
    wider = {"outputs": {"y": "w0.y"}, "blocks": [blk(f"w{i}", "Wide") for i in range(MAX_EXPANDED_BLOCKS // 1000 + 1)]}
    p = with_composite(wider)
    p["composites"]["Wide"] = wide
    [d] = [d for d in diagnostics_of(p) if d.code == "E_LIMIT_EXCEEDED"]
    assert d.block == "x" and f"more than {MAX_EXPANDED_BLOCKS:,} blocks" in d.message


def test_errors_inside_a_composite_name_the_instance_and_the_inner_block():
    bad = {
        "outputs": {"y": "z.out"},
        "blocks": [blk("m", "Multiply", b=1.0), blk("z", "Phasor", initialPhase="x")],
        "edges": [edge("m.out", "z.nope")],
    }
    ds = diagnostics_of(with_composite(bad))
    [param] = [d for d in ds if d.code == "E_PARAM_INVALID"]
    assert param.block == "x/z" and "(inner block 'z' of Mine instance 'x')" in param.message
    [port] = [d for d in ds if d.code == "E_UNKNOWN_PORT"]
    assert port.edge is None and "(edges[0] of composite Mine, in instance 'x')" in port.message


def test_an_unused_exposed_output_is_no_warning_but_an_unused_instance_is():
    dots, dot_edges = _dots("cc.color")
    p = v2([blk("cc", "ColorCycle"), blk("lonely", "PingPong"), *dots], dot_edges)
    ws = [(d.code, d.block) for d in diagnostics_of(p) if d.severity == "warning"]
    assert ws == [("W_GRAPH_DISCONNECTED_BLOCK", "lonely")]


def test_unknown_type_suggests_composites():
    dots, dot_edges = _dots("c.out")
    p = v2([blk("c", "Const", value=[1, 1, 1, 1]), blk("s", "SmothNoise"), *dots], dot_edges)
    [d] = [d for d in diagnostics_of(p) if d.code == "E_UNKNOWN_BLOCK_TYPE"]
    assert "did you mean 'SmoothNoise'?" in d.message


def test_check_and_inspect_on_composites(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(with_composite({**GOOD, "params": {"k": "m.gain"}})))
    r = CliRunner().invoke(app, ["check", str(bad)])
    assert r.exit_code == 1 and "E_COMPOSITE_INVALID" in r.output and "Traceback" not in r.output
    good = tmp_path / "good.json"
    good.write_text(json.dumps(composite_patch()))
    r = CliRunner().invoke(app, ["inspect", str(good)])
    assert r.exit_code == 0, r.output
    assert "composite instances:" in r.output and "  w: Wobble" in r.output
    assert "out w.y = w/mix.out" in r.output and "in w.rate = w/osc/phasor.frequency" in r.output


def test_the_gpu_matches_the_reference_on_composites():
    gpu_or_skip()
    program = osc.compile(composite_patch(), observe=list(SAME))
    rt, ref = osc.Runtime(program), osc.ReferenceRuntime(program)
    for t in TIMES:
        rt.step(t)
        ref.step(t)
    for name in SAME:
        np.testing.assert_allclose(rt.read(name), ref.read(name), atol=1e-5)


def test_check_groups_inner_block_errors_under_their_instance(tmp_path):
    bad = {"outputs": {"y": "z.out"}, "blocks": [blk("z", "Phasor", initialPhase="x")]}
    f = tmp_path / "inner.json"
    f.write_text(json.dumps(with_composite(bad)))
    r = CliRunner().invoke(app, ["check", str(f)])
    assert r.exit_code == 1, r.output
    assert "block 'x/z' (inside Mine 'x')" in r.output
    assert "E_PARAM_INVALID x/z.initialPhase" in r.output and "(inner block 'z' of Mine instance 'x')" in r.output
