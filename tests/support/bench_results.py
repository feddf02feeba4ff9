"""Hand-made benchmark results (oscilla.benchmark.result records) for the compare, schema and report tests."""

from __future__ import annotations

from oscilla.benchmark.result import BenchResult, BenchRow


def synthetic_result(ms_by_key: dict, adapter: str = "test adapter"):
    """A BenchResult with one row per ``(runtime, lanes) -> median ms/frame`` (hand-chosen figures)."""
    rows = [
        BenchRow(
            runtime=runtime,
            lanes=lanes,
            instances={"array": lanes or 100},
            frame_ms_median=ms,
            frame_ms_p95=ms * 1.1,
            host_ms_per_step=0.3,
            gpu_kernel_ms={"field0": ms / 2} if runtime == "oscilla" else {},
            gpu_pass_ms={"compute signal+field0": ms / 2, "compute commit": ms / 4} if runtime == "oscilla" else {},
            dispatches_per_frame=3 if runtime == "oscilla" else None,
            wgpu_calls_per_frame=16 if runtime == "oscilla" else None,
            gpu_memory_bytes=4096 if runtime == "oscilla" else None,
            compile_ms=2.0,
            create_ms=10.0,
            pipeline_ms=5.0 if runtime == "oscilla" else None,
        )
        for (runtime, lanes), ms in ms_by_key.items()
    ]
    lanes = sorted({n for _r, n in ms_by_key if n is not None}) or None
    return BenchResult(
        patch="p.json",
        device={
            "adapter": adapter,
            "vendor": "v",
            "device": "d",
            "driver": "Mesa 1.0",
            "backend": "Vulkan",
            "type": "CPU",
            "timestamps": True,
        },
        host={"platform": "Linux", "python": "3.11", "cpu_count": 2, "load_average": [0.1, 0.2, 0.3]},
        settings={
            "lanes": lanes,
            "array": None,
            "frames": 3,
            "batches": 2,
            "warmup": 1,
            "size": None,
            "reference": any(r == "reference" for r, _n in ms_by_key),
            "frame_step_ms": 1000 / 60,
        },
        rows=rows,
        created="2026-01-01T00:00:00+00:00",
        oscilla_version="0.0.0",
    )
