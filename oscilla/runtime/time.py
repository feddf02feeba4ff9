"""Host-side time resolution in float64 (blocks.md §3.2) and the frame-uniform bytes.

T = max(tAbs, prev) never decreases; dt = 0 on the first frame. For a period P the cycle count is
c = floor(T/P) and the phase T/P - c; a wrap fires when not first and c grew (once, however many
cycles a frame skipped). Phases go to the GPU as f32 and a phase that rounds to 1.0 becomes
0.99999994, so every phase is in [0, 1).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

import numpy as np

from ..program import TimeRootSpec

ONE_MINUS_ULP = float(np.float32(0.99999994))
UNIFORM_FORMAT = "<4f8I"  # must match FrameUniforms in shaders/prelude.wgsl
UNIFORM_SIZE = struct.calcsize(UNIFORM_FORMAT)


def phase_f32(t: float, period: float) -> tuple[float, int]:
    """(phase as the f32 the GPU sees, cycle count) of time ``t`` ms for ``period`` ms."""
    x = t / period
    c = math.floor(x)
    p = float(np.float32(x - c))
    return (ONE_MINUS_ULP if p >= 1.0 else p), c


@dataclass(frozen=True)
class FrameTime:
    """One frame's resolved time: tMs and dt in ms, phases in [0,1), events as bools."""

    frame: int
    t_ms: float
    dt: float
    phase_a: float
    phase_b: float
    pulse: bool
    wrap_a: bool
    wrap_b: bool

    def uniform_bytes(self) -> bytes:
        """The FrameUniforms struct (48 bytes): t_ms, dt, phase_a, phase_b as f32, then the
        pulse, wrapA, wrapB flags, the frame index and opaque_zero (always 0) as u32, then padding."""
        return struct.pack(UNIFORM_FORMAT, self.t_ms, self.dt, self.phase_a, self.phase_b,
                           int(self.pulse), int(self.wrap_a), int(self.wrap_b), self.frame & 0xFFFFFFFF,
                           0, 0, 0, 0)

    def value(self, name: str):
        """The frame input named as in the IR's ``time`` op (tMs, dt, phaseA, ..., wrapB)."""
        return {"tMs": self.t_ms, "dt": self.dt, "phaseA": self.phase_a, "phaseB": self.phase_b,
                "pulse": self.pulse, "wrapA": self.wrap_a, "wrapB": self.wrap_b}[name]


class TimeModel:
    """The monotonic time state of one runtime: ``prev``, ``first`` and the cycle counts."""

    def __init__(self, spec: TimeRootSpec):
        self.spec = spec
        self.reset()

    def reset(self) -> None:
        """Back to frame 0: prev = 0, first = true."""
        self.prev = 0.0
        self.first = True
        self.frame = 0
        self.cycles_a = 0
        self.cycles_b = 0

    def resolve(self, t_abs: float) -> FrameTime:
        """Resolve absolute time ``t_abs`` (ms, float64) into this frame's FrameTime."""
        t_abs = float(t_abs)
        if not math.isfinite(t_abs):
            t_abs = self.prev
        t = max(t_abs, self.prev)
        dt = 0.0 if self.first else t - self.prev
        pa, ca = phase_f32(t, self.spec.period_a_ms)
        pb, cb = phase_f32(t, self.spec.period_b_ms)
        wrap_a = (not self.first) and ca > self.cycles_a
        wrap_b = (not self.first) and cb > self.cycles_b
        ft = FrameTime(self.frame, t, dt, pa, pb, True, wrap_a, wrap_b)
        self.prev, self.first = t, False
        self.cycles_a, self.cycles_b = ca, cb
        self.frame += 1
        return ft
