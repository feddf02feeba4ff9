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


#: the most passes of one frame :func:`profile_passes` times (later ones run untimed)
MAX_TIMED_PASSES = 32


def _pass_name(kind: str, label: str, pipelines: list[str], index: int) -> str:
    """``"compute signal+field0"``, ``"render"``, ``"compute oscilla.camera"``: the pass's label, else
    the labels of the pipelines it set (kernel names for the runtime's passes), else its index."""
    what = label or "+".join(dict.fromkeys(p for p in pipelines if p)) or f"#{index}"
    return f"{kind} {what.removeprefix('oscilla.')}"


def profile_passes(rt, t_ms: float = 0.0, repeats: int = 5) -> dict[str, float]:
    """Median GPU milliseconds per pass of ``rt.step`` (an :class:`oscilla.Runtime`), as it runs.

    Unlike :func:`profile_kernels` the frame is not re-encoded: ``rt.step(t_ms)`` runs ``repeats``
    times (state advances as usual) while every compute and render pass it begins gets timestamp
    writes added (the encoder methods are wrapped for the duration, see
    :func:`oscilla.gpu.calls.patch_method`). Passes are named by kind and by their label or the
    labels of the pipelines they set: ``"compute signal+field0"`` (Phase 1), ``"render instances..."`` (a
    sink's draw, with a window or offscreen target attached), ``"compute commit"`` (Phase 2).
    Two passes of one name get ``" (2)"``, ``" (3)"`` ... Returns ``{pass name: ms}``.

    Raises:
        RuntimeError: the device has no timestamp-query support.
    """
    from oscilla.gpu.calls import backend_classes, patch_method

    d = rt.device
    if not timestamps_supported(d):
        raise RuntimeError("this device has no 'timestamp-query' feature")
    classes = {c.__name__: c for c in backend_classes(d)}
    n = MAX_TIMED_PASSES
    qs = d.create_query_set(type=wgpu.QueryType.timestamp, count=2 * n)
    resolve = d.create_buffer(size=16 * n, usage=wgpu.BufferUsage.QUERY_RESOLVE | wgpu.BufferUsage.COPY_SRC)
    frame: list[tuple[str, str, list[str]]] = []  # (kind, label, pipeline labels) per pass begun
    current: list[list[str]] = [[]]

    def begin(kind: str):
        def wrap(original):
            def begin_pass(self, *args, **kwargs):
                i = len(frame)
                if i < n and "timestamp_writes" not in kwargs:
                    kwargs["timestamp_writes"] = {
                        "query_set": qs,
                        "beginning_of_pass_write_index": 2 * i,
                        "end_of_pass_write_index": 2 * i + 1,
                    }
                pipelines: list[str] = []
                frame.append((kind, kwargs.get("label") or "", pipelines))
                current[0] = pipelines
                return original(self, *args, **kwargs)

            return begin_pass

        return wrap

    def set_pipeline(original):
        def traced(self, pipeline, *args, **kwargs):
            current[0].append(getattr(pipeline, "label", "") or "")
            return original(self, pipeline, *args, **kwargs)

        return traced

    samples: dict[str, list[float]] = {}
    enc_cls = classes["GPUCommandEncoder"]
    with (
        patch_method(enc_cls, "begin_compute_pass", begin("compute")),
        patch_method(enc_cls, "begin_render_pass", begin("render")),
        patch_method(classes["GPUComputePassEncoder"], "set_pipeline", set_pipeline),
        patch_method(classes["GPURenderPassEncoder"], "set_pipeline", set_pipeline),
    ):
        for _ in range(repeats):
            frame.clear()
            rt.step(t_ms)
            timed = min(len(frame), n)
            if not timed:
                continue
            enc = d.create_command_encoder()
            enc.resolve_query_set(qs, 0, 2 * timed, resolve, 0)
            d.queue.submit([enc.finish()])
            ticks = np.frombuffer(d.queue.read_buffer(resolve, 0, 16 * timed), dtype=np.uint64)
            seen: dict[str, int] = {}
            for i, (kind, label, pipelines) in enumerate(frame[:timed]):
                name = _pass_name(kind, label, pipelines, i)
                seen[name] = seen.get(name, 0) + 1
                if seen[name] > 1:
                    name = f"{name} ({seen[name]})"
                samples.setdefault(name, []).append(float(ticks[2 * i + 1] - ticks[2 * i]) / 1e6)
    qs.destroy()
    resolve.destroy()
    return {k: float(np.median(v)) for k, v in samples.items()}


class FrameTimer:
    """GPU time of whole frames, for the window's overlay: set ``rt.frame_timer = FrameTimer(device)``
    and every ``rt.step`` records a timestamp before its first pass and after its last (two empty
    compute passes with timestamp writes) and resolves them; :meth:`read_ms` reads the last frame's
    GPU milliseconds. Reading waits for that frame to finish, so call it a few times a second, not
    every frame (the window does it when it refreshes the overlay).

    Raises:
        RuntimeError: the device has no timestamp-query support (see :func:`timestamps_supported`).
    """

    def __init__(self, device) -> None:
        if not timestamps_supported(device):
            raise RuntimeError("this device has no 'timestamp-query' feature")
        self.device = device
        self._qs = device.create_query_set(type=wgpu.QueryType.timestamp, count=2)
        self._resolve = device.create_buffer(size=16, usage=wgpu.BufferUsage.QUERY_RESOLVE | wgpu.BufferUsage.COPY_SRC)
        self._recorded = False

    def begin(self, encoder) -> None:
        """Record the frame's start timestamp into ``encoder`` (before anything else of the frame)."""
        encoder.begin_compute_pass(
            label="oscilla.frame-timer.begin",
            timestamp_writes={"query_set": self._qs, "beginning_of_pass_write_index": 0},
        ).end()

    def end(self, encoder) -> None:
        """Record the frame's end timestamp and resolve both (after everything else of the frame)."""
        encoder.begin_compute_pass(
            label="oscilla.frame-timer.end",
            timestamp_writes={"query_set": self._qs, "end_of_pass_write_index": 1},
        ).end()
        encoder.resolve_query_set(self._qs, 0, 2, self._resolve, 0)
        self._recorded = True

    def read_ms(self) -> float | None:
        """GPU milliseconds of the last timed frame (None before the first); waits for it."""
        if not self._recorded:
            return None
        ticks = np.frombuffer(self.device.queue.read_buffer(self._resolve), dtype=np.uint64)
        return max(float(ticks[1]) - float(ticks[0]), 0.0) / 1e6

    def release(self) -> None:
        """Free the query set and the resolve buffer."""
        self._qs.destroy()
        self._resolve.destroy()
