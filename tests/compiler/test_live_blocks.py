"""Blocks that nothing needs are not lowered (issue 9, compiler scale): a block that reaches no
render sink, camera, state, external channel or observed port would only produce IR the schedule
drops. Leaving it out must not change the program, and everything a user can read stays
readable."""

from __future__ import annotations

import numpy as np
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.compiler.cycles import live_blocks, lowering_order
from oscilla.compiler.infer_types import infer_types
from oscilla.compiler.normalize import normalize
from oscilla.diagnostics import DiagnosticCollector
from oscilla.patch import load_patch

CORE = [
    blk("arr", "Array", count=4),
    blk("grid", "GridLayout"),
    blk("size", "Add", b=0.01),
    blk("draw", "RenderInstances2D"),
]
CORE_EDGES = [
    edge("arr.elements", "grid.elements"),
    edge("grid.position", "draw.pos"),
    edge("time.phaseA", "size.a"),
    edge("size.out", "draw.size"),
]
DEAD = [blk("d1", "Const", value=12345.5), blk("d2", "Multiply", b=3.0), blk("d3", "Sin")]
DEAD_EDGES = [edge("d1.out", "d2.a"), edge("d2.out", "d3.input")]


def test_live_blocks_are_the_roots_and_everything_upstream():
    patch = make_patch(
        [
            *CORE,
            *DEAD,
            blk("lag", "Lag", smoothing=0.5),  # stateful: a root
            blk("feed", "Add", b=1.0),  # upstream of the Lag
            blk("knob", "ExternalInput", channel="knob1"),  # reads a channel: a root
            blk("seen", "Cos"),  # observed below
            blk("below", "Add"),  # downstream of an observed block only
        ],
        [
            *CORE_EDGES,
            *DEAD_EDGES,
            edge("time.phaseB", "feed.a"),
            edge("feed.out", "lag.target"),
            edge("d1.out", "seen.input"),
            edge("seen.result", "below.a"),
        ],
    )
    diags = DiagnosticCollector()
    g = normalize(load_patch(patch), diags)
    infer_types(g, diags)
    assert not diags.has_errors(), diags.items
    assert live_blocks(g) == {"time", "arr", "grid", "size", "draw", "lag", "feed", "knob"}
    assert live_blocks(g, ["seen", "nosuch"]) == {"time", "arr", "grid", "size", "draw", "lag", "feed", "knob"} | {
        "seen",
        "d1",
    }


def test_dead_blocks_leave_the_program_unchanged():
    plain = osc.compile(make_patch(CORE, CORE_EDGES))
    with_dead = osc.compile(make_patch([*CORE, *DEAD], [*CORE_EDGES, *DEAD_EDGES]))
    assert with_dead.nodes == plain.nodes
    assert with_dead.wgsl == plain.wgsl
    assert [d.code for d in with_dead.diagnostics] == ["W_GRAPH_DISCONNECTED_BLOCK"] * 3


def test_an_observed_dead_block_is_computed_and_readable(runtime_cls):
    patch = make_patch([*CORE, *DEAD], [*CORE_EDGES, *DEAD_EDGES])
    rt = runtime_cls(osc.compile(patch, observe=["d3.result", "d2.a"]))
    rt.step(0.0)
    np.testing.assert_allclose(rt.read("d3.result"), np.sin(np.float32(12345.5) * np.float32(3.0)), rtol=1e-5)
    np.testing.assert_allclose(rt.read("d2.a"), 12345.5)
    everything = osc.compile(patch, observe="all")
    assert {"d1.out", "d2.out", "d3.result"} <= set(everything.ports)


def test_dead_state_and_channels_stay_in_the_program(runtime_cls):
    patch = make_patch(
        [*CORE, blk("lag", "Lag", smoothing=0.5), blk("knob", "ExternalInput", channel="knob1")],
        [*CORE_EDGES, edge("knob.value", "lag.target")],
    )
    program = osc.compile(patch)
    assert [c.state_id for c in program.state_layout.cells] == ["lag:lag"]
    assert "knob1" in program.channels
    rt = runtime_cls(program)
    rt.set_input("knob1", 1.0)
    rt.step(0.0)
    rt.step(16.0)
    # Lag: out = prev + (target - prev) * (1 - smoothing), from 0 toward 1 twice
    np.testing.assert_allclose(rt.read_state("lag:lag"), 0.75, atol=1e-6)


def test_the_lowering_order_of_the_live_blocks_is_the_full_order_without_the_others():
    # interleave dead and live blocks in patch order, with a feedback loop through a UnitDelay
    patch = make_patch(
        [
            blk("d1", "Const", value=1.0),
            *CORE[:2],
            blk("ud", "UnitDelay"),
            blk("d2", "Add"),
            blk("fb", "Add", b=0.5),
            *CORE[2:],
            blk("d3", "Sin"),
        ],
        [
            *CORE_EDGES,
            edge("d1.out", "d2.a"),
            edge("d2.out", "d3.input"),
            edge("ud.out", "fb.a"),
            edge("fb.out", "ud.in"),
            edge("fb.out", "size.b"),
        ],
    )
    diags = DiagnosticCollector()
    g = normalize(load_patch(patch), diags)
    live = live_blocks(g)
    assert live == {"time", "arr", "grid", "ud", "fb", "size", "draw"}
    full = lowering_order(g)
    assert set(full) == set(g.blocks)
    assert lowering_order(g, live) == [b for b in full if b in live]
