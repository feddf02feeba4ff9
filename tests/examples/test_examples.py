"""Every example compiles, validates as WGSL, and matches the reference interpreter for 30 frames."""

import numpy as np
import pytest
from support.paths import EXAMPLES

import oscilla as osc
from oscilla.compiler.schedule import validate_schedule

pytestmark = pytest.mark.gpu


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_gpu_matches_reference_for_30_frames(path):
    program = osc.compile(osc.load_patch(path), observe="all")
    rt, ref = osc.Runtime(program), osc.ReferenceRuntime(program)
    for f in range(30):
        t = f * 1000.0 / 60.0
        rt.step(t)
        ref.step(t)
    assert program.ports, "observe='all' must make ports readable"
    for name in sorted(program.ports):
        gpu = np.asarray(rt.read(name), dtype=np.float64)
        cpu = np.asarray(ref.read(name), dtype=np.float64)
        assert gpu.shape == cpu.shape, name
        close = np.isclose(gpu, cpu, rtol=1e-5, atol=1e-5, equal_nan=True)
        assert close.all(), f"{name}: {np.count_nonzero(~close)} of {close.size} values differ"
    for cell in program.state_layout.cells:
        np.testing.assert_allclose(rt.read_state(cell.state_id), ref.read_state(cell.state_id), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_schedule_and_dispatch_budget(path):
    program = osc.compile(osc.load_patch(path))
    validate_schedule(program.schedule)
    assert [s.kind for s in program.schedule if s.phase == 2] == ["stateWrite"] * len(program.state_layout.cells)
    assert program.dispatches_per_frame <= len(program.instances) + program.stages + 2
    assert osc.Runtime(program).dispatches_per_frame == program.dispatches_per_frame


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_renders_something(path):
    program = osc.compile(osc.load_patch(path))
    rt = osc.Runtime(program, size=(128, 128))  # fixes the size of a trails patch's image too
    rt.step(0.0)
    img = rt.render(128, 128)
    assert img.shape == (128, 128, 4) and img.dtype == np.uint8
    bg = np.round(np.clip(np.array(program.background), 0, 1) * 255).astype(np.uint8)
    assert (img != bg).any(axis=-1).mean() > 0.01, "nothing was drawn"


def test_codegen_is_deterministic():
    a = osc.compile(osc.load_patch(EXAMPLES[0]))
    b = osc.compile(osc.load_patch(EXAMPLES[0]))
    assert a.wgsl == b.wgsl


def test_block_ids_never_reach_wgsl():
    patch = osc.load_patch(EXAMPLES[0]).to_dict()
    evil = "x); } fn hack() { let a = 1; } fn f("  # no "/": reserved in block ids since format version 2
    for b in patch["blocks"]:
        if b["id"] == "hue":
            b["id"] = evil
    for e in patch["edges"]:
        e["from"] = e["from"].replace("hue.", evil + ".") if e["from"].startswith("hue.") else e["from"]
        e["to"] = e["to"].replace("hue.", evil + ".") if e["to"].startswith("hue.") else e["to"]
    program = osc.compile(patch)
    assert all(evil not in src and "hack" not in src for src in program.wgsl.values())
