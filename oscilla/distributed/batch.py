"""Many render jobs on one Dask cluster, and the manifest of what they wrote (sha256 per file)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oscilla import __version__
from oscilla.distributed.cluster import DEFAULT_RETRIES, cluster_client, wait_all
from oscilla.distributed.jobs import JobsError, RenderJob, apply_params, expand_sweeps, job_from_dict, parse_sweep
from oscilla.distributed.source import ProgramSource
from oscilla.distributed.worker import JobResult, render_job
from oscilla.export.png import existing_frames
from oscilla.export.video import video_format
from oscilla.patch import load_patch

#: the manifest's format version (its "manifest" key)
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class BatchEntry:
    """One job of a batch and what it produced (``result.error`` is None when it succeeded)."""

    job: RenderJob
    result: JobResult

    def to_dict(self) -> dict[str, Any]:
        j = self.job
        d: dict[str, Any] = {
            "patch": j.patch if isinstance(j.patch, str) else "<patch dict>",
            "kind": j.kind,
            "params": j.params,
            "fps": j.fps,
            "size": list(j.size),
        }
        d.update({"t_ms": j.t_ms} if j.kind == "image" else {"duration_ms": j.duration_ms})
        d["outputs"] = [{"path": f.path, "sha256": f.sha256} for f in self.result.files]
        d["error"] = self.result.error
        return d


def _source(job: RenderJob, patches: dict[str, dict[str, Any]]) -> ProgramSource:
    """The job's patch (each file read once) with its params applied."""
    if isinstance(job.patch, str):
        if job.patch not in patches:
            patches[job.patch] = load_patch(job.patch).to_dict()
        data = patches[job.patch]
    else:
        data = load_patch(job.patch).to_dict()
    return ProgramSource.of(apply_params(data, job.params), job.size, job.fps)


def _check_outputs(jobs: Sequence[RenderJob], overwrite: bool) -> None:
    seen: dict[str, RenderJob] = {}
    for job in jobs:
        target = str(Path(job.output if job.output is not None else str(job.frames_dir)).resolve())
        if target in seen:
            raise JobsError(f"two jobs write {target}: {seen[target].describe()} and {job.describe()}")
        seen[target] = job
        if job.kind == "video":
            assert job.output is not None
            try:
                video_format(job.output, job.size)
            except ValueError as e:
                raise JobsError(f"job {job.describe()}: {e}") from None
        old = existing_frames(job.frames_dir) if job.frames_dir is not None else []
        if old and not overwrite:
            raise FileExistsError(
                f"{job.frames_dir} already holds {len(old)} frame files ({old[0].name} ...); pass overwrite=True "
                f"(--overwrite) to replace them, or choose an empty folder"
            )


def render_batch(
    jobs: Sequence[RenderJob | dict[str, Any]],
    *,
    sweeps: Sequence[str | tuple[str, list[Any]]] = (),
    manifest: str | os.PathLike | None = None,
    client: Any = None,
    workers: int | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    retries: int = DEFAULT_RETRIES,
    progress: Callable[[BatchEntry], object] | None = None,
) -> list[BatchEntry]:
    """Render every job (:class:`~oscilla.distributed.jobs.RenderJob`, or a job dict as in a jobs
    file, its relative paths taken from the current folder) once per combination of ``sweeps``
    (``"block.param=0:1:11"`` strings or (key, values) pairs), one Dask task per job, on ``client``
    (left open), else ``scheduler`` (``tcp://HOST:PORT``), else a LocalCluster of ``workers``
    (default 2) processes. Each output has the bytes the serial export of that job alone writes.
    A job that fails (a patch that does not compile, say) is recorded with its error and the
    others go on. ``manifest``: where to write the JSON manifest (job, params, outputs with sha256,
    error). ``progress(entry)`` is called on the client as each job finishes. Returns the entries
    in job order.

    Raises:
        DistributedExtraMissing (an ImportError): Dask is not installed: ``pip install 'oscilla[distributed]'``.
        JobsError (a ValueError): a malformed job or sweep, a params key naming no block, two jobs
            writing the same file, a video size or suffix that cannot be written.
        FileExistsError: a job's frames_dir already holds frames and ``overwrite`` is false.
        CompileError: a patch that is not a valid patch structure (E_PATCH_INVALID; compile errors
            are recorded per job instead).
        OSError: a patch file cannot be read or the manifest cannot be written.
    """
    parsed = [parse_sweep(s) if isinstance(s, str) else (s[0], list(s[1])) for s in sweeps]
    base = [j if isinstance(j, RenderJob) else job_from_dict(j) for j in jobs]
    expanded = expand_sweeps(base, parsed)
    if not expanded:
        raise JobsError("no jobs to render")
    _check_outputs(expanded, overwrite)
    patches: dict[str, dict[str, Any]] = {}
    sources = [_source(j, patches) for j in expanded]
    for job in expanded:  # overwrite: no frame of an old sequence is left behind
        for f in existing_frames(job.frames_dir) if job.frames_dir is not None else []:
            f.unlink()
    entries: list[BatchEntry | None] = [None] * len(expanded)
    with cluster_client(client, workers, scheduler) as c:
        futures = []
        for job, src in zip(expanded, sources):
            target = job.output if job.output is not None else str(job.frames_dir)
            futures.append(
                c.submit(render_job, src, job.kind, target, job.t_ms, job.duration_ms, retries=retries, pure=False)
            )

        def done(i: int, result: JobResult) -> None:
            entry = entries[i] = BatchEntry(expanded[i], result)
            if progress is not None:
                progress(entry)

        wait_all(c, futures, done)
    out = [e for e in entries if e is not None]
    if manifest is not None:
        write_manifest(out, manifest)
    return out


def write_manifest(entries: Sequence[BatchEntry], path: str | os.PathLike) -> None:
    """Write the manifest JSON: ``{"manifest": 1, "oscilla": version, "jobs": [...]}``, one entry per
    job with its patch, kind, params, fps, size, t_ms or duration_ms, outputs (path, sha256) and error.

    Raises:
        OSError: the file cannot be written.
    """
    data = {"manifest": MANIFEST_VERSION, "oscilla": __version__, "jobs": [e.to_dict() for e in entries]}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
