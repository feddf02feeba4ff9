"""Splitting a frame range into the chunks workers render (pure arithmetic, no Dask)."""

from __future__ import annotations

import math
from dataclasses import dataclass

#: chunks per worker when the caller does not choose a chunk length: small enough that the progress
#: bar moves and a retried chunk costs little, large enough that scheduling overhead stays small
CHUNKS_PER_WORKER = 4


@dataclass(frozen=True)
class FrameChunk:
    """Frames ``start`` .. ``stop - 1`` (0-based frame indices; frame k is at t = k·1000/fps ms)."""

    index: int
    start: int
    stop: int

    @property
    def frames(self) -> int:
        return self.stop - self.start


def split_frames(n_frames: int, chunk_frames: int) -> list[FrameChunk]:
    """Contiguous chunks of at most ``chunk_frames`` frames covering 0 .. ``n_frames - 1`` in order.

    Raises:
        ValueError: ``n_frames`` < 1 or ``chunk_frames`` < 1.
    """
    if n_frames < 1 or chunk_frames < 1:
        raise ValueError(f"need at least one frame and one frame per chunk, got {n_frames} and {chunk_frames}")
    return [
        FrameChunk(i, start, min(start + chunk_frames, n_frames))
        for i, start in enumerate(range(0, n_frames, chunk_frames))
    ]


def default_chunk_frames(n_frames: int, workers: int) -> int:
    """The chunk length used when none is given: about :data:`CHUNKS_PER_WORKER` chunks per worker."""
    return max(1, math.ceil(n_frames / (max(1, workers) * CHUNKS_PER_WORKER)))
