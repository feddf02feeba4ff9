"""Checkpoints of a frame-sequence export (``oscilla render --frames-dir D --checkpoint-every N --resume``).

Every N frames the export writes a snapshot of its runtime (docs/runtime/snapshots.md) beside the
frames, ``D/.oscilla-checkpoint-<frame>.snap``, then ``D/.oscilla-checkpoint.json``, which names it
together with the export's options and the snapshot's sha256. Both are written to a temporary
file and renamed into place, so a process killed at any moment leaves the previous checkpoint or
the new one, never half of one. ``--resume`` restores the runtime the JSON names and renders the
frames from its ``next_frame`` on (the frames before it were written before the checkpoint was);
they are the frames of an uninterrupted run because the snapshot carries everything the next
frame depends on. A finished export removes its checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from oscilla.runtime.snapshot import E_SNAPSHOT_CORRUPT, E_SNAPSHOT_MISMATCH, SnapshotError

#: the file naming the current checkpoint of a frames folder
CHECKPOINT_JSON = ".oscilla-checkpoint.json"
#: the snapshot files, one per checkpoint frame (the older ones are removed)
SNAPSHOT_GLOB = ".oscilla-checkpoint-*.snap"
#: version of the JSON record
RECORD_VERSION = 1


@dataclass(frozen=True)
class ExportJob:
    """The options that decide an export's frames: a checkpoint resumes only the same job.

    Attributes:
        frames: the number of frames of the whole sequence.
        fps: frames per second (frame k is at k·1000/fps ms).
        size: (width, height) in pixels.
        program_hash: ``CompiledProgram.content_hash`` of the patch being rendered.
    """

    frames: int
    fps: float
    size: tuple[int, int]
    program_hash: str


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint read back: the frame to render next and the snapshot bytes to restore."""

    next_frame: int
    snapshot: bytes


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place (all or nothing)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_checkpoint(out_dir: str | os.PathLike, job: ExportJob, next_frame: int, snapshot: bytes) -> Path:
    """Record that frames 0 .. ``next_frame`` - 1 of ``job`` are written and ``snapshot`` is the
    runtime after the last of them. Returns the snapshot file's path.

    Raises:
        OSError: the folder cannot be written.
    """
    d = Path(out_dir)
    snap = d / f".oscilla-checkpoint-{next_frame:06d}.snap"
    _atomic_write(snap, snapshot)
    record = {
        "version": RECORD_VERSION,
        "job": {**asdict(job), "size": list(job.size)},
        "next_frame": next_frame,
        "snapshot": snap.name,
        "snapshot_sha256": hashlib.sha256(snapshot).hexdigest(),
    }
    _atomic_write(d / CHECKPOINT_JSON, json.dumps(record, indent=1).encode("utf-8"))
    for old in d.glob(SNAPSHOT_GLOB):  # only the one the record names is needed now
        if old.name != snap.name:
            old.unlink(missing_ok=True)
    return snap


def read_checkpoint(out_dir: str | os.PathLike, job: ExportJob) -> Checkpoint | None:
    """The checkpoint of ``out_dir`` for ``job``, or None when the folder has none.

    Raises:
        SnapshotError: E_SNAPSHOT_CORRUPT (an unreadable record, a missing or altered snapshot
            file) or E_SNAPSHOT_MISMATCH (a checkpoint of another job: other options or patch).
        OSError: the files cannot be read.
    """
    d = Path(out_dir)
    path = d / CHECKPOINT_JSON
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        saved = record["job"]
        theirs = ExportJob(int(saved["frames"]), float(saved["fps"]), tuple(saved["size"]), str(saved["program_hash"]))
        next_frame, name, digest = int(record["next_frame"]), str(record["snapshot"]), str(record["snapshot_sha256"])
    except (ValueError, KeyError, TypeError) as e:
        raise SnapshotError(
            E_SNAPSHOT_CORRUPT, f"{path} is not a checkpoint record ({e}); remove it to start over"
        ) from None
    if theirs.program_hash != job.program_hash:
        raise SnapshotError(
            E_SNAPSHOT_MISMATCH,
            f"the checkpoint in {d} was written for another version of the patch (or another oscilla); render "
            f"it again without --resume (with --overwrite)",
        )
    if theirs != job:
        raise SnapshotError(
            E_SNAPSHOT_MISMATCH,
            f"the checkpoint in {d} belongs to a render of {theirs.frames} frames at {theirs.fps:g} fps, "
            f"{theirs.size[0]}x{theirs.size[1]}; resume with the same --duration-ms, --fps and --size "
            f"(this one: {job.frames} frames at {job.fps:g} fps, {job.size[0]}x{job.size[1]})",
        )
    snap = d / Path(name).name
    if not snap.is_file():
        raise SnapshotError(E_SNAPSHOT_CORRUPT, f"the checkpoint's snapshot {snap} is missing; render again")
    data = snap.read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise SnapshotError(E_SNAPSHOT_CORRUPT, f"the checkpoint's snapshot {snap} was altered; render again")
    if not 0 < next_frame <= job.frames:
        raise SnapshotError(E_SNAPSHOT_CORRUPT, f"{path} names frame {next_frame} of {job.frames}")
    return Checkpoint(next_frame, data)


def remove_checkpoint(out_dir: str | os.PathLike) -> None:
    """Remove the checkpoint files of ``out_dir`` (after a finished export, or before a new one)."""
    d = Path(out_dir)
    for p in [d / CHECKPOINT_JSON, *d.glob(SNAPSHOT_GLOB), *d.glob(".oscilla-checkpoint*.tmp")]:
        p.unlink(missing_ok=True)
