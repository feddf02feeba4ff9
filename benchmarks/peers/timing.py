"""Interleaved timing: every round times each contender once, so slow drifts of the machine's load
fall on all of them alike; the medians (and 95th percentiles) over rounds go in the table."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

#: ms between frames (a 60 Hz clock, as the other benchmarks step)
FRAME_MS = 16.0


@dataclass
class Contender:
    """Something that runs the bench patch frame by frame: ``step(t_ms)`` queues or runs a frame,
    ``sync()`` waits for every queued frame. ``frames`` frames make one timed batch (one ``sync``
    per batch, as oscilla's runtime is timed: it never reads back per frame). ``t_ms`` is the
    next frame's time; ``samples`` collects ms per frame, one value per round."""

    key: str
    label: str
    step: Callable[[float], None]
    sync: Callable[[], None]
    frames: int
    t_ms: float = 0.0
    samples: list[float] = field(default_factory=list)

    def batch(self, frames: int) -> float:
        """Run ``frames`` frames and one sync; ms per frame (wall clock)."""
        t0 = time.perf_counter()
        for _ in range(frames):
            self.step(self.t_ms)
            self.t_ms += FRAME_MS
        self.sync()
        return (time.perf_counter() - t0) * 1000.0 / frames


def interleave(
    contenders: Sequence[Contender],
    rounds: int,
    warmup_frames: int = 3,
    on_round: Callable[[int], None] | None = None,
) -> None:
    """Warm every contender up (``warmup_frames`` frames, one sync), then run ``rounds`` rounds; in
    round r the contenders run in an order rotated by r, each one batch, appended to its ``samples``.
    ``on_round(r)`` is called after each round (a progress bar)."""
    for c in contenders:
        c.batch(warmup_frames)
    for r in range(rounds):
        k = r % len(contenders) if contenders else 0
        for c in list(contenders[k:]) + list(contenders[:k]):
            c.samples.append(c.batch(c.frames))
        if on_round is not None:
            on_round(r)


def median_p95(samples: Sequence[float]) -> tuple[float, float]:
    """(median, 95th percentile, linear interpolation) of ms samples; ValueError when empty."""
    if not samples:
        raise ValueError("no samples")
    a = np.asarray(samples, dtype=np.float64)
    return float(np.median(a)), float(np.percentile(a, 95))
