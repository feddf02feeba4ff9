"""One patch's frame sequence rendered in chunks on a Dask cluster, byte-identical to the serial export."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oscilla.distributed.chunks import default_chunk_frames, split_frames
from oscilla.distributed.cluster import DEFAULT_RETRIES, cluster_client, wait_all, worker_count
from oscilla.distributed.source import ProgramSource
from oscilla.distributed.start import PreRoll, StartState
from oscilla.distributed.worker import frame_path, render_chunk
from oscilla.export.png import existing_frames, sequence_length
from oscilla.export.video import _check_size
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
    frames_dir: str | os.PathLike,
    duration_ms: float,
    fps: float = 30.0,
    size: tuple[int, int] = (512, 512),
    *,
    client: Any = None,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_frames: int | None = None,
    overwrite: bool = False,
    start_state: StartState | None = None,
    retries: int = DEFAULT_RETRIES,
    progress: Callable[[int], object] | None = None,
) -> list[Path]:
    """Render round(duration_ms·fps/1000) frames at t = k·1000/fps ms to ``frames_dir/frame_0000.png``...
    on a Dask cluster: the same files, byte for byte, as :func:`oscilla.export.png.render_frames`.

    The frames are split into contiguous chunks of ``chunk_frames`` (default: about four chunks per
    worker); each worker brings a runtime to its chunk's first frame with ``start_state`` (default
    :class:`~oscilla.distributed.start.PreRoll`) and writes the chunk's PNGs. The cluster is
    ``client`` (a ``dask.distributed.Client``, left open), else ``scheduler`` (``tcp://HOST:PORT``),
    else a LocalCluster of ``workers`` (default 2) single-threaded processes, closed at the end.
    ``frames_dir`` must be reachable under the same path from every worker (a shared file system).
    A chunk whose task raised is retried ``retries`` times; a chunk whose worker died is moved to
    another worker by the scheduler. ``progress(n)`` is called on the client with the number of
    frames of each finished chunk. Ctrl-C (KeyboardInterrupt) cancels the remaining chunks.
    ``size`` is (width, height) in pixels. Returns the frame paths in order.

    Raises:
        DistributedExtraMissing (an ImportError): Dask is not installed: ``pip install 'oscilla[distributed]'``.
        FileExistsError: ``frames_dir`` already holds ``frame_*.png`` files and ``overwrite`` is false.
        CompileError: the patch does not compile, or has no render sink (checked before any worker starts).
        ValueError: ``duration_ms`` or ``fps`` not finite, ``fps`` not > 0, ``chunk_frames`` or ``workers`` < 1.
        TypeError: a size that is not a pair of ints.
        OSError: the patch cannot be read or a frame cannot be written.
        distributed.KilledWorker: a chunk killed its worker several times over.
    """
    w, h = _check_size(size)
    n = sequence_length(duration_ms, fps)
    if chunk_frames is not None and int(chunk_frames) < 1:
        raise ValueError(f"chunk_frames must be at least 1, got {chunk_frames}")
    source = ProgramSource.of(patch_of(patch_or_path), (w, h), fps)
    source.program()  # compile errors surface here, on the client, before any worker starts
    old = existing_frames(frames_dir)
    if old and not overwrite:
        raise FileExistsError(
            f"{frames_dir} already holds {len(old)} frame files ({old[0].name} ...); pass overwrite=True "
            f"(--overwrite) to replace them, or choose an empty folder"
        )
    strategy: StartState = start_state if start_state is not None else PreRoll()
    with cluster_client(client, workers, scheduler) as c:
        out = Path(frames_dir)
        out.mkdir(parents=True, exist_ok=True)
        for f in old:  # overwrite: no frame of the old sequence is left behind
            f.unlink()
        chunks = split_frames(n, int(chunk_frames or default_chunk_frames(n, worker_count(c))))
        tokens = strategy.prepare(source, chunks)
        futures = [
            c.submit(
                render_chunk,
                source,
                ch,
                str(out),
                strategy,
                tok,
                retries=retries,
                pure=False,
            )
            for ch, tok in zip(chunks, tokens)
        ]

        def done(i: int, result: Any) -> None:
            if progress is not None:
                progress(chunks[i].frames)

        wait_all(c, futures, done)
    return [frame_path(out, k) for k in range(n)]
