"""Timing a patch: ``osc.bench(patch, lanes=[...])`` (what ``oscilla bench`` runs).

For each lane count N (:mod:`oscilla.benchmark.lanes` overrides the patch's Array counts) the patch
is compiled and run on the GPU :class:`~oscilla.runtime.executor.Runtime`, and optionally on the
numpy :class:`~oscilla.runtime.reference_runtime.ReferenceRuntime`:

1. create the runtime (timed; the wgpu calls are counted meanwhile, so the time spent creating
   shader modules and pipelines is known), with an offscreen target attached when ``size`` is
   given so that every ``step`` also draws;
2. ``warmup`` frames, then a fence (a 4-byte readback);
3. ``batches`` batches of ``frames`` steps, each batch ended by one fence: the end-to-end time
   of a batch divided by ``frames`` is one sample of ms/frame;
   then ``frames`` more steps, each timed on its own and followed by a fence: the host time of a
   ``step`` (Python and wgpu-py, without waiting: on a busy queue a submit may wait for earlier
   frames, so steps inside a batch would overstate it);
4. one step with every wgpu-py call counted (:class:`oscilla.gpu.calls.WgpuCalls`): wgpu calls
   and compute dispatches per frame;
5. with timestamp queries, GPU ms per kernel (:func:`~oscilla.runtime.profiling.profile_kernels`)
   and per pass of a real step (:func:`~oscilla.runtime.profiling.profile_passes`).

Frames advance by :data:`FRAME_STEP_MS` (60 fps) so stateful blocks keep moving.
"""

from __future__ import annotations

import datetime
import os
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from oscilla import __version__
from oscilla.benchmark.lanes import BenchInputError, LanesOverride, override_lanes
from oscilla.benchmark.result import BenchResult, BenchRow
from oscilla.compiler.compile import compile_patch
from oscilla.drawing.offscreen import OffscreenTarget
from oscilla.gpu import device as gpu
from oscilla.gpu.calls import WgpuCalls
from oscilla.patch import Patch, load_patch
from oscilla.program import CompiledProgram
from oscilla.runtime.executor import Runtime, render_sink_error
from oscilla.runtime.profiling import profile_kernels, profile_passes, timestamps_supported
from oscilla.runtime.reference_runtime import ReferenceRuntime

#: milliseconds between benchmark frames (60 fps)
FRAME_STEP_MS = 1000.0 / 60.0
#: frames :func:`profile_kernels` / :func:`profile_passes` take the median of
PROFILE_REPEATS = 5

#: called once per unit of work done (see :func:`work_units`) with a short description
Progress = Callable[[str], None]


def work_units(n_lane_counts: int, batches: int, reference: bool) -> int:
    """How many times :func:`bench` calls its ``progress`` callback: per lane count, one for
    compiling and creating the runtime, one per batch, one for the counted step and profiling,
    and one for the reference when it runs."""
    return n_lane_counts * (2 + batches + (1 if reference else 0))


def open_device(name: str | None) -> Any:
    """The wgpu device to measure on: the process-wide one (:func:`oscilla.gpu.device.get_device`)
    when ``name`` is None, else a new device on the first modern adapter whose summary contains
    ``name`` (case-insensitive), with timestamp queries when the adapter has them.

    Raises:
        NoAdapterError: no adapter matches ``name`` (the message lists those wgpu sees), or no
            modern adapter at all.
    """
    if name is None:
        return gpu.get_device()
    adapters = [a for a in gpu.good_adapters() if name.lower() in a.summary.lower()]
    if not adapters:
        seen = "; ".join(a.summary for a in gpu.good_adapters()) or "none"
        raise gpu.NoAdapterError(f"no adapter matches --device {name!r} (Vulkan/Metal/D3D12 adapters: {seen})")
    adapter = adapters[0]
    features = [f for f in ("timestamp-query",) if f in adapter.features]
    return adapter.request_device_sync(required_features=features)


def device_info(device: Any) -> dict[str, Any]:
    """The ``device`` record of a result: adapter summary, vendor, device, driver, backend, type,
    and whether timestamps are supported."""
    adapter = device.adapter
    info = adapter.info
    return {
        "adapter": str(adapter.summary),
        "vendor": str(info.get("vendor", "")),
        "device": str(info.get("device", "")),
        "driver": str(info.get("description", "")),
        "backend": str(info.get("backend_type", "")),
        "type": str(info.get("adapter_type", "")),
        "timestamps": timestamps_supported(device),
    }


def host_info() -> dict[str, Any]:
    """The ``host`` record of a result: platform, Python version, CPU count, load average."""
    try:
        load: list[float] | None = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "load_average": load,
    }


def _fence(rt: Runtime) -> None:
    """Wait for the GPU: a 4-byte readback on ``rt``'s own device (which may not be the process-wide one)."""
    gpu.read_bytes(rt.device, rt.values.buffers["f32"], 0, 4)


def _instances(program: CompiledProgram) -> dict[str, int]:
    return {k: int(n) for k, (n, _seed) in program.instances.items()}


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def _median_p95(samples: Sequence[float]) -> tuple[float, float]:
    a = np.asarray(samples, dtype=np.float64)
    return float(np.median(a)), float(np.percentile(a, 95))


class _Clock:
    """Frame times: ``next()`` returns 0, 1/60 s, 2/60 s, ... in ms."""

    def __init__(self) -> None:
        self.frame = 0

    def next(self) -> float:
        t = self.frame * FRAME_STEP_MS
        self.frame += 1
        return t


def _bench_gpu(
    program: CompiledProgram,
    device: Any,
    lanes: int | None,
    compile_ms: float,
    frames: int,
    batches: int,
    warmup: int,
    size: tuple[int, int] | None,
    tick: Progress,
) -> BenchRow:
    target: OffscreenTarget | None = None
    with WgpuCalls(device) as creation:
        t0 = time.perf_counter()
        rt = Runtime(program, device=device)
        if size is not None:
            w, h = size
            target = OffscreenTarget(device, w, h)
            view = target.view
            rt.attach_target(lambda: (view, w, h))
        create_ms = _ms(time.perf_counter() - t0)
    tick("created the runtime")
    try:
        clock = _Clock()
        for _ in range(warmup):
            rt.step(clock.next())
        _fence(rt)
        frame_ms = []
        for _ in range(batches):
            t_batch = time.perf_counter()
            for _ in range(frames):
                rt.step(clock.next())
            _fence(rt)
            frame_ms.append(_ms(time.perf_counter() - t_batch) / frames)
            tick("timed a batch")
        host_ms = []
        for _ in range(frames):  # each step on an idle GPU: inside a batch, submit may wait for earlier frames
            t = clock.next()
            t_step = time.perf_counter()
            rt.step(t)
            host_ms.append(_ms(time.perf_counter() - t_step))
            _fence(rt)
        with WgpuCalls(device) as calls:
            rt.step(clock.next())
        _fence(rt)
        kernels: dict[str, float] = {}
        passes: dict[str, float] = {}
        if timestamps_supported(device):
            kernels = profile_kernels(rt, clock.next(), repeats=PROFILE_REPEATS)
            kernels.pop("total", None)
            passes = profile_passes(rt, clock.next(), repeats=PROFILE_REPEATS)
        tick("profiled")
        median, p95 = _median_p95(frame_ms)
        memory = rt.resources.nbytes + (size[0] * size[1] * 4 if size is not None else 0)
        return BenchRow(
            runtime="oscilla",
            lanes=lanes,
            instances=_instances(program),
            frame_ms_median=median,
            frame_ms_p95=p95,
            host_ms_per_step=float(np.median(host_ms)),
            gpu_kernel_ms=kernels,
            gpu_pass_ms=passes,
            dispatches_per_frame=calls.count("dispatch_workgroups") + calls.count("dispatch_workgroups_indirect"),
            wgpu_calls_per_frame=calls.total,
            gpu_memory_bytes=int(memory),
            compile_ms=compile_ms,
            create_ms=create_ms,
            pipeline_ms=_ms(creation.pipeline_seconds()),
        )
    finally:
        _fence(rt)
        rt.resources.release()
        if target is not None:
            target.release()


def _bench_reference(
    program: CompiledProgram, lanes: int | None, compile_ms: float, frames: int, warmup: int, tick: Progress
) -> BenchRow:
    t0 = time.perf_counter()
    ref = ReferenceRuntime(program)
    create_ms = _ms(time.perf_counter() - t0)
    clock = _Clock()
    for _ in range(min(warmup, 1)):  # the interpreter has no caches to warm beyond the first frame
        ref.step(clock.next())
    samples = []
    for _ in range(frames):
        t = clock.next()
        t_step = time.perf_counter()
        ref.step(t)
        samples.append(_ms(time.perf_counter() - t_step))
    tick("timed the reference")
    median, p95 = _median_p95(samples)
    return BenchRow(
        runtime="reference",
        lanes=lanes,
        instances=_instances(program),
        frame_ms_median=median,
        frame_ms_p95=p95,
        host_ms_per_step=median,
        compile_ms=compile_ms,
        create_ms=create_ms,
    )


def _check_count(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise BenchInputError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return value


def _check_size(size: Any) -> tuple[int, int] | None:
    if size is None:
        return None
    ok = isinstance(size, (tuple, list)) and len(size) == 2
    if not ok or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in size):
        raise BenchInputError(f"size must be (width, height) in pixels, two whole numbers of at least 1, got {size!r}")
    return int(size[0]), int(size[1])


def bench(
    patch: Patch | dict[str, Any] | str | os.PathLike[str],
    lanes: Sequence[int] | None = None,
    *,
    array: str | None = None,
    frames: int = 20,
    batches: int = 5,
    warmup: int = 3,
    size: tuple[int, int] | None = None,
    reference: bool = False,
    device: str | None = None,
    progress: Progress | None = None,
) -> BenchResult:
    """Benchmark ``patch`` at each lane count of ``lanes`` (module docstring for the method).

    Args:
        patch: a Patch, a patch dict, JSON text or a file path (as :func:`oscilla.load_patch`).
        lanes: counts N to give every Array (or only the Array ``array``), grid layouts resized
            (:func:`oscilla.benchmark.lanes.override_lanes`); None runs the patch as written.
        array: the id of the one Array to override (needs ``lanes``).
        frames: GPU steps per timed batch (and reference steps timed), at least 1.
        batches: timed batches of GPU steps, at least 1 (median and p95 are over these).
        warmup: untimed GPU steps first, at least 0.
        size: (width, height) in pixels to draw every frame into an offscreen target; None
            (default) measures compute only.
        reference: also time the numpy ReferenceRuntime on the same program.
        device: part of an adapter's name to measure on (a new device); None: the process-wide
            device (``OSCILLA_ADAPTER`` chooses it).
        progress: called with a description after each unit of work (:func:`work_units` calls).

    Returns:
        a :class:`~oscilla.benchmark.result.BenchResult` whose rows are, per lane count, the GPU
        runtime's then (with ``reference``) the reference's.

    Raises:
        BenchInputError: a bad option (message says which), an unknown ``array`` id, a patch with
            no Array given ``lanes``; checked before anything runs.
        CompileError: the patch (or an overridden one) does not compile; with ``size``, a patch
            without a render sink (W_NO_RENDER_SINK).
        OSError: the patch file cannot be read.
        NoAdapterError: no GPU adapter (or none matching ``device``).
    """
    tick: Progress = progress or (lambda _what: None)
    frames = _check_count("frames", frames, 1)
    batches = _check_count("batches", batches, 1)
    warmup = _check_count("warmup", warmup, 0)
    size = _check_size(size)
    if array is not None and lanes is None:
        raise BenchInputError(f"an Array id ({array!r}) only makes sense with lanes to give it")
    if lanes is not None and not list(lanes):
        raise BenchInputError("lanes is empty: give at least one lane count, or None to run the patch as written")
    model = load_patch(patch)
    overrides: list[LanesOverride | None] = (
        [override_lanes(model, n, array) for n in lanes] if lanes is not None else [None]
    )
    notes = list(dict.fromkeys(note for ov in overrides if ov is not None for note in ov.notes))
    host = host_info()
    dev = open_device(device)
    rows: list[BenchRow] = []
    for ov in overrides:
        t0 = time.perf_counter()
        program = compile_patch(ov.patch if ov is not None else model)
        compile_ms = _ms(time.perf_counter() - t0)
        if size is not None:
            problem = render_sink_error(program)
            if problem is not None:
                raise problem
        n = ov.lanes if ov is not None else None
        rows.append(_bench_gpu(program, dev, n, compile_ms, frames, batches, warmup, size, tick))
        if reference:
            rows.append(_bench_reference(program, n, compile_ms, frames, warmup, tick))
    return BenchResult(
        patch=str(patch) if isinstance(patch, (str, os.PathLike)) and not _is_json_text(patch) else _kind(patch),
        device=device_info(dev),
        host=host,
        settings={
            "lanes": None if lanes is None else [int(n) for n in lanes],
            "array": array,
            "frames": frames,
            "batches": batches,
            "warmup": warmup,
            "size": None if size is None else list(size),
            "reference": bool(reference),
            "frame_step_ms": FRAME_STEP_MS,
        },
        rows=rows,
        notes=notes,
        created=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        oscilla_version=__version__,
    )


def _is_json_text(patch: Any) -> bool:
    return isinstance(patch, str) and patch.lstrip().lstrip("\ufeff")[:1] in ("{", "[")


def _kind(patch: Any) -> str:
    if isinstance(patch, Path):
        return str(patch)
    return {dict: "<dict>", Patch: "<Patch>"}.get(type(patch), "<JSON text>")
