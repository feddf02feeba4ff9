"""GPU-side timing of a runtime's kernels with timestamp queries (benchmarks and profiling).

Host wall-clock timings of a software GPU are noisy on a busy machine; timestamp queries measure
how long each compute pass ran on the device itself. Each kernel is encoded in its own compute
pass here (the normal frame groups them into two passes), so the per-kernel figures exclude the
host but include the pass boundary.
"""

from __future__ import annotations

import numpy as np
import wgpu


def timestamps_supported(device) -> bool:
    """True when the device was created with the "timestamp-query" feature."""
    return "timestamp-query" in device.features


def profile_kernels(rt, t_ms: float = 0.0, repeats: int = 5) -> dict[str, float]:
    """Median GPU milliseconds per kernel of one frame of ``rt`` (an :class:`oscilla.Runtime`).

    Runs ``repeats`` frames at ``t_ms`` (state advances as usual) with every per-frame kernel in its
    own timed compute pass, and returns ``{kernel name: ms}`` plus ``"total"``.

    Raises:
        RuntimeError: the device has no timestamp-query support.
    """
    d = rt.device
    if not timestamps_supported(d):
        raise RuntimeError("this device has no 'timestamp-query' feature")
    r = rt.resources
    kernels = [(k.kernel, phase, k.pipeline, *k.grid) for phase in (1, 2) for k in r.passes[phase]]
    n = len(kernels)
    qs = d.create_query_set(type=wgpu.QueryType.timestamp, count=2 * n)
    resolve = d.create_buffer(size=16 * n, usage=wgpu.BufferUsage.QUERY_RESOLVE | wgpu.BufferUsage.COPY_SRC)
    samples: dict[str, list[float]] = {k[0]: [] for k in kernels}
    for _ in range(repeats):
        ft = rt.time.resolve(t_ms)
        d.queue.write_buffer(rt._uniform, 0, rt.uniforms.pack(ft))
        enc = d.create_command_encoder()
        for i, (_name, phase, pipe, x, y) in enumerate(kernels):
            cp = enc.begin_compute_pass(
                timestamp_writes={
                    "query_set": qs,
                    "beginning_of_pass_write_index": 2 * i,
                    "end_of_pass_write_index": 2 * i + 1,
                }
            )
            cp.set_bind_group(0, r.bind_groups[phase])
            cp.set_pipeline(pipe)
            cp.dispatch_workgroups(x, y, 1)
            cp.end()
        enc.resolve_query_set(qs, 0, 2 * n, resolve, 0)
        d.queue.submit([enc.finish()])
        ticks = np.frombuffer(d.queue.read_buffer(resolve), dtype=np.uint64)
        for i, (name, *_rest) in enumerate(kernels):
            samples[name].append(float(ticks[2 * i + 1] - ticks[2 * i]) / 1e6)
    out = {k: float(np.median(v)) for k, v in samples.items()}
    out["total"] = sum(out.values())
    return out
