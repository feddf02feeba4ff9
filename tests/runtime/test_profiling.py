"""GPU timestamp profiling of a runtime's kernels."""

import inspect

import pytest
from support.paths import ROOT

import oscilla as osc
from oscilla.runtime.profiling import profile_kernels, timestamps_supported

pytestmark = pytest.mark.gpu


def test_profile_kernels_times_every_per_frame_kernel():
    program = osc.compile(osc.load_patch(ROOT / "examples" / "lag-grid.json"))
    rt = osc.Runtime(program)
    if not timestamps_supported(rt.device):
        pytest.skip("adapter has no timestamp-query")
    times = profile_kernels(rt, 0.0, repeats=3)
    per_frame = [k.name for k in program.kernels if not k.once]
    assert sorted(k for k in times if k != "total") == sorted(per_frame)
    assert all(v >= 0 for v in times.values())
    assert times["total"] == pytest.approx(sum(v for k, v in times.items() if k != "total"))
    assert times["field0"] > 0


def test_profile_passes_times_the_passes_of_a_real_step():
    from oscilla.drawing.offscreen import OffscreenTarget
    from oscilla.runtime.profiling import profile_passes

    program = osc.compile(osc.load_patch(ROOT / "examples" / "lag-grid.json"))
    rt = osc.Runtime(program)
    if not timestamps_supported(rt.device):
        pytest.skip("adapter has no timestamp-query")
    enc_cls = type(rt.device.create_command_encoder())
    wrapped = {n: inspect.getattr_static(enc_cls, n) for n in ("begin_compute_pass", "begin_render_pass")}
    phase = {ph: "+".join(k.name for k in program.kernels if k.phase == ph and not k.once) for ph in (1, 2)}
    compute_only = profile_passes(rt, 0.0, repeats=3)
    # phase 2 has a compute pass only when a state cell is committed by the kernel (large plain
    # cells are buffer copies, which are not passes)
    passes = [f"compute {phase[1]}"] + ([f"compute {phase[2]}"] if phase[2] else [])
    assert list(compute_only) == passes
    assert rt.time.frame == 3  # the real step ran 3 times: frames advanced
    target = OffscreenTarget(rt.device, 64, 64)
    rt.attach_target(lambda: (target.view, 64, 64))
    drawn = profile_passes(rt, 100.0, repeats=3)
    splat = ["compute"] if rt._get_renderer("rgba8unorm").splats else []  # the splat rasterizer's pass
    assert [k.split()[0] for k in drawn] == ["compute", *splat, "render"] + (["compute"] if phase[2] else [])
    assert all(v >= 0 for v in drawn.values())
    assert {n: inspect.getattr_static(enc_cls, n) for n in wrapped} == wrapped  # the wrappers are gone


def test_program_resources_count_their_buffer_bytes():
    program = osc.compile(osc.load_patch(ROOT / "examples" / "lag-grid.json"))
    rt = osc.Runtime(program)

    def allocated(elements):  # 4-byte elements, rounded up to 16 bytes, at least 16 (gpu.create_storage_buffer)
        return max(16, -(-4 * elements // 16) * 16)

    classes = {}
    for m in program.slot_meta:
        classes[m.storage] = max(classes.get(m.storage, 0), m.offset + m.lanes * m.stride)
    values = sum(allocated(classes.get(c, 0)) for c in ("f32", "i32", "u32"))
    state = sum(allocated(program.state_layout.size_of(c)) for c in ("f32", "i32"))
    assert rt.resources.nbytes == values + state + allocated(program.scratch_size)
