"""Batch jobs and parameter sweeps: what ``oscilla render-batch JOBS.json`` reads (no Dask here).

A jobs file is ``{"jobs": [JOB, ...]}`` (or just the list), each JOB one of::

    {"patch": "p.json", "output": "out/a.png", "t_ms": 1000, "fps": 60, "size": [512, 512],
     "params": {"lag.smoothing": 0.3}}                                  # one image at t_ms
    {"patch": "p.json", "frames_dir": "out/seq", "duration_ms": 2000, "fps": 30}   # a frame sequence
    {"patch": "p.json", "output": "out/a.mp4", "duration_ms": 2000, "fps": 30}     # a video

``params`` overrides ``block.param`` values of the patch (inline port values or config params).
Relative paths are relative to the jobs file's folder. A sweep (``block.param=0:1:11``: 11 values
from 0 to 1, ends included; or ``block.param=0.1,0.5,2``) turns every job into one job per value,
several sweeps into one per combination, the output names suffixed ``__block.param=value``.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jsonschema

from oscilla.export.video import is_video_path

_JOB_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["patch"],
    "properties": {
        "patch": {"type": ["string", "object"]},
        "output": {"type": "string", "minLength": 1},
        "frames_dir": {"type": "string", "minLength": 1},
        "t_ms": {"type": "number", "minimum": 0},
        "duration_ms": {"type": "number", "minimum": 0},
        "fps": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000},
        "size": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 2, "maxItems": 2},
        "params": {"type": "object", "propertyNames": {"pattern": r"^.+\..+$"}},
    },
}
#: the JSON schema of a jobs file (a list of jobs, or an object with "jobs")
JOBS_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {"type": "array", "items": _JOB_SCHEMA},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["jobs"],
            "properties": {"jobs": {"type": "array", "items": _JOB_SCHEMA}},
        },
    ]
}


class JobsError(ValueError):
    """A jobs file, a job or a sweep that cannot be used; the message names the job and the problem."""


@dataclass(frozen=True)
class RenderJob:
    """One render: ``patch`` (a file path, or a patch dict), and either ``output`` (an image of the
    frame at ``t_ms`` ms as playback at ``fps`` reaches it, or a video of ``duration_ms`` ms when the
    suffix is .mp4/.webm/.gif/.apng) or ``frames_dir`` (a sequence of ``duration_ms`` ms at ``fps``),
    at ``size`` (width, height) pixels, with ``params`` (``"block.param"`` -> value) overriding the patch."""

    patch: str | dict[str, Any]
    output: str | None = None
    frames_dir: str | None = None
    t_ms: float = 0.0
    duration_ms: float = 2000.0
    fps: float = 60.0
    size: tuple[int, int] = (512, 512)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """ "frames", "video" or "image"."""
        if self.output is None:
            return "frames"
        return "video" if is_video_path(self.output) else "image"

    def describe(self) -> str:
        """One line naming the job (for messages)."""
        name = self.patch if isinstance(self.patch, str) else "<patch dict>"
        where = self.output if self.output is not None else f"{self.frames_dir}/"
        extra = "".join(f" {k}={v!r}" for k, v in self.params.items())
        return f"{name} -> {where}{extra}"


def job_from_dict(data: dict[str, Any], base_dir: str | os.PathLike | None = None) -> RenderJob:
    """A RenderJob of one job dict (see the module docstring); relative paths joined to ``base_dir``.

    Raises:
        JobsError: the dict does not match the job schema, or names both output and frames_dir.
    """
    try:
        jsonschema.validate(data, _JOB_SCHEMA)
    except jsonschema.ValidationError as e:
        raise JobsError(f"job {json.dumps(data)[:120]}: {e.message}") from None
    if ("output" in data) == ("frames_dir" in data):
        raise JobsError(
            f"job {json.dumps(data)[:120]}: give output (an image, or a video) or frames_dir (a sequence), not both"
            if "output" in data
            else f"job {json.dumps(data)[:120]}: give output (an image, or a video) or frames_dir (a sequence)"
        )

    def resolve(p: str | None) -> str | None:
        return p if p is None or base_dir is None else str(Path(base_dir) / p)

    patch = data["patch"]
    return RenderJob(
        patch=resolve(patch) if isinstance(patch, str) else patch,  # type: ignore[arg-type]
        output=resolve(data.get("output")),
        frames_dir=resolve(data.get("frames_dir")),
        t_ms=float(data.get("t_ms", 0.0)),
        duration_ms=float(data.get("duration_ms", 2000.0)),
        fps=float(data.get("fps", 60.0)),
        size=tuple(data.get("size", (512, 512))),
        params=dict(data.get("params", {})),
    )


def load_jobs(path: str | os.PathLike) -> list[RenderJob]:
    """The jobs of a jobs file (paths in it relative to its folder).

    Raises:
        OSError: the file cannot be read.
        JobsError: it is not JSON, or does not match :data:`JOBS_SCHEMA`.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise JobsError(f"{path}: not a JSON jobs file: {e}") from None
    if not isinstance(data, (list, dict)) or (isinstance(data, dict) and not isinstance(data.get("jobs"), list)):
        raise JobsError(f'{path}: a jobs file is a list of jobs or {{"jobs": [...]}}')
    items = data if isinstance(data, list) else data["jobs"]
    if not items:
        raise JobsError(f"{path}: no jobs")
    base = Path(path).resolve().parent
    return [job_from_dict(d, base) for d in items]


def parse_sweep(text: str) -> tuple[str, list[Any]]:
    """``block.param=START:STOP:COUNT`` (COUNT values from START to STOP, both ends included;
    ints when START and STOP are written as ints and every value is whole) or
    ``block.param=V1,V2,...`` (JSON values). Returns (``"block.param"``, values).

    Raises:
        JobsError: a malformed sweep (the message shows the expected form).
    """
    key, sep, spec = text.partition("=")
    key = key.strip()
    form = "expected block.param=START:STOP:COUNT (e.g. lag.smoothing=0:1:11) or block.param=V1,V2,..."
    if not sep or "." not in key.strip(".") or not spec.strip():
        raise JobsError(f"sweep {text!r}: {form}")
    try:
        if ":" in spec:
            a, b, c = spec.split(":")
            count = int(c)
            start, stop = float(a), float(b)
            if count < 1 or not (math.isfinite(start) and math.isfinite(stop)):
                raise ValueError
            # 12 significant digits: 0.1:0.5:3 gives 0.3, not 0.30000000000000004 (also in file names)
            values: list[Any] = [float(f"{start + (stop - start) * i / max(1, count - 1):.12g}") for i in range(count)]
            if "." not in a + b and "e" not in (a + b).lower() and all(float(v).is_integer() for v in values):
                values = [int(v) for v in values]
            return key, values
        return key, [json.loads(v) for v in spec.split(",")]
    except ValueError:
        raise JobsError(f"sweep {text!r}: {form}") from None


def _suffix(params: dict[str, Any]) -> str:
    return "".join(f"__{k}={json.dumps(v)}" for k, v in params.items())


def _renamed(path: str | None, suffix: str, is_dir: bool) -> str | None:
    if path is None:
        return None
    p = Path(path)
    return str(p.with_name(p.name + suffix) if is_dir else p.with_name(p.stem + suffix + p.suffix))


def expand_sweeps(jobs: list[RenderJob], sweeps: list[tuple[str, list[Any]]]) -> list[RenderJob]:
    """Every job once per combination of the sweeps' values (the grid), its params overridden and its
    output (file or folder) suffixed ``__block.param=value`` per swept parameter. No sweeps: ``jobs``."""
    if not sweeps:
        return list(jobs)
    keys = [k for k, _ in sweeps]
    out = []
    for job in jobs:
        for combo in itertools.product(*(v for _, v in sweeps)):
            swept = dict(zip(keys, combo))
            sfx = _suffix(swept)
            out.append(
                replace(
                    job,
                    params={**job.params, **swept},
                    output=_renamed(job.output, sfx, False),
                    frames_dir=_renamed(job.frames_dir, sfx, True),
                )
            )
    return out


def apply_params(patch: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """A copy of the patch dict with ``params`` (``"block.param"`` -> value, split at the last '.')
    set on its blocks.

    Raises:
        JobsError: a key names no block of the patch, or is not ``block.param``.
    """
    data = copy.deepcopy(patch)
    blocks = {b.get("id"): b for b in data.get("blocks", []) if isinstance(b, dict)}
    for key, value in params.items():
        block_id, _, name = key.rpartition(".")
        if not block_id or not name:
            raise JobsError(f"params: {key!r} is not block.param")
        b = blocks.get(block_id)
        if b is None:
            raise JobsError(
                f"params: {key!r}: the patch has no block {block_id!r} (blocks: {', '.join(map(str, blocks))})"
            )
        b.setdefault("params", {})[name] = value
    return data
