"""One patch's frame sequence rendered in chunks on a Dask cluster, byte-identical to the serial export."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from oscilla.distributed.chunks import FrameChunk, default_chunk_frames, split_frames
from oscilla.distributed.cluster import DEFAULT_RETRIES, cluster_client, wait_all, worker_count
from oscilla.distributed.source import ProgramSource
from oscilla.distributed.start import PreRoll, StartState
from oscilla.distributed.worker import frame_path, render_chunk
from oscilla.export.png import existing_frames, sequence_length
from oscilla.export.video import VideoEncoder, _check_size, video_format
from oscilla.patch import Patch, load_patch


def patch_of(patch_or_path: Any) -> Patch:
    """A Patch from a Patch, a patch dict, JSON text or a file path (anything ``load_patch`` takes).

    Raises:
        CompileError: E_PATCH_INVALID for a structurally invalid patch.
        OSError: the file cannot be read.
    """
    return patch_or_path if isinstance(patch_or_path, Patch) else load_patch(patch_or_path)


def render_distributed(
    patch_or_path: Any,
    frames_dir: str | os.PathLike | None = None,
    duration_ms: float = 2000.0,
    fps: float = 30.0,
    size: tuple[int, int] = (512, 512),
    *,
    output: str | os.PathLike | None = None,
    client: Any = None,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_frames: int | None = None,
    overwrite: bool = False,
    start_state: StartState | None = None,
    retries: int = DEFAULT_RETRIES,
    progress: Callable[[int], object] | None = None,
) -> list[Path]:
    """Render round(duration_ms·fps/1000) frames at t = k·1000/fps ms on a Dask cluster, to
    ``frames_dir/frame_0000.png``... (the same files, byte for byte, as
    :func:`oscilla.export.png.render_frames`) and/or to the video ``output`` (.mp4, .webm, .gif,
    .apng: the file :func:`oscilla.export.video.render_video` writes, from the same frames).

    The frames are split into contiguous chunks of ``chunk_frames`` (default: about four chunks per
    worker); each worker brings a runtime to its chunk's first frame with ``start_state`` (default
    :class:`~oscilla.distributed.start.PreRoll`) and writes the chunk's PNGs. A video is encoded on
    the client as the chunks arrive, in frame order, from lossless PNGs the workers write (into
    ``frames_dir``, or a temporary folder beside ``output`` deleted at the end): the encoders are not
    split into segments, so the video is the serial one. The cluster is ``client`` (a
    ``dask.distributed.Client``, left open), else ``scheduler`` (``tcp://HOST:PORT``), else a
    LocalCluster of ``workers`` (default 2) single-threaded processes, closed at the end. The output
    folders must be reachable under the same path from every worker (a shared file system). A chunk
    whose task raised is retried ``retries`` times; a chunk whose worker died is moved to another
    worker by the scheduler. ``progress(n)`` is called on the client with the number of frames of
    each finished chunk. Ctrl-C (KeyboardInterrupt) cancels the remaining chunks. ``size`` is
    (width, height) in pixels. Returns the frame paths in order (when ``frames_dir``), then ``output``.

    Raises:
        DistributedExtraMissing (an ImportError): Dask is not installed: ``pip install 'oscilla[distributed]'``.
        VideoExtraMissing (an ImportError): a video ``output`` without PyAV: ``pip install 'oscilla[video]'``.
        FileExistsError: ``frames_dir`` already holds ``frame_*.png`` files and ``overwrite`` is false.
        CompileError: the patch does not compile, or has no render sink (checked before any worker starts).
        ValueError: neither ``frames_dir`` nor ``output``; an ``output`` suffix that is not a video or an
            odd size for .mp4/.webm; ``duration_ms`` or ``fps`` not finite, ``fps`` not > 0,
            ``chunk_frames`` or ``workers`` < 1.
        TypeError: a size that is not a pair of ints.
        OSError: the patch cannot be read or a file cannot be written.
        distributed.KilledWorker: a chunk killed its worker several times over.
    """
    if frames_dir is None and output is None:
        raise ValueError("give frames_dir (a frame sequence) and/or output (a video path)")
    w, h = _check_size(size)
    if output is not None:
        video_format(output, (w, h))
    n = sequence_length(duration_ms, fps)
    if chunk_frames is not None and int(chunk_frames) < 1:
        raise ValueError(f"chunk_frames must be at least 1, got {chunk_frames}")
    source = ProgramSource.of(patch_of(patch_or_path), (w, h), fps)
    program = source.program()  # compile errors surface here, on the client, before any worker starts
    old = existing_frames(frames_dir) if frames_dir is not None else []
    if old and not overwrite:
        raise FileExistsError(
            f"{frames_dir} already holds {len(old)} frame files ({old[0].name} ...); pass overwrite=True "
            f"(--overwrite) to replace them, or choose an empty folder"
        )
    strategy: StartState = start_state if start_state is not None else PreRoll()
    with cluster_client(client, workers, scheduler) as c:
        keep = frames_dir is not None
        if frames_dir is not None:
            out = Path(frames_dir)
            out.mkdir(parents=True, exist_ok=True)
            for f in old:  # overwrite: no frame of the old sequence is left behind
                f.unlink()
        else:
            assert output is not None
            Path(output).parent.mkdir(parents=True, exist_ok=True)
            out = Path(tempfile.mkdtemp(prefix=".oscilla-frames-", dir=Path(output).parent))
        try:
            chunks = split_frames(n, int(chunk_frames or default_chunk_frames(n, worker_count(c))))
            tokens = strategy.prepare(source, chunks)
            futures = [
                c.submit(render_chunk, source, ch, str(out), strategy, tok, not keep, retries=retries, pure=False)
                for ch, tok in zip(chunks, tokens)
            ]
            if output is None:

                def done(i: int, result: Any) -> None:
                    if progress is not None:
                        progress(chunks[i].frames)

                wait_all(c, futures, done)
            else:
                with VideoEncoder(output, fps, (w, h), program.background) as encoder:
                    wait_all(c, futures, _encode_in_order(encoder, chunks, out, n, keep, progress))
        finally:
            if not keep:
                shutil.rmtree(out, ignore_errors=True)
    paths = [frame_path(out, k) for k in range(n)] if keep else []
    return paths + ([Path(output)] if output is not None else [])


def _encode_in_order(
    encoder: VideoEncoder,
    chunks: list[FrameChunk],
    frames_dir: Path,
    n: int,
    keep: bool,
    progress: Callable[[int], object] | None,
) -> Callable[[int, Any], None]:
    """The ``on_done`` of :func:`~oscilla.distributed.cluster.wait_all` for a video: it marks a
    finished chunk's frames ready and encodes every ready frame that continues the video (deleting
    the PNG unless ``keep``), so chunks may finish in any order."""
    ready = [False] * n
    next_frame = 0

    def done(i: int, result: Any) -> None:
        nonlocal next_frame
        ch = chunks[i]
        ready[ch.start : ch.stop] = [True] * ch.frames
        if progress is not None:
            progress(ch.frames)
        while next_frame < n and ready[next_frame]:
            p = frame_path(frames_dir, next_frame)
            with Image.open(p) as im:
                encoder.write(np.asarray(im.convert("RGBA")))
            if not keep:
                p.unlink()
            next_frame += 1

    return done
