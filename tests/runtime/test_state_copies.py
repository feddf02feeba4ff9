"""Phase 2 by buffer copies (docs/runtime/execution-model.md#phase-2): large plain state cells are
committed with ``copy_buffer_to_buffer`` instead of the commit kernel, and the causality rule still
holds. The expected values are written here from the blocks' definitions (UnitDelay: out(f) =
in(f − 1), initialValue at f = 0; a feedback loop UnitDelay → Add(0.3) → Mod(1) → UnitDelay.in gives
0, 0.3, 0.6, 0.9, 0.2 for every lane), not read from the implementation.
"""

from __future__ import annotations

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.compiler.allocate import state_copies
from oscilla.compiler.schedule import COPY_MIN_ELEMENTS
from oscilla.program import SlotMeta, StateCellLayout, StateCopy, StateLayout

pytestmark = pytest.mark.gpu

LANES = 3000  # a per-lane cell of 3,000 elements: copied


def _delayed_index_patch(lanes: int) -> dict:
    """in_i(f) = t_i + phaseA(f) through a per-lane UnitDelay (initialValue -1)."""
    return make_patch(
        [
            blk("arr", "Array", count=lanes),
            blk("x", "Add"),
            blk("d", "UnitDelay", initialValue=-1.0),
        ],
        [edge("arr.t", "x.a"), edge("time.phaseA", "x.b"), edge("x.out", "d.in")],
        periodAMs=1000,
    )


@pytest.mark.parametrize("lanes", [LANES, 8])
def test_unit_delay_outputs_the_previous_frame(runtime_cls, lanes):
    program = osc.compile(_delayed_index_patch(lanes), observe=["d.out"])
    copied = sum(c.count for c in program.state_copies)
    assert copied == (lanes if lanes >= COPY_MIN_ELEMENTS else 0)
    rt = runtime_cls(program)
    t = np.arange(lanes) / (lanes - 1)  # Array.t = i / (N - 1)
    times = [0.0, 250.0, 500.0, 1250.0]
    for f, t_ms in enumerate(times):
        rt.step(t_ms)
        got = rt.read("d.out")
        want = np.full(lanes, -1.0) if f == 0 else t + (times[f - 1] / 1000.0) % 1.0
        np.testing.assert_allclose(got, want, atol=1e-6, err_msg=f"frame {f}")


def test_feedback_loop_through_a_copied_cell(runtime_cls):
    patch = make_patch(
        [
            blk("arr", "Array", count=LANES),
            blk("z", "Multiply", b=0.0),  # a field of zeros makes the delay per lane
            blk("d", "UnitDelay"),
            blk("inc", "Add", b=0.3),
            blk("wrap", "Modulo", b=1.0),
            blk("sum", "Add"),
        ],
        [
            edge("arr.t", "z.a"),
            edge("z.out", "sum.a"),
            edge("d.out", "inc.a"),
            edge("inc.out", "wrap.a"),
            edge("wrap.out", "sum.b"),
            edge("sum.out", "d.in"),
        ],
    )
    program = osc.compile(patch, observe=["d.out"])
    assert program.state_copies and program.state_copies[0].count == LANES
    rt = runtime_cls(program)
    for f, want in enumerate([0.0, 0.3, 0.6, 0.9, 0.2]):
        rt.step(100.0 * f)
        np.testing.assert_allclose(rt.read("d.out"), np.full(LANES, want), atol=1e-6, err_msg=f"frame {f}")


def test_rings_stay_in_the_commit_kernel():
    patch = make_patch(
        [blk("arr", "Array", count=LANES), blk("d", "DelayFrames", frames=3)],
        [edge("arr.t", "d.in")],
    )
    program = osc.compile(patch, observe=["d.out"])
    assert not program.state_copies
    assert any(k.kind == "commit" for k in program.kernels)


def _meta(slot: int, offset: int, size: int, storage: str = "f32") -> SlotMeta:
    return SlotMeta(slot=slot, name=f"next{slot}", storage=storage, offset=offset, stride=1, lanes=size, instance="i")


def test_state_copies_merge_adjacent_runs_only():
    cells = (
        StateCellLayout("a:lag", "f32", offset=0, size=2048, lanes=2048),
        StateCellLayout("b:lag", "f32", offset=2048, size=1024, lanes=1024),
        StateCellLayout("c:lag", "f32", offset=4096, size=1024, lanes=1024),
    )
    layout = StateLayout(cells, f32_size=5120)
    metas = (_meta(0, 100, 2048), _meta(1, 2148, 1024), _meta(2, 9000, 1024))
    commits = {"a:lag": (0, None), "b:lag": (1, None), "c:lag": (2, None)}
    runs = state_copies({"a:lag", "b:lag", "c:lag"}, commits, metas, layout)
    # a and b are adjacent on both sides -> one run; c's source is elsewhere -> its own run
    assert runs == (StateCopy("f32", 100, 0, 3072), StateCopy("f32", 9000, 4096, 1024))
    assert state_copies({"c:lag"}, commits, metas, layout) == (StateCopy("f32", 9000, 4096, 1024),)
