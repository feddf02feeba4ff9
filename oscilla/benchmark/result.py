"""The records of a benchmark run and their JSON form (schema ``oscilla-bench`` version 1).

The JSON structure is described by ``bench-result.schema.json`` (a JSON Schema shipped next to
this module; docs/guide/bench.md explains every field). :meth:`BenchResult.to_dict` writes it and
:func:`validate` checks a loaded file against it. A change to the structure that old readers
would misread bumps :data:`SCHEMA_VERSION`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

SCHEMA_NAME = "oscilla-bench"
SCHEMA_VERSION = 1
SCHEMA_FILE = "bench-result.schema.json"


@dataclass
class BenchRow:
    """One runtime at one lane count.

    Attributes:
        runtime: ``"oscilla"`` (the GPU :class:`~oscilla.runtime.executor.Runtime`) or
            ``"reference"`` (the numpy :class:`~oscilla.runtime.reference_runtime.ReferenceRuntime`).
        lanes: the ``--lanes`` override N, or None when the patch ran as written.
        instances: instance id -> lane count of the compiled program.
        frame_ms_median, frame_ms_p95: end-to-end milliseconds per frame. GPU: per batch of
            ``frames`` steps ended by one fence, median and 95th percentile over the batches.
            Reference: per step (it is synchronous), over ``frames`` steps.
        host_ms_per_step: median milliseconds of one ``step`` call issued on an idle GPU (Python
            and wgpu-py; the GPU runtime returns before the GPU finishes); the reference's step
            is its whole frame.
        gpu_kernel_ms: kernel name -> median GPU ms from timestamp queries, each kernel in its own
            compute pass; empty without timestamp support and for the reference.
        gpu_pass_ms: pass name -> median GPU ms of each pass of a real ``step`` (``"compute
            signal+field0"``, ``"render ..."``, ``"compute commit"``); empty likewise.
        dispatches_per_frame: compute dispatches counted in one ``step`` (None for the reference).
        wgpu_calls_per_frame: wgpu-py API calls counted in one ``step`` (None for the reference).
        gpu_memory_bytes: bytes of the program's GPU buffers (ValueStore, StateBuffer, scratch)
            plus the render target (width·height·4) when drawing; None for the reference.
        compile_ms: milliseconds to compile the patch (shared by the rows of one lane count).
        create_ms: milliseconds to create the runtime (buffers, pipelines, init kernels; with
            ``size``, the renderer and its target too).
        pipeline_ms: of ``create_ms``, milliseconds inside wgpu's shader-module and pipeline
            creation (0 when every pipeline came from the cache); None for the reference.
    """

    runtime: str
    lanes: int | None
    instances: dict[str, int]
    frame_ms_median: float
    frame_ms_p95: float
    host_ms_per_step: float
    gpu_kernel_ms: dict[str, float] = field(default_factory=dict)
    gpu_pass_ms: dict[str, float] = field(default_factory=dict)
    dispatches_per_frame: int | None = None
    wgpu_calls_per_frame: int | None = None
    gpu_memory_bytes: int | None = None
    compile_ms: float = 0.0
    create_ms: float = 0.0
    pipeline_ms: float | None = None


@dataclass
class BenchResult:
    """A whole run: where it ran, how, and one :class:`BenchRow` per runtime and lane count.

    Attributes:
        patch: the patch as given (a path, or ``"<dict>"`` / ``"<Patch>"``).
        device: ``adapter`` (wgpu's summary), ``vendor``, ``device``, ``driver`` (the adapter's
            description, e.g. the Mesa version), ``backend``, ``type`` and ``timestamps`` (bool).
        host: ``platform``, ``python``, ``cpu_count`` and ``load_average`` (1, 5, 15 minutes,
            before the run; None where the OS has none).
        settings: the options of the run (``lanes``, ``array``, ``frames``, ``batches``,
            ``warmup``, ``size``, ``reference``, ``frame_step_ms``).
        rows: the measurements, GPU row first then the reference's for each lane count.
        notes: what a reader should know (grids left alone by the lanes override, ...).
        created: ISO 8601 UTC time of the run.
        oscilla_version: the version that measured.
    """

    patch: str
    device: dict[str, Any]
    host: dict[str, Any]
    settings: dict[str, Any]
    rows: list[BenchRow]
    notes: list[str] = field(default_factory=list)
    created: str = ""
    oscilla_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON structure of ``bench-result.schema.json``."""
        return {
            "schema": SCHEMA_NAME,
            "version": SCHEMA_VERSION,
            "oscilla_version": self.oscilla_version,
            "created": self.created,
            "patch": self.patch,
            "device": dict(self.device),
            "host": dict(self.host),
            "settings": dict(self.settings),
            "notes": list(self.notes),
            "rows": [asdict(r) for r in self.rows],
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2) + "\n"


def schema() -> dict[str, Any]:
    """The JSON Schema of a result file (package data ``oscilla/benchmark/bench-result.schema.json``)."""
    text = resources.files("oscilla.benchmark").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def validate(data: Any) -> None:
    """Check ``data`` (a loaded result file) against :func:`schema`.

    Raises:
        jsonschema.ValidationError: the first problem, with its path in the document.
    """
    import jsonschema

    jsonschema.validate(data, schema())
