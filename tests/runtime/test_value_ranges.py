"""The f32 ValueStore bound as several ranges (oscilla/abi/bindings.py, VALUE_RANGE_ELEMENTS).

The range is 2^25 elements (128 MiB) in production; these tests shrink it so that a patch of a few
hundred lanes spans several ranges, and check the layout, the limits, the values against the
reference interpreter and the drawn image against the same patch bound as one range.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import oscilla as osc
from oscilla.abi import bindings
from oscilla.program import DeviceLimits
from tests.support.builders import blk, edge, make_patch
from tests.support.running import frames_of, gpu_or_skip

RANGE = 1024  # elements: 4 KiB, a multiple of every device's storage offset alignment (256 bytes)
LANES = 200  # colour 800 + position 600 + size 200 + ... elements: several ranges of RANGE
OBSERVE = ["draw.pos", "draw.color", "draw.size", "lag.out", "noise.out"]
TIMES = (0.0, 16.0, 33.0, 50.0)


def ranged_patch(lanes: int = LANES) -> dict:
    """Noise through a per-lane Lag into size, HSV colour, grid positions (the bench patch)."""
    return make_patch(
        [
            blk("shape", "Ellipse", rx=0.02, ry=0.02),
            blk("arr", "Array", count=lanes),
            blk("grid", "GridLayout", rows=10, cols=20),
            blk("k", "Multiply", b=0.05),
            blk("x", "Add"),
            blk("noise", "Noise"),
            blk("lag", "Lag", smoothing=0.3),
            blk("hue", "HueFromPhase"),
            blk("color", "HsvToRgb"),
            blk("draw", "RenderInstances2D"),
        ],
        [
            edge("shape.shape", "arr.element"),
            edge("arr.elements", "grid.elements"),
            edge("arr.index", "k.a"),
            edge("k.out", "x.a"),
            edge("time.phaseA", "x.b"),
            edge("x.out", "noise.x"),
            edge("noise.out", "lag.target"),
            edge("arr.t", "hue.id01"),
            edge("hue.hue", "color.hue"),
            edge("grid.position", "draw.pos"),
            edge("color.color", "draw.color"),
            edge("lag.out", "draw.size"),
            edge("arr.elements", "draw.shape"),
        ],
    )


@pytest.fixture
def small_ranges(monkeypatch):
    """Compile with ValueStore ranges of RANGE elements."""
    monkeypatch.setattr(bindings, "VALUE_RANGE_ELEMENTS", RANGE)


def test_patch_spans_ranges_and_no_slot_straddles_a_boundary(small_ranges):
    p = osc.compile(ranged_patch(), observe=OBSERVE)
    f32 = [s for s in p.slot_meta if s.storage == "f32"]
    assert p.value_range == RANGE
    assert p.value_ranges == -(-p.storage_size("f32") // RANGE) >= 3
    for s in f32:
        assert s.offset // RANGE == (s.offset + s.size - 1) // RANGE, f"slot {s.name} crosses a range"
    used = {s.offset // RANGE for s in f32}
    assert used == set(range(p.value_ranges))
    code = "\n".join(p.wgsl.values())
    for k in range(1, p.value_ranges):
        assert f"var<storage, read_write> vf_{k}: array<f32>;" in code
        assert f"var<storage, read_write> vf4_{k}: array<vec4<f32>>;" in code


def test_one_range_layout_is_unchanged():
    big = osc.compile(ranged_patch(), observe=OBSERVE)
    assert big.value_ranges == 1 and "vf_1" not in "\n".join(big.wgsl.values())
    offsets = [s.offset for s in big.slot_meta]
    assert offsets == sorted(offsets) and offsets[0] == 0


def test_gpu_matches_the_reference_across_ranges(small_ranges):
    gpu_or_skip()
    program = osc.compile(ranged_patch(), observe=OBSERVE)
    assert program.value_ranges >= 3
    got = frames_of(osc.Runtime(program), OBSERVE, TIMES)
    want = frames_of(osc.ReferenceRuntime(program), OBSERVE, TIMES)
    for g, w in zip(got, want, strict=True):
        for name in OBSERVE:
            np.testing.assert_allclose(g[name], w[name], atol=1e-5, err_msg=name)


def test_ranges_draw_the_same_image_and_values_as_one_range(monkeypatch):
    gpu_or_skip()
    one = osc.Runtime(osc.compile(ranged_patch(), observe=OBSERVE))
    monkeypatch.setattr(bindings, "VALUE_RANGE_ELEMENTS", RANGE)
    many = osc.Runtime(osc.compile(ranged_patch(), observe=OBSERVE))
    assert many.program.value_ranges >= 3
    for rt in (one, many):
        for t in TIMES:
            rt.step(t)
    for name in OBSERVE:
        np.testing.assert_array_equal(one.read(name), many.read(name), err_msg=name)
    a, b = one.render(64, 48), many.render(64, 48)
    assert a.shape == (48, 64, 4) and len(np.unique(a.reshape(-1, 4), axis=0)) > 2, "something is drawn"
    np.testing.assert_array_equal(a, b)


def _codes(program, **limits) -> list[str]:
    return [d.code for d in program.limit_diagnostics(DeviceLimits(max_storage_binding_bytes=4 * RANGE, **limits))]


def test_limits_follow_the_buffer_size_not_one_binding(small_ranges):
    program = osc.compile(ranged_patch(), observe=OBSERVE)
    nbytes = 4 * program.storage_size("f32")
    assert nbytes > 4 * RANGE  # more than one binding of this device ...
    assert _codes(program, max_buffer_bytes=nbytes, max_storage_buffers_per_stage=32) == []  # ... but it fits
    assert _codes(program, max_buffer_bytes=nbytes - 4, max_storage_buffers_per_stage=32) == ["E_LIMIT_EXCEEDED"]
    # each range beyond the first takes two storage bindings (vf_k, vf4_k) next to the table's 8
    need = 8 + 2 * (program.value_ranges - 1)
    assert _codes(program, max_buffer_bytes=nbytes, max_storage_buffers_per_stage=need) == []
    [d] = program.limit_diagnostics(
        DeviceLimits(
            max_storage_binding_bytes=4 * RANGE, max_buffer_bytes=nbytes, max_storage_buffers_per_stage=need - 1
        )
    )
    assert d.code == "E_LIMIT_EXCEEDED" and str(need) in d.message and d.block == "arr"


def test_a_slot_larger_than_one_range_is_e_limit_exceeded(small_ranges):
    program = osc.compile(ranged_patch(lanes=RANGE // 4 + 4), observe=OBSERVE)  # colour: RANGE + 16 elements
    [d] = program.limit_diagnostics(
        DeviceLimits(max_storage_binding_bytes=2**27, max_buffer_bytes=2**31, max_storage_buffers_per_stage=32)
    )
    assert d.code == "E_LIMIT_EXCEEDED" and d.block == "arr" and str(4 * RANGE) in d.message


def test_drawing_a_store_beyond_one_binding_is_e_limit_exceeded(small_ranges):
    # the drawing shaders read the ValueStore through one binding: a device binding less than the
    # store refuses render() with a diagnostic naming the sink, never a wgpu validation error
    program = osc.compile(ranged_patch(), observe=OBSERVE)
    nbytes = 4 * program.storage_size("f32")
    for binding, refused in ((nbytes, False), (nbytes - 16, True)):
        stub = SimpleNamespace(
            device=SimpleNamespace(limits={"max-storage-buffer-binding-size": binding}), program=program
        )
        if not refused:
            osc.Runtime._check_drawable(stub)
            continue
        with pytest.raises(osc.CompileError) as e:
            osc.Runtime._check_drawable(stub)
        [d] = e.value.diagnostics
        assert (d.code, d.block) == ("E_LIMIT_EXCEEDED", "draw") and str(binding) in d.message
