"""WgpuCalls counts the wgpu-py calls made inside its block, outermost only, and puts every
method back afterwards."""

import inspect

import pytest
import wgpu

from oscilla.gpu.calls import WgpuCalls, backend_classes

pytestmark = pytest.mark.gpu


def _methods(device):
    return {(c, n): inspect.getattr_static(c, n) for c in backend_classes(device) for n in list(vars(c))}


def test_a_hand_written_sequence_is_counted_call_by_call(device):
    buf = device.create_buffer(size=16, usage=wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_DST)
    before = _methods(device)
    with WgpuCalls(device) as calls:
        device.queue.write_buffer(buf, 0, b"\0" * 16)
        enc = device.create_command_encoder()
        cp = enc.begin_compute_pass()
        cp.end()
        enc.clear_buffer(buf)
        device.queue.submit([enc.finish()])
    assert dict(calls.counts) == {
        "GPUQueue.write_buffer": 1,
        "GPUDevice.create_command_encoder": 1,
        "GPUCommandEncoder.begin_compute_pass": 1,
        "GPUComputePassEncoder.end": 1,
        "GPUCommandEncoder.clear_buffer": 1,
        "GPUCommandEncoder.finish": 1,
        "GPUQueue.submit": 1,
    }
    assert calls.total == 7 and calls.count("end") == 1
    assert set(calls.seconds) == set(calls.counts)
    assert _methods(device) == before  # nothing stays wrapped
    with WgpuCalls(device) as after:
        pass
    device.create_command_encoder()  # outside the block: not counted
    assert after.total == 0


def test_pipeline_creation_time_is_attributed(device):
    with WgpuCalls(device) as calls:
        device.create_shader_module(code="@compute @workgroup_size(1) fn main() {}")
    assert calls.counts == {"GPUDevice.create_shader_module": 1}
    assert calls.pipeline_seconds() == calls.seconds["GPUDevice.create_shader_module"] > 0
