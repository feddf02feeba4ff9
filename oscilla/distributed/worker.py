"""What runs on a worker: render one chunk of a frame sequence to PNG files.

Files are written under a temporary name and renamed into place, so a worker killed mid-chunk
never leaves a half-written frame; the chunk re-run elsewhere writes the same bytes.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from oscilla.distributed.chunks import FrameChunk
from oscilla.distributed.source import ProgramSource
from oscilla.distributed.start import StartState
from oscilla.export.png import save_png


@dataclass(frozen=True)
class WrittenFile:
    """A file a worker wrote and the sha256 (hex) of its bytes."""

    path: str
    sha256: str


def sha256_file(path: str | os.PathLike) -> str:
    """The sha256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_png_atomically(image: Any, path: Path, background=(0.0, 0.0, 0.0, 1.0)) -> WrittenFile:
    """Write an (H, W, 4) uint8 image as :func:`oscilla.export.png.save_png` does, under a temporary
    name first, then renamed to ``path``. Returns the path and sha256.

    Raises:
        OSError: the file cannot be written.
    """
    tmp = path.with_name(f".part-{os.getpid()}-{path.name}")
    save_png(image, tmp, background)
    os.replace(tmp, path)
    return WrittenFile(str(path), sha256_file(path))


def frame_path(out_dir: str | os.PathLike, k: int) -> Path:
    """The file of frame ``k`` in a numbered sequence, named as :func:`oscilla.export.png.render_frames` names it."""
    return Path(out_dir) / f"frame_{k:04d}.png"


def write_intermediate(image: Any, path: Path) -> WrittenFile:
    """Write an RGBA image as a quickly compressed PNG (zlib level 1) under a temporary name, then
    renamed to ``path``: frames a video encoder reads back (lossless, so the pixels are exact).

    Raises:
        OSError: the file cannot be written.
    """
    tmp = path.with_name(f".part-{os.getpid()}-{path.name}")
    Image.fromarray(np.ascontiguousarray(image), mode="RGBA").save(tmp, format="PNG", compress_level=1)
    os.replace(tmp, path)
    return WrittenFile(str(path), "")


def render_chunk(
    source: ProgramSource,
    chunk: FrameChunk,
    out_dir: str,
    start_state: StartState,
    token: Any,
    intermediate: bool = False,
) -> list[WrittenFile]:
    """Render frames ``chunk.start .. chunk.stop - 1`` of ``source`` to ``out_dir/frame_NNNN.png``,
    the bytes :func:`oscilla.export.png.render_frames` writes (with ``intermediate``, the same pixels
    compressed faster and no sha256, for a video encoder to read back). Runs on a worker.

    Raises:
        CompileError: the patch does not compile (checked on the client before submitting).
        OSError: a frame cannot be written.
    """
    rt = start_state.runtime_at(source, chunk.start, token)
    w, h = source.size
    write = write_intermediate if intermediate else write_png_atomically
    written = []
    for k in range(chunk.start, chunk.stop):
        rt.step(source.frame_time(k))
        written.append(write(rt.render(w, h), frame_path(out_dir, k)))
    start_state.finished(source, rt, chunk.stop)
    return written


@dataclass(frozen=True)
class JobResult:
    """What one batch job produced: its files (with sha256) or the error that stopped it (one line)."""

    files: tuple[WrittenFile, ...] = ()
    error: str | None = None


def render_job(source: ProgramSource, kind: str, target: str, t_ms: float, duration_ms: float) -> JobResult:
    """Render one batch job on a worker: ``kind`` "image" (the frame at ``t_ms`` as playback reaches
    it, :func:`oscilla.export.png.render_png`'s bytes), "frames" (``duration_ms`` ms of frames into the
    folder ``target``, :func:`oscilla.export.png.render_frames`'s bytes) or "video"
    (:func:`oscilla.export.video.render_video`). Failures (a patch that does not compile, a file that
    cannot be written) come back as ``JobResult.error``, so one bad job does not stop a batch."""
    from oscilla.diagnostics import CompileError
    from oscilla.export.png import playback_times, sequence_length
    from oscilla.export.video import render_video

    try:
        w, h = source.size
        if kind == "video":
            render_video(source.program(), target, duration_ms, source.fps, (w, h))
            return JobResult((WrittenFile(target, sha256_file(target)),))
        rt = source.new_runtime()
        if kind == "image":
            for t in playback_times(t_ms, source.fps):
                rt.step(t)
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            return JobResult((write_png_atomically(rt.render(w, h), Path(target), rt.program.background),))
        Path(target).mkdir(parents=True, exist_ok=True)
        files = []
        for k in range(sequence_length(duration_ms, source.fps)):
            rt.step(source.frame_time(k))
            files.append(write_png_atomically(rt.render(w, h), frame_path(target, k)))
        return JobResult(tuple(files))
    except CompileError as e:
        return JobResult(error="; ".join(e.format_lines()))
    except (OSError, ValueError, TypeError) as e:
        return JobResult(error=f"{type(e).__name__}: {e}")
