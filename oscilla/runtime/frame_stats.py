"""Frame statistics of a live session: what the window's overlay shows and ``oscilla run`` prints at exit.

A :class:`FrameStats` collects, per presented frame, the wall-clock interval since the previous
frame and the CPU milliseconds the frame took (step, encode and submit; the window measures it
around its draw callback), optionally the GPU milliseconds from timestamp queries. From them:

- fps over the whole session: frames / elapsed seconds (the first frame starts the clock);
- frame time: mean and 95th percentile of the CPU time per frame (ms);
- dropped frames: the frame slots an interval skipped at the target rate: an interval of k
  target intervals (rounded to the nearest whole number) dropped k - 1 frames; with
  ``target_fps`` 60 an interval of 33 ms dropped one.

Pure Python and numpy: no GPU here. Nothing here is timed by tests (tests feed it numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class FrameStats:
    """Per-frame timings of a live session.

    Args:
        target_fps: the rate frames are meant to come at (the window's ``max_fps``), > 0.

    Attributes:
        intervals_ms: wall ms between consecutive presented frames (one fewer than the frames).
        cpu_ms: CPU ms of each frame.
        gpu_ms: GPU ms of the frames that were timed (timestamp queries; empty without them).
    """

    target_fps: float = 60.0
    intervals_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    gpu_ms: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.target_fps) and self.target_fps > 0):
            raise ValueError(f"target_fps must be a finite number > 0, got {self.target_fps!r}")

    @property
    def frames(self) -> int:
        """Frames recorded."""
        return len(self.cpu_ms)

    def record(self, cpu_ms: float, interval_ms: float | None) -> None:
        """Add one frame: its CPU ms and the wall ms since the previous frame (None for the first)."""
        self.cpu_ms.append(float(cpu_ms))
        if interval_ms is not None:
            self.intervals_ms.append(float(interval_ms))

    def record_gpu(self, gpu_ms: float | None) -> None:
        """Add a GPU frame time (ms) read from timestamp queries; None is ignored."""
        if gpu_ms is not None:
            self.gpu_ms.append(float(gpu_ms))

    @property
    def elapsed_s(self) -> float:
        """Seconds from the first frame to the last."""
        return sum(self.intervals_ms) / 1000.0

    @property
    def fps(self) -> float | None:
        """Frames per second from the first frame to the last (None with fewer than 2 frames)."""
        return len(self.intervals_ms) / self.elapsed_s if self.intervals_ms and self.elapsed_s > 0 else None

    @property
    def dropped(self) -> int:
        """Frame slots skipped at ``target_fps`` (see the module docstring)."""
        target = 1000.0 / self.target_fps
        return int(sum(max(round(i / target) - 1, 0) for i in self.intervals_ms))

    @staticmethod
    def _mean_p95(values: list[float]) -> tuple[float, float] | None:
        if not values:
            return None
        a = np.asarray(values, dtype=np.float64)
        return float(a.mean()), float(np.percentile(a, 95))

    def cpu_mean_p95(self) -> tuple[float, float] | None:
        """(mean, 95th percentile) CPU ms per frame, or None without frames."""
        return self._mean_p95(self.cpu_ms)

    def gpu_mean_p95(self) -> tuple[float, float] | None:
        """(mean, 95th percentile) GPU ms of the timed frames, or None without any."""
        return self._mean_p95(self.gpu_ms)

    def summary(self) -> str:
        """One line for the end of a session, e.g. ``120 frames in 2.0 s (59.8 fps); frame time
        mean 4.1 ms, p95 6.3 ms (CPU); GPU mean 2.0 ms, p95 2.2 ms; 1 dropped frame at 60 fps``."""
        parts = [f"{self.frames} frame{'' if self.frames == 1 else 's'}"]
        fps = self.fps
        if fps is not None:
            parts[0] += f" in {self.elapsed_s:.1f} s ({fps:.1f} fps)"
        cpu = self.cpu_mean_p95()
        if cpu is not None:
            parts.append(f"frame time mean {cpu[0]:.1f} ms, p95 {cpu[1]:.1f} ms (CPU)")
        gpu = self.gpu_mean_p95()
        if gpu is not None:
            parts.append(f"GPU mean {gpu[0]:.1f} ms, p95 {gpu[1]:.1f} ms ({len(self.gpu_ms)} timed)")
        d = self.dropped
        parts.append(f"{d} dropped frame{'' if d == 1 else 's'} at {self.target_fps:g} fps")
        return "; ".join(parts)
